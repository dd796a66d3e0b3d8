import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRoutes } from '../../../local/local-routes.js';
import { LogStore } from '../../../local/logs/store.js';
import { TraceLog } from '../../../local/tracing.js';
import { serve, type Served } from '../../support/serve.js';
import { fakeStack } from '../../support/fake-stack.js';

const queueArn = 'arn:aws:sqs:us-east-1:000000000000:dlq';
const stack = fakeStack([
  { logicalId: 'Fn', type: 'AWS::Lambda::Function', ref: 'fn', arn: 'arn:aws:lambda:us-east-1:000000000000:function:fn', properties: { FunctionName: 'fn', DeadLetterConfig: { TargetArn: queueArn } } },
  { logicalId: 'Dlq', type: 'AWS::SQS::Queue', ref: 'http://q/dlq', arn: queueArn },
]);
const traces = new TraceLog(100);
let served: Served;

beforeAll(async () => {
  served = await serve(localRoutes({ stack, traces, logs: LogStore.fromStack(stack), queueDepth: (arn) => (arn === queueArn ? 3 : undefined) }));
});
afterAll(() => served?.close());

describe('the dashboard routes', () => {
  it('answer the architecture with live counts', async () => {
    traces.record({ service: 'lambda', kind: 'invoke', resource: 'fn', summary: 'async attempt 1: failed (Error: x)', outcome: 'failed' });
    const body = (await (await fetch(`${served.endpoint}/_local/architecture`)).json()) as { edges: unknown; counts: unknown };
    expect(body.edges).toEqual([{ from: 'Fn', to: 'Dlq', kind: 'dead-letter' }]);
    expect(body.counts).toEqual({ Fn: { events: 1, invocations: 1, errors: 1 }, Dlq: { events: 0, invocations: 0, errors: 0, waiting: 3 } });
  });

  it('stream each hop as a Server-Sent Event as it is recorded', async () => {
    const abort = new AbortController();
    const res = await fetch(`${served.endpoint}/_local/events`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    // The stream is open once its first comment arrives; then a hop is recorded.
    while (!text.includes(': connected')) text += (await reader.read()).value ?? '';
    traces.record({ service: 'sns', kind: 'publish', resource: 'topic', summary: 'streamed hop', ids: { snsMessageId: 'm' } });
    const deadline = Date.now() + 5_000;
    while (!text.includes('streamed hop')) {
      if (Date.now() > deadline) throw new Error(`the hop never arrived on the stream; got ${JSON.stringify(text)}`);
      text += (await reader.read()).value ?? '';
    }
    const event = text.slice(text.indexOf('event: hop'));
    expect(event).toMatch(/^event: hop\ndata: \{.*"summary":"streamed hop".*\}\n\n/);
    abort.abort();
  });

  it('list traces with a limit, and refuse a bad one', async () => {
    for (let i = 0; i < 5; i++) traces.record({ service: 'sqs', kind: 'deliver', resource: 'q', summary: `n${i}` });
    const listed = (await (await fetch(`${served.endpoint}/_local/traces?limit=2`)).json()) as Array<{ summary: string }>;
    expect(listed.map((e) => e.summary)).toEqual(['n3', 'n4']);
    expect((await fetch(`${served.endpoint}/_local/traces?limit=0`)).status).toBe(400);
  });

  it('serve the page, its scripts and the layout library locally, the TypeScript compiled', async () => {
    const page = await (await fetch(`${served.endpoint}/`)).text();
    expect(page).toContain('<script type="module" src="/_local/dashboard/app.js"></script>');
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.js/);
    const journeys = await fetch(`${served.endpoint}/_local/dashboard/journeys.js`);
    expect(journeys.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await journeys.text();
    expect(code).toContain('class JourneyIndex');
    expect(code).not.toMatch(/import type|: TraceEvent/);
    expect(await (await fetch(`${served.endpoint}/_local/dashboard/app.js`)).text()).toContain("from './journeys.js'");
    const dagre = await (await fetch(`${served.endpoint}/_local/vendor/dagre.js`)).text();
    expect(dagre).toMatch(/export\{[^}]*as default/);
  });
});
