import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../local/contracts.js';
import { JourneyIndex, describeHop, formatDuration, linkIds, runtimeNotice, searchText, summarize, timelineOrder } from '../../../local/dashboard/journeys.js';

/** Group a list of hops (as `/_local/traces` returns them) into journeys, newest first, as the page does. */
function groupJourneys(hops: readonly TraceEvent[]) {
  const index = new JourneyIndex(Number.MAX_SAFE_INTEGER);
  for (const hop of hops) index.add(hop);
  return index.list();
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let clock = 1_000;
const hop = (h: Omit<TraceEvent, 'time'>): TraceEvent => ({ time: clock++, ...h });

/** The hops one request leaves, in the order the services record them. */
function request(n: number, options: { fail?: boolean; noRule?: boolean } = {}): TraceEvent[] {
  const api = uuid(n * 10 + 1);
  const message = uuid(n * 10 + 2);
  const requestId = uuid(n * 10 + 3);
  const eventId = uuid(n * 10 + 4);
  const logger = uuid(n * 10 + 5);
  const hops: TraceEvent[] = [
    hop({ service: 'apigateway', kind: 'request', resource: 'api/prod', summary: 'GET /prod/SendEvent -> GET /SendEvent (AWS)', ids: { requestId: api } }),
    hop({ service: 'sns', kind: 'publish', resource: 'arn:aws:sns:us-east-1:0:topic', summary: 'topic <- message', ids: { snsMessageId: message } }),
    hop({ service: 'apigateway', kind: 'response', resource: 'api/prod', summary: 'GET /SendEvent -> 200', ids: { requestId: api }, detail: { statusCode: 200, body: { messageId: message } } }),
    hop({ service: 'lambda', kind: 'enqueue', resource: 'destined', summary: 'async invoke accepted (202)', ids: { requestId } }),
    hop({ service: 'sns', kind: 'deliver', resource: 'arn:aws:lambda:us-east-1:0:function:destined', summary: 'invoked destined', ids: { snsMessageId: message, lambdaRequestId: requestId } }),
  ];
  if (options.fail) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      hops.push(hop({ service: 'lambda', kind: 'invoke', resource: 'destined', summary: `async attempt ${attempt}: failed (Error: boom) in 3 ms`, ids: { requestId }, outcome: 'failed', detail: { attempt, durationMs: 3, response: { errorType: 'Error', errorMessage: 'boom' }, log: 'START RequestId\nERROR boom\nEND\n' } }));
      if (attempt < 3) hops.push(hop({ service: 'lambda', kind: 'retry', resource: 'destined', summary: 'retry', ids: { requestId }, outcome: 'pending', reason: `waiting for retry ${attempt}`, detail: { attempt, delayMs: 60_000 * attempt, localDelayMs: 50 * attempt, dueAt: clock + 50 } }));
    }
  } else {
    hops.push(hop({ service: 'lambda', kind: 'invoke', resource: 'destined', summary: 'async attempt 1: succeeded in 4 ms', ids: { requestId }, outcome: 'ok', detail: { attempt: 1, durationMs: 4, response: { source: 'x' }, log: 'START\nhello\nEND\n' } }));
  }
  const condition = options.fail ? 'RetriesExhausted' : 'Success';
  hops.push(hop({ service: 'lambda', kind: 'destination', resource: 'destined', summary: `${condition} record (invoke count 1) -> bus`, ids: { requestId, eventId }, detail: { requestContext: { condition } } }));
  if (options.noRule) {
    hops.push(hop({ service: 'eventbridge', kind: 'put', resource: 'bus', summary: 'lambda / ... on bus bus; no rule matched', ids: { eventId }, outcome: 'failed', reason: 'no rule matched (ok-rule: detail.x is 1; the pattern wants [2])', detail: { event: {}, rules: [{ name: 'ok-rule', matched: false, mismatch: { reason: 'detail.x is 1; the pattern wants [2]' } }] } }));
    return hops;
  }
  hops.push(
    hop({ service: 'eventbridge', kind: 'put', resource: 'bus', summary: 'lambda / ... on bus bus', ids: { eventId }, detail: { event: { id: eventId }, rules: [{ name: 'ok-rule', matched: true }, { name: 'fail-rule', matched: false, mismatch: { reason: 'detail-type is "x"; the pattern wants ["y"]' } }] } }),
    hop({ service: 'eventbridge', kind: 'match', resource: 'ok-rule', summary: 'rule ok-rule matched', ids: { eventId } }),
    hop({ service: 'lambda', kind: 'enqueue', resource: 'logger', summary: 'accepted', ids: { requestId: logger } }),
    hop({ service: 'eventbridge', kind: 'deliver', resource: 'ok-rule', summary: 'ok-rule -> arn:aws:lambda:us-east-1:0:function:logger', ids: { eventId, lambdaRequestId: logger }, detail: { target: 'arn:aws:lambda:us-east-1:0:function:logger' } }),
    hop({ service: 'lambda', kind: 'invoke', resource: 'logger', summary: 'async attempt 1: succeeded in 1 ms', ids: { requestId: logger }, outcome: 'ok', detail: { attempt: 1, durationMs: 1, log: 'START\n{"event":1}\nEND\n' } }),
  );
  return hops;
}

describe('journeys', () => {
  it('makes one journey per request from the API call to the logger, whatever the order of its hops', () => {
    const a = request(1);
    const b = request(2, { fail: true });
    // Interleave two requests as concurrent ones arrive.
    const mixed = a.flatMap((h, i) => [h, b[i]]).filter((h): h is TraceEvent => h !== undefined).concat(b.slice(a.length));
    const journeys = groupJourneys(mixed);
    expect(journeys).toHaveLength(2);
    expect(journeys.map((j) => j.hops.length).sort()).toEqual([a.length, b.length].sort());
    const ok = journeys.find((j) => j.hops.some((h) => h === a[0]))!;
    expect(ok.hops.map((h) => h.resource)).toContain('logger');
    expect(ok.hops.every((h) => a.includes(h))).toBe(true);
  });

  it('merges two journeys when a later hop shows they are one', () => {
    const index = new JourneyIndex();
    const [, publish, , enqueue, deliver] = request(3);
    const first = index.add(publish!).journey;
    index.add(enqueue!);
    expect(index.list()).toHaveLength(2);
    const { journey, merged } = index.add(deliver!);
    expect(journey.id).toBe(first.id);
    expect(merged).toHaveLength(1);
    expect(index.list()).toHaveLength(1);
    expect(journey.hops.map((h) => h.kind)).toEqual(['publish', 'enqueue', 'deliver']);
  });

  it('does not join requests through values many share, and keeps only the newest journeys', () => {
    const index = new JourneyIndex(2);
    for (let i = 0; i < 3; i++) index.add(hop({ service: 'sqs', kind: 'deliver', resource: 'q', summary: 's', ids: { messageId: uuid(900 + i), sourceArn: 'arn:aws:events:rule/r' } }));
    expect(index.list().map((j) => j.id)).toEqual([uuid(902), uuid(901)]);
  });

  it('reads the message id the API answered with, in JSON or SNS XML', () => {
    const response = (body: unknown) => hop({ service: 'apigateway', kind: 'response', resource: 'a', summary: 's', ids: { requestId: uuid(1) }, detail: { body } });
    expect(linkIds(response({ messageId: uuid(2) }))).toEqual([uuid(1), uuid(2)]);
    expect(linkIds(response(`<PublishResponse><MessageId>${uuid(3)}</MessageId></PublishResponse>`))).toEqual([uuid(1), uuid(3)]);
  });

  it('summarizes a delivered journey, one that went down the failure path, and counts attempts', () => {
    const ok = summarize(groupJourneys(request(4))[0]!, clock);
    expect(ok).toMatchObject({ status: 'ok', attempts: 2, failedAttempts: 0, functions: ['destined', 'logger'], title: 'GET /prod/SendEvent · Success' });
    const failed = summarize(groupJourneys(request(5, { fail: true }))[0]!, clock);
    expect(failed).toMatchObject({ status: 'ok', attempts: 4, failedAttempts: 3, title: 'GET /prod/SendEvent · RetriesExhausted' });
  });

  it('flags a journey no rule matched, with the rule and its failing field', () => {
    const summary = summarize(groupJourneys(request(6, { noRule: true }))[0]!, clock);
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toBe('no rule matched (ok-rule: detail.x is 1; the pattern wants [2])');
  });

  it('flags a permission denied, a record dropped and an event in a dead-letter queue', () => {
    const stopped = (h: Omit<TraceEvent, 'time'>) => summarize(groupJourneys([hop(h)])[0]!, clock);
    expect(stopped({ service: 'eventbridge', kind: 'drop', resource: 'r', summary: 'r -> fn undeliverable (NO_PERMISSIONS)', outcome: 'denied', reason: 'event dropped' })).toMatchObject({ status: 'stopped', reason: 'permission denied: event dropped' });
    expect(stopped({ service: 'lambda', kind: 'destination-failed', resource: 'f', summary: 'could not send', outcome: 'failed', reason: 'record dropped: Error: x' })).toMatchObject({ reason: 'record dropped: Error: x' });
    expect(stopped({ service: 'sns', kind: 'dead-letter', resource: 'q', summary: 'moved to dead-letter queue q' })).toMatchObject({ status: 'stopped', reason: 'event in a dead-letter queue: moved to dead-letter queue q' });
    expect(stopped({ service: 'sns', kind: 'drop', resource: 'f', summary: 'dropped: AccessDeniedException: no' })).toMatchObject({ reason: 'permission denied: dropped: AccessDeniedException: no' });
  });

  it('flags a request the API answered with an error', () => {
    const answered = (summary: string, detail?: unknown) =>
      summarize(groupJourneys([hop({ service: 'apigateway', kind: 'response', resource: 'a/prod', summary, ids: { requestId: uuid(500) }, ...(detail ? { detail } : {}) })])[0]!, clock);
    expect(answered('GET /SendEvent -> 429 TooManyRequestsException')).toMatchObject({ status: 'stopped', reason: 'API answered 429 TooManyRequestsException' });
    expect(answered('GET /x -> 403 MissingAuthenticationTokenException').reason).toBe('permission denied: API answered 403 MissingAuthenticationTokenException');
    expect(answered('GET /SendEvent -> 200', { statusCode: 200 }).status).toBe('ok');
  });

  it('says a journey waits for a retry, with when it is due, until the next attempt comes', () => {
    const hops = request(7, { fail: true });
    const upToFirstWait = hops.slice(0, hops.findIndex((h) => h.kind === 'retry') + 1);
    const waiting = summarize(groupJourneys(upToFirstWait)[0]!, clock);
    expect(waiting).toMatchObject({ status: 'waiting', reason: 'waiting for retry 1' });
    expect(waiting.dueAt).toBeGreaterThan(0);
    const next = hops.slice(0, upToFirstWait.length + 1);
    expect(summarize(groupJourneys(next)[0]!, clock).status).toBe('ok');
  });

  it('waits on an EventBridge delivery retry until the rule delivers', () => {
    const eventId = uuid(600);
    const retry = hop({ service: 'eventbridge', kind: 'retry', resource: 'rule', summary: 'rule -> fn failed (THROTTLING); retry 1', ids: { eventId } });
    expect(summarize(groupJourneys([retry])[0]!, clock).status).toBe('waiting');
    const delivered = hop({ service: 'eventbridge', kind: 'deliver', resource: 'rule', summary: 'rule -> fn (after 1 retries)', ids: { eventId } });
    expect(summarize(groupJourneys([retry, delivered])[0]!, clock).status).toBe('ok');
  });

  it("joins a Lambda integration's run to its API request, and names a function URL's row by its request", () => {
    const api = uuid(901);
    const run = uuid(902);
    const [square] = groupJourneys([
      hop({ service: 'apigateway', kind: 'request', resource: 'api/prod', summary: 'GET /prod/square/4 -> GET /square/{number} (AWS)', ids: { requestId: api } }),
      hop({ service: 'lambda', kind: 'invoke', resource: 'square', summary: 'sync invoke by apigateway.amazonaws.com: succeeded in 2 ms', ids: { requestId: run } }),
      hop({ service: 'apigateway', kind: 'response', resource: 'api/prod', summary: 'GET /square/{number} -> 200', ids: { requestId: api, lambdaRequestId: run } }),
    ]);
    expect(summarize(square!, clock)).toMatchObject({ title: 'GET /prod/square/4', functions: ['square'], status: 'ok', hops: 3 });

    const urlRun = uuid(903);
    const [url] = groupJourneys([
      hop({ service: 'lambda', kind: 'invoke', resource: 'public', summary: 'sync invoke: succeeded in 1 ms', ids: { requestId: urlRun } }),
      hop({ service: 'lambda', kind: 'function-url', resource: 'https://url/', summary: 'GET /echo on function URL PublicFunctionUrl: 200', ids: { requestId: urlRun } }),
    ]);
    expect(summarize(url!, clock)).toMatchObject({ title: 'GET /echo on function URL PublicFunctionUrl', functions: ['public'], status: 'ok' });
  });

  it('searches ids, resources and summaries', () => {
    const text = searchText(groupJourneys(request(8))[0]!);
    expect(text).toContain(uuid(84));
    expect(text).toContain('logger');
  });
});

describe('timelineOrder', () => {
  it('puts each hand-over before what it started, and keeps the rest in recorded order', () => {
    // As recorded: Lambda traces its destination once PutEvents returned, after EventBridge traced the event.
    const hops = request(13);
    const destination = hops.findIndex((h) => h.kind === 'destination');
    hops.splice(hops.findIndex((h) => h.kind === 'match'), 0, ...hops.splice(destination, 1));
    expect(hops.findIndex((h) => h.kind === 'destination')).toBeGreaterThan(hops.findIndex((h) => h.kind === 'put'));
    const order = timelineOrder(hops).map((h) => `${h.service}:${h.kind}:${h.resource}`);
    const at = (step: string) => order.indexOf(step);
    // Recorded after Lambda accepted the event, shown before it.
    expect(at('sns:deliver:arn:aws:lambda:us-east-1:0:function:destined')).toBeLessThan(at('lambda:enqueue:destined'));
    expect(at('lambda:destination:destined')).toBeLessThan(at('eventbridge:put:bus'));
    expect(at('eventbridge:deliver:ok-rule')).toBeLessThan(at('lambda:enqueue:logger'));
    expect(at('eventbridge:put:bus')).toBeLessThan(at('eventbridge:match:ok-rule'));
    expect(order[0]).toBe('apigateway:request:api/prod');
    expect(order).toHaveLength(hops.length);
  });

  it("puts a function destination's record before the second function accepted it", () => {
    const first = uuid(960);
    const second = uuid(961);
    const hops = [
      hop({ service: 'lambda', kind: 'enqueue', resource: 'first', summary: 'async invoke accepted (202)', ids: { requestId: first } }),
      hop({ service: 'lambda', kind: 'invoke', resource: 'first', summary: 'async attempt 1: succeeded', ids: { requestId: first }, outcome: 'ok', detail: { attempt: 1 } }),
      hop({ service: 'lambda', kind: 'enqueue', resource: 'second', summary: 'async invoke accepted (202)', ids: { requestId: second } }),
      hop({ service: 'lambda', kind: 'destination', resource: 'first', summary: 'Success record (invoke count 1) -> second', ids: { requestId: first, destinationRequestId: second } }),
      hop({ service: 'lambda', kind: 'invoke', resource: 'second', summary: 'async attempt 1: succeeded', ids: { requestId: second }, outcome: 'ok', detail: { attempt: 1 } }),
    ];
    expect(timelineOrder(hops).map((h) => `${h.kind}:${h.resource}`)).toEqual(['enqueue:first', 'invoke:first', 'destination:first', 'enqueue:second', 'invoke:second']);
  });
});

describe('describeHop', () => {
  it('shows an attempt with its duration, error and log lines', () => {
    const attempt = request(9, { fail: true }).find((h) => h.kind === 'invoke')!;
    expect(describeHop(attempt)).toMatchObject({ title: 'destined attempt 1 failed', facts: ['duration 3 ms', 'error Error: boom'], log: ['START RequestId', 'ERROR boom', 'END'] });
  });

  it('shows a synchronous invoke as one run, not a numbered attempt', () => {
    const ok = hop({ service: 'lambda', kind: 'invoke', resource: 'square', summary: 'sync invoke by apigateway.amazonaws.com: succeeded in 2 ms', ids: { requestId: uuid(950) } });
    const failed = hop({ service: 'lambda', kind: 'invoke', resource: 'square', summary: 'sync invoke: failed (Unhandled) in 2 ms', ids: { requestId: uuid(951) } });
    expect(describeHop(ok).title).toBe('square run succeeded');
    expect(describeHop(failed).title).toBe('square run failed');
  });

  it('shows a wait in AWS time and in local time', () => {
    const wait = request(10, { fail: true }).find((h) => h.kind === 'retry')!;
    expect(describeHop(wait)).toMatchObject({ title: 'wait before retry 1', facts: ['1 min in AWS time', '50 ms here'], outcome: 'pending' });
  });

  it('lists the rules that matched and the first failing field of those that did not', () => {
    const put = request(11).find((h) => h.kind === 'put')!;
    expect(describeHop(put).facts).toEqual(['rule ok-rule matched', 'rule fail-rule did not match: detail-type is "x"; the pattern wants ["y"]']);
    expect(describeHop(put).payload).toEqual({ id: uuid(114) });
  });

  it('gives the API answer as the response payload', () => {
    const response = request(12).find((h) => h.kind === 'response')!;
    expect(describeHop(response)).toMatchObject({ title: 'API answered 200', payload: { messageId: uuid(122) } });
  });
});

describe('formatDuration', () => {
  it('says waits as people do', () => {
    expect([formatDuration(50), formatDuration(1500), formatDuration(60_000), formatDuration(150_000)]).toEqual(['50 ms', '1.5 s', '1 min', '2 min 30 s']);
  });
});

describe('runtime notices', () => {
  it('a failed reload is an error notice with its reason; a reload that worked is an info line; request hops are no notice', () => {
    const failed = hop({ service: 'runtime', kind: 'reload-failed', resource: 'Stack', summary: 'reload failed (synthesis); the previous assembly keeps serving', outcome: 'failed', reason: 'Synthesis failed: lib/x.ts(3,1): error' });
    expect(runtimeNotice(failed)).toEqual({ level: 'error', time: failed.time, text: failed.summary, reason: 'Synthesis failed: lib/x.ts(3,1): error' });
    const reloaded = hop({ service: 'runtime', kind: 'reloaded', resource: 'Stack', summary: 'reloaded in 1.20s: 1 modified (Rule)', outcome: 'ok' });
    expect(runtimeNotice(reloaded)).toEqual({ level: 'info', time: reloaded.time, text: 'reloaded in 1.20s: 1 modified (Rule)' });
    for (const other of request(7)) expect(runtimeNotice(other)).toBeUndefined();
  });
});
