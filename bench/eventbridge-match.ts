/**
 * EventBridge pattern matching throughput: a bus with 100 rules of mixed
 * operators against realistic Lambda destination records, compared with
 * 100 trivial `{source: [...]}` rules in the same run. One core.
 *
 * Run alone: `npx tsx bench/eventbridge-match.ts`.
 */
import { pathToFileURL } from 'node:url';
import { compilePattern, type CompiledPattern } from '../local/eventbridge/pattern.js';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:destined';

function destinationRecord(i: number): object {
  const success = i % 3 !== 0;
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    'detail-type': `Lambda Function Invocation Result - ${success ? 'Success' : 'Failure'}`,
    source: 'lambda',
    account: '000000000000',
    time: '2026-11-26T00:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:000000000000:event-bus/the-destined-lambda', `${FN}:$LATEST`],
    detail: {
      version: '1.0',
      timestamp: '2026-11-26T00:00:00.000Z',
      requestContext: {
        requestId: `req-${i}`,
        functionArn: `${FN}:$LATEST`,
        condition: success ? 'Success' : i % 2 ? 'RetriesExhausted' : 'EventAgeExceeded',
        approximateInvokeCount: (i % 3) + 1,
      },
      requestPayload: { Records: [{ Sns: { Message: `{"message":"m${i}"}`, MessageId: `mid-${i}` } }] },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(success ? {} : { functionError: 'Unhandled' }) },
      responsePayload: success
        ? { source: 'cdkpatterns.the-destined-lambda', action: 'message', message: `m${i}`, sourceIp: `10.0.${i % 256}.7` }
        : { errorType: 'Error', errorMessage: 'Intentional failure', trace: ['at handler'] },
    },
  };
}

function mixedPatterns(): object[] {
  const kinds: Array<(i: number) => object> = [
    (i) => ({ source: ['lambda'], 'detail-type': [{ prefix: 'Lambda Function Invocation Result' }], detail: { requestContext: { approximateInvokeCount: [i % 4] } } }),
    (i) => ({ 'detail-type': [{ suffix: i % 2 ? 'Success' : 'Failure' }] }),
    (i) => ({ detail: { requestContext: { condition: [{ 'anything-but': ['Success', `X${i}`] }] } } }),
    (i) => ({ detail: { responseContext: { statusCode: [{ numeric: ['>=', 200, '<', 300 + i] }] } } }),
    () => ({ detail: { responseContext: { functionError: [{ exists: true }] } } }),
    (i) => ({ detail: { responsePayload: { sourceIp: [{ cidr: `10.0.${i % 256}.0/24` }] } } }),
    () => ({ resources: [{ wildcard: 'arn:aws:lambda:*:function:destined:*' }] }),
    (i) => ({ detail: { $or: [{ responsePayload: { action: ['message'] } }, { requestContext: { approximateInvokeCount: [{ numeric: ['>', i % 3] }] } }] } }),
    () => ({ resources: [`${FN}:$LATEST`] }),
    () => ({ 'detail-type': [{ 'equals-ignore-case': 'lambda function invocation result - success' }] }),
    () => ({ source: ['lambda'], detail: { requestContext: { functionArn: [`${FN}:$LATEST`], condition: ['Success'] }, responsePayload: { source: ['cdkpatterns.the-destined-lambda'], action: ['message'] } } }),
  ];
  return Array.from({ length: 100 }, (_, i) => kinds[i % kinds.length]!(i));
}

function measure(
  rules: readonly CompiledPattern[],
  events: readonly object[],
  minMs: number,
): { perSecond: number; matched: number; evaluations: number } {
  let evaluations = 0;
  let matched = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const event of events) {
      for (const rule of rules) if (rule.matches(event)) matched++;
      evaluations += rules.length;
    }
    elapsed = performance.now() - start;
  }
  return { perSecond: (evaluations / elapsed) * 1000, matched, evaluations };
}

export async function run(): Promise<void> {
  const events = Array.from({ length: 50 }, (_, i) => destinationRecord(i));
  const mixed = mixedPatterns().map((p) => compilePattern(p));
  const trivial = Array.from({ length: 100 }, (_, i) => compilePattern({ source: [i === 0 ? 'lambda' : `source-${i}`] }));
  // Warm up the JIT on both sets before timing.
  measure(mixed, events, 300);
  measure(trivial, events, 300);
  const m = measure(mixed, events, 2000);
  const t = measure(trivial, events, 2000);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`mixed 100-rule bus:   ${fmt(m.perSecond)} event-rule evaluations/s (target >= 200,000)`);
  console.log(`trivial 100-rule bus: ${fmt(t.perSecond)} event-rule evaluations/s (baseline)`);
  console.log(`mixed / trivial:      ${(m.perSecond / t.perSecond).toFixed(2)}x`);
  // A bus where nothing matches would measure only early exits; show the share that did match.
  console.log(`matched:              ${((100 * m.matched) / m.evaluations).toFixed(1)}% mixed, ${((100 * t.matched) / t.evaluations).toFixed(1)}% trivial`);
  console.log(`target met:           ${m.perSecond >= 200_000 ? 'yes' : 'NO'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
