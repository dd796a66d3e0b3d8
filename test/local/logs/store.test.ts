import { describe, expect, it } from 'vitest';
import { LogStore } from '../../../local/logs/store.js';
import { AwsError, UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { fakeResource, fakeStack } from '../../support/fake-stack.js';
import { MemoryStateStore } from '../../../local/state/memory.js';

const DAY = 86_400_000;

describe('LogStore', () => {
  it('creates the group and stream on first write and tracks stream times', () => {
    let now = 1_000_000;
    const store = new LogStore({ now: () => now });
    store.putLogEvents('/aws/lambda/fn', '2026/01/01/[$LATEST]abc', [
      { timestamp: 10, message: 'START' },
      { timestamp: 20, message: 'END' },
    ]);
    now = 2_000_000;
    store.putLogEvents('/aws/lambda/fn', '2026/01/01/[$LATEST]abc', [{ timestamp: 5, message: 'late' }]);
    const [stream] = store.describeLogStreams('/aws/lambda/fn');
    expect(stream).toMatchObject({
      logStreamName: '2026/01/01/[$LATEST]abc',
      creationTime: 1_000_000,
      firstEventTimestamp: 5,
      lastEventTimestamp: 20,
      lastIngestionTime: 2_000_000,
      storedBytes: 0,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:log-stream:2026/01/01/[$LATEST]abc',
    });
    expect(stream!.uploadSequenceToken).toMatch(/^\d{56}$/);
    // Events come back in timestamp order whatever the arrival order.
    expect(store.streamEvents('/aws/lambda/fn', '2026/01/01/[$LATEST]abc').map((e) => e.message)).toEqual(['late', 'START', 'END']);
  });

  it('gives every event a distinct 56-digit id and its ingestion time', () => {
    const store = new LogStore({ now: () => 42 });
    store.putLogEvents('g', 's', [
      { timestamp: 1, message: 'a' },
      { timestamp: 1, message: 'b' },
    ]);
    const events = store.groupEvents('g');
    expect(events.map((e) => e.eventId)).toHaveLength(2);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    for (const e of events) {
      expect(e.eventId).toMatch(/^\d{56}$/);
      expect(e.ingestionTime).toBe(42);
    }
  });

  it('makes each id of the padded timestamp and arrival counter, whatever timestamp came before', () => {
    const store = new LogStore({ now: () => 42 });
    store.putLogEvents('g', 's', [
      { timestamp: 1_700_000_000_123, message: 'a' },
      { timestamp: 1_700_000_000_123, message: 'b' },
      { timestamp: 5, message: 'c' },
      { timestamp: 1_700_000_000_123, message: 'd' },
    ]);
    const ids = Object.fromEntries(store.groupEvents('g').map((e) => [e.message, e.eventId]));
    expect(ids).toEqual({
      a: `0001700000000123${'0'.repeat(39)}1`,
      b: `0001700000000123${'0'.repeat(39)}2`,
      c: `${'0'.repeat(15)}5${'0'.repeat(39)}3`,
      d: `0001700000000123${'0'.repeat(39)}4`,
    });
  });

  it('drops the oldest events beyond the per-group cap', () => {
    const store = new LogStore({ maxEventsPerGroup: 100 });
    for (let i = 0; i < 250; i++) store.putLogEvents('g', `s${i % 3}`, [{ timestamp: i, message: `m${i}` }]);
    const events = store.groupEvents('g');
    expect(events.length).toBeLessThanOrEqual(100);
    expect(events.at(-1)!.message).toBe('m249');
    expect(events.some((e) => e.message === 'm0')).toBe(false);
    // Each stream lost the same old events as the group.
    const perStream = ['s0', 's1', 's2'].reduce((n, s) => n + store.streamEvents('g', s).length, 0);
    expect(perStream).toBe(events.length);
  });

  it('hides events older than the retention period', () => {
    const now = Date.now();
    const store = new LogStore({ now: () => now });
    store.ensureLogGroup('g', 1);
    store.putLogEvents('g', 's', [
      { timestamp: now - 2 * DAY, message: 'old' },
      { timestamp: now - 1000, message: 'new' },
    ]);
    expect(store.groupEvents('g').map((e) => e.message)).toEqual(['new']);
    expect(store.tail('g', 10).map((e) => e.message)).toEqual(['new']);
    // Expired events are deleted, not only hidden: bytes and memory come back.
    store.putRetentionPolicy('g', undefined);
    expect(store.groupEvents('g').map((e) => e.message)).toEqual(['new']);
    expect(store.describeLogGroups()[0]!.storedBytes).toBe(Buffer.byteLength('new') + 26);
  });

  it('keeps a group under its byte cap, dropping the oldest first', () => {
    const cap = 1024 * 1024;
    const store = new LogStore({ maxBytesPerGroup: cap });
    const message = 'x'.repeat(974); // 1,000 bytes stored with the 26 of overhead
    for (let i = 0; i < 20_000; i++) store.putLogEvents('g', `s${i % 7}`, [{ timestamp: i, message: `${i}`.padStart(6, '0') + message.slice(6) }]);
    const stored = store.describeLogGroups()[0]!.storedBytes;
    expect(stored).toBeLessThanOrEqual(cap);
    const events = store.groupEvents('g');
    // The retained bytes are exactly what the counter says.
    expect(events.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0)).toBe(stored);
    expect(events.at(-1)!.timestamp).toBe(19_999);
    expect(events[0]!.timestamp).toBe(20_000 - events.length);
  });

  it('scans a window from a position without reading the rest of the group', () => {
    const store = new LogStore();
    for (let i = 0; i < 1_000; i++) store.putLogEvents('g', `s${i % 4}`, [{ timestamp: i, message: `m${i}` }]);
    const window = [...store.scanGroup('g', { startTime: 500, endTime: 504 })].map((e) => e.timestamp);
    expect(window).toEqual([500, 501, 502, 503, 504]);
    const all = store.groupEvents('g');
    const resumed = [...store.scanGroup('g', { after: all[700]! })];
    expect(resumed[0]!.timestamp).toBe(701);
    expect(resumed).toHaveLength(299);
    // Equal timestamps across streams keep arrival order through the merge.
    store.putLogEvents('g', 's9', [{ timestamp: 2_000, message: 'first' }]);
    store.putLogEvents('g', 's1', [{ timestamp: 2_000, message: 'second' }]);
    expect([...store.scanGroup('g', { startTime: 2_000 })].map((e) => e.message)).toEqual(['first', 'second']);
  });

  it('expires events past RetentionInDays as time passes', () => {
    let now = 100 * DAY;
    const store = new LogStore({ now: () => now });
    store.ensureLogGroup('g', 1);
    store.putLogEvents('g', 's', [{ timestamp: now, message: 'day 100' }]);
    now += 2 * DAY;
    store.putLogEvents('g', 's', [{ timestamp: now, message: 'day 102' }]);
    expect(store.streamEvents('g', 's').map((e) => e.message)).toEqual(['day 102']);
    expect(store.describeLogGroups()[0]!.storedBytes).toBe(Buffer.byteLength('day 102') + 26);
  });

  it('notifies subscribers until they unsubscribe, and survives a throwing one', () => {
    const store = new LogStore();
    const seen: string[] = [];
    store.subscribe(() => {
      throw new Error('broken viewer');
    });
    const stop = store.subscribe((group, stream, events) => seen.push(`${group}|${stream}|${events.map((e) => e.message).join(',')}`));
    store.putLogEvents('g', 's', [{ timestamp: 1, message: 'x' }]);
    stop();
    store.putLogEvents('g', 's', [{ timestamp: 2, message: 'y' }]);
    expect(seen).toEqual(['g|s|x']);
    expect(store.groupEvents('g')).toHaveLength(2);
  });

  it('reports missing groups and streams as AWS does', () => {
    const store = new LogStore();
    expect(() => store.describeLogStreams('nope')).toThrow(AwsError);
    expect(() => store.describeLogStreams('nope')).toThrow('The specified log group does not exist.');
    store.ensureLogGroup('g');
    expect(() => store.streamEvents('g', 'nope')).toThrow('The specified log stream does not exist.');
    expect(() => store.createLogGroup('g')).toThrow('The specified log group already exists');
  });

  it('a log group CreateLogGroup made, with its retention and events, comes back after a restart that the assembly does not name it in', () => {
    const state = new MemoryStateStore();
    const first = new LogStore({ persistence: state.logs, now: () => 1_000 });
    first.createLogGroup('/made/by/api');
    first.putRetentionPolicy('/made/by/api', 5);
    first.putLogEvents('/made/by/api', 's', [{ timestamp: 900, message: 'kept' }]);
    first.ensureLogGroup('/aws/lambda/gone');

    // The next assembly writes to neither group: only the template's one is dropped.
    const dropped = state.retainOwners([], new Set());
    expect(dropped.map((d) => d.owner.logicalId)).toEqual(['/aws/lambda/gone']);
    const second = new LogStore({ persistence: state.logs, now: () => 2_000 });
    expect(second.restore()).toBe(1);
    expect(second.describeLogGroups()).toEqual([expect.objectContaining({ logGroupName: '/made/by/api', retentionInDays: 5, creationTime: 1_000 })]);
    expect(second.groupEvents('/made/by/api').map((e) => e.message)).toEqual(['kept']);
    expect(() => second.createLogGroup('/made/by/api')).toThrow('The specified log group already exists');
  });

  it('reads log groups from the stack', () => {
    const store = LogStore.fromStack(
      fakeStack([
        { logicalId: 'Named', type: 'AWS::Logs::LogGroup', properties: { LogGroupName: '/aws/lambda/named', RetentionInDays: 7, Tags: [] } },
        { logicalId: 'Unnamed', type: 'AWS::Logs::LogGroup', ref: 'TestStack-Unnamed-ABC', properties: {} },
      ]),
    );
    expect(store.logGroupNames()).toEqual(['/aws/lambda/named', 'TestStack-Unnamed-ABC']);
    expect(store.describeLogGroups()[0]).toMatchObject({
      logGroupName: '/aws/lambda/named',
      retentionInDays: 7,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/named:*',
      logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/named',
    });
  });

  it('keeps a declared group in its stack\'s region when a function of another region logs to it', () => {
    const group = fakeResource('Shared', 'AWS::Logs::LogGroup', { LogGroupName: 'shared' });
    const writer = fakeResource('Writer', 'AWS::Lambda::Function', { LoggingConfig: { LogGroup: 'shared' } });
    const own = fakeStack([group], { stackName: 'Own' });
    const other = fakeStack([writer], { stackName: 'Other', account: '222222222222', region: 'us-west-2' });
    const store = LogStore.fromStack({ ...fakeStack([group, writer]), stacks: [own, other] });
    expect(store.placeOf('shared')).toMatchObject({ account: '000000000000', region: 'us-east-1' });
    // A function's own group, not declared, is in the function's account and region.
    const lone = fakeResource('Lone', 'AWS::Lambda::Function', {});
    const otherOnly = fakeStack([lone], { stackName: 'Other', account: '222222222222', region: 'us-west-2' });
    expect(LogStore.fromStack({ ...fakeStack([lone]), stacks: [otherOnly] }).placeOf('/aws/lambda/Lone')).toMatchObject({ account: '222222222222', region: 'us-west-2' });
  });

  it.each([
    [{ KmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/1' }, 'Properties.KmsKeyId'],
    [{ DataProtectionPolicy: {} }, 'Properties.DataProtectionPolicy'],
    [{ RetentionInDays: 2 }, 'Properties.RetentionInDays'],
    [{ LogGroupClass: 'INFREQUENT_ACCESS' }, 'Properties.LogGroupClass'],
  ])('refuses %j at start-up', (properties, path) => {
    const stack = fakeStack([{ logicalId: 'Group', type: 'AWS::Logs::LogGroup', properties }]);
    expect(() => LogStore.fromStack(stack)).toThrow(UnsupportedTemplateError);
    expect(() => LogStore.fromStack(stack)).toThrow(`Group: ${path}`);
  });
});

describe('LogStore at scale', () => {
  it('caps a single stream holding more events than a call can take as arguments', () => {
    const store = new LogStore({ maxEventsPerGroup: 300_000 });
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ timestamp: i, message: 'x' }));
    for (let i = 0; i < 31; i++) store.putLogEvents('g', 's', batch.map((e) => ({ ...e, timestamp: e.timestamp + i * 10_000 })));
    expect(store.streamEvents('g', 's').length).toBeLessThanOrEqual(300_000);
    expect(store.streamEvents('g', 's').at(-1)!.timestamp).toBe(309_999);
  });
});
