import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsApi } from '../../../local/logs/api.js';
import { LogStore } from '../../../local/logs/store.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';

const GROUP = '/aws/lambda/success-logger';

describe('CloudWatch Logs API through @aws-sdk/client-cloudwatch-logs', () => {
  const store = new LogStore();
  let server: Served;
  let logs: CloudWatchLogsClient;
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    server = await serveApis({ json: [logsApi(store)] });
    logs = new CloudWatchLogsClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
    store.ensureLogGroup(GROUP, 7);
    // Two streams with interleaved timestamps, as two execution environments write them.
    for (let i = 0; i < 30; i++) {
      const stream = i % 2 === 0 ? '2026/11/26/[$LATEST]aaa' : '2026/11/26/[$LATEST]bbb';
      const message = i % 5 === 0 ? JSON.stringify({ level: 'ERROR', n: i }) : `INFO line ${i}`;
      store.putLogEvents(GROUP, stream, [{ timestamp: base + i, message }]);
    }
  });
  afterAll(async () => {
    logs?.destroy();
    await server?.close();
  });

  it('describes log groups with prefix and pagination', async () => {
    for (const name of ['/app/a', '/app/b', '/app/c']) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 2 }));
    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/a', '/app/b']);
    expect(first.nextToken).toBeTruthy();
    const second = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 2, nextToken: first.nextToken }));
    expect(second.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/c']);
    expect(second.nextToken).toBeUndefined();
    const all = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(all.logGroups?.[0]).toMatchObject({ logGroupName: GROUP, retentionInDays: 7, arn: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:*` });
  });

  it('rejects creating an existing group', async () => {
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('describes log streams by name or by last event time, with pagination', async () => {
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 1 }));
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(['2026/11/26/[$LATEST]aaa']);
    const next = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 1, nextToken: byName.nextToken }));
    expect(next.logStreams?.map((s) => s.logStreamName)).toEqual(['2026/11/26/[$LATEST]bbb']);
    expect(next.nextToken).toBeUndefined();
    const latest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', descending: true }));
    expect(latest.logStreams?.[0]).toMatchObject({ logStreamName: '2026/11/26/[$LATEST]bbb', lastEventTimestamp: base + 29, firstEventTimestamp: base + 1 });
    await expect(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', logStreamNamePrefix: '2026' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('gets the latest events by default and pages with f/ and b/ tokens', async () => {
    const stream = '2026/11/26/[$LATEST]aaa';
    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 4 }));
    expect(tail.events?.map((e) => e.timestamp)).toEqual([base + 22, base + 24, base + 26, base + 28]);
    expect(tail.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
    expect(tail.nextBackwardToken).toMatch(/^b\/\d{56}\/s$/);
    const earlier = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 4, nextToken: tail.nextBackwardToken }));
    expect(earlier.events?.map((e) => e.timestamp)).toEqual([base + 14, base + 16, base + 18, base + 20]);
    // At the end of the stream the forward token comes back unchanged.
    const end = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, nextToken: tail.nextForwardToken }));
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(tail.nextForwardToken);

    const head = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, limit: 2 }));
    expect(head.events?.map((e) => e.timestamp)).toEqual([base, base + 2]);
    expect(head.events?.[0]?.ingestionTime).toBeGreaterThan(0);
    const window = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, startTime: base + 4, endTime: base + 8 }),
    );
    expect(window.events?.map((e) => e.timestamp)).toEqual([base + 4, base + 6]);
  });

  it('filters events across streams with a pattern and paginates with nextToken', async () => {
    const seen: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.level = "ERROR" }', limit: 2, nextToken }));
      seen.push(...(page.events ?? []));
      expect(page.searchedLogStreams).toEqual([]);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen.map((e) => JSON.parse(e.message!).n)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(seen[1]).toMatchObject({ logStreamName: '2026/11/26/[$LATEST]bbb', timestamp: base + 5 });
    expect(seen[1]!.eventId).toMatch(/^\d{56}$/);
  });

  it('filters by stream names, prefix, time range and term patterns', async () => {
    const named = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ['2026/11/26/[$LATEST]bbb'], filterPattern: 'INFO -"line 1"' }),
    );
    expect(named.events?.every((e) => e.logStreamName === '2026/11/26/[$LATEST]bbb' && !e.message!.includes('line 1'))).toBe(true);
    expect(named.events?.map((e) => e.message)).toEqual(['INFO line 3', 'INFO line 7', 'INFO line 9', 'INFO line 21', 'INFO line 23', 'INFO line 27', 'INFO line 29']);
    const ranged = await logs.send(
      new FilterLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}`, startTime: base + 10, endTime: base + 12 }),
    );
    expect(ranged.events?.map((e) => e.timestamp)).toEqual([base + 10, base + 11, base + 12]);
    const prefixed = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNamePrefix: '2026/11/26/[$LATEST]a', limit: 3 }));
    expect(prefixed.events?.map((e) => e.timestamp)).toEqual([base, base + 2, base + 4]);
  });

  it('answers bad input with the AWS errors', async () => {
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.a = ' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 10_001 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: 'garbage' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ['x'], logStreamNamePrefix: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'missing' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log stream does not exist.',
    });
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('accepts PutLogEvents into a created stream and rejects an unordered batch', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/put/test' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/put/test', logStreamName: 's' }));
    const now = Date.now();
    const put = await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/put/test',
        logStreamName: 's',
        logEvents: [
          { timestamp: now - 20 * 86_400_000, message: 'ancient' },
          { timestamp: now, message: 'hello' },
        ],
      }),
    );
    expect(put.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: '/put/test', logStreamName: 's' }));
    expect(got.events?.map((e) => e.message)).toEqual(['hello']);
    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/put/test',
          logStreamName: 's',
          logEvents: [
            { timestamp: now, message: 'b' },
            { timestamp: now - 1, message: 'a' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      logs.send(new PutLogEventsCommand({ logGroupName: '/put/test', logStreamName: 'missing', logEvents: [{ timestamp: now, message: 'x' }] })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers members of the wrong JSON type with SerializationException, as the CLI would meet them', async () => {
    // Raw requests: the SDK's types would not let these through.
    const send = async (operation: string, body: unknown) => {
      const response = await fetch(`${server.endpoint}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${operation}` },
        body: JSON.stringify(body),
      });
      return { status: response.status, type: ((await response.json()) as { __type: string }).__type };
    };
    expect(await send('FilterLogEvents', { logGroupName: GROUP, limit: 'x' })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await send('FilterLogEvents', { logGroupName: GROUP, filterPattern: 5 })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await send('FilterLogEvents', { logGroupName: GROUP, logStreamNames: 'x' })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await send('GetLogEvents', { logGroupName: GROUP, logStreamName: 7 })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await send('GetLogEvents', { logGroupName: GROUP, logStreamName: '2026/11/26/[$LATEST]aaa', startFromHead: 'yes' })).toEqual({
      status: 400,
      type: 'SerializationException',
    });
    expect(await send('DescribeLogStreams', { logGroupName: GROUP, descending: 1 })).toEqual({ status: 400, type: 'SerializationException' });
    // In range checks still come after the type is right.
    expect(await send('DescribeLogGroups', { limit: 0 })).toEqual({ status: 400, type: 'InvalidParameterException' });
    expect(await send('GetLogEvents', { logGroupName: GROUP, logStreamName: '' })).toEqual({ status: 400, type: 'InvalidParameterException' });
  });
});

describe('CloudWatch Logs refuses what AWS refuses', () => {
  const store = new LogStore();
  let server: Served;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    server = await serveApis({ json: [logsApi(store)] });
    logs = new CloudWatchLogsClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/limits' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/limits', logStreamName: 's' }));
  });
  afterAll(async () => {
    logs?.destroy();
    await server?.close();
  });

  it.each([
    ['x'.repeat(513), 'Member must have length less than or equal to 512'],
    ['has space', 'Member must satisfy regular expression pattern'],
    ['colon:name', 'Member must satisfy regular expression pattern'],
    ['star*', 'Member must satisfy regular expression pattern'],
  ])('CreateLogGroup refuses the name %s', async (logGroupName, message) => {
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining(message),
      $metadata: { httpStatusCode: 400 },
    });
    expect(store.hasLogGroup(logGroupName)).toBe(false);
  });

  it('CreateLogGroup accepts every character of the allowed set, up to 512 of them', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/My-Fn_1.#x' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'g'.repeat(512) }));
    expect(store.hasLogGroup('g'.repeat(512))).toBe(true);
  });

  it.each(['a:b', 'a*b', 'x'.repeat(513)])('CreateLogStream refuses the name %s', async (logStreamName) => {
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: '/limits', logStreamName }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('PutLogEvents refuses a batch over 1,048,576 bytes counting 26 bytes per event, and accepts one at the limit', async () => {
    const now = Date.now();
    const exact = [{ timestamp: now, message: 'x'.repeat(1_048_576 - 26) }];
    await logs.send(new PutLogEventsCommand({ logGroupName: '/limits', logStreamName: 's', logEvents: exact }));
    const over = [
      { timestamp: now, message: 'x'.repeat(524_288 - 26) },
      { timestamp: now, message: 'x'.repeat(524_288 - 25) },
    ];
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: '/limits', logStreamName: 's', logEvents: over }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Upload too large: 1048577 bytes exceeds limit of 1048576',
    });
    const twoMb = [{ timestamp: now, message: 'x'.repeat(2 * 1024 * 1024) }];
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: '/limits', logStreamName: 's', logEvents: twoMb }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('PutLogEvents rejects events from before the group retention period as too old', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/limits/retained' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/limits/retained', logStreamName: 's' }));
    store.putRetentionPolicy('/limits/retained', 1);
    const now = Date.now();
    const put = await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/limits/retained',
        logStreamName: 's',
        logEvents: [
          { timestamp: now - 2 * 86_400_000, message: 'two days old' },
          { timestamp: now, message: 'now' },
        ],
      }),
    );
    expect(put.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
  });

  it('PutLogEvents refuses more than 10,000 events and a batch spanning more than 24 hours', async () => {
    const now = Date.now();
    const many = Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'x' }));
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: '/limits', logStreamName: 's', logEvents: many }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    const wide = [
      { timestamp: now - 25 * 3_600_000, message: 'a' },
      { timestamp: now, message: 'b' },
    ];
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: '/limits', logStreamName: 's', logEvents: wide }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('24 hours'),
    });
  });
});
