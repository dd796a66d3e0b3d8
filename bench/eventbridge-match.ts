/**
 * EventBridge pattern matching throughput: a bus with 100 rules of mixed
 * operators against realistic Lambda destination records, each event
 * arriving as JSON text. The floor parses the same text with `JSON.parse`
 * and runs a hand-written field comparison for each of the same 100 rules,
 * in interleaved rounds. One core.
 *
 * Run alone: `npx tsx bench/eventbridge-match.ts [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { compilePattern } from '../local/eventbridge/pattern.js';
import { compare, printComparison, timed, type BenchOptions } from './harness.js';

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

// Hand-written field access on parsed JSON, as a programmer would write it for one known event shape.
type Json = any;

/**
 * The same 11 kinds as {@link mixedPatterns}, written by hand as the plain
 * comparisons a programmer would write for one known rule: the floor.
 */
function handWrittenRules(): Array<(e: Json) => boolean> {
  const kinds: Array<(i: number) => (e: Json) => boolean> = [
    (i) => (e) =>
      e.source === 'lambda' &&
      typeof e['detail-type'] === 'string' &&
      e['detail-type'].startsWith('Lambda Function Invocation Result') &&
      e.detail?.requestContext?.approximateInvokeCount === i % 4,
    (i) => (e) => typeof e['detail-type'] === 'string' && e['detail-type'].endsWith(i % 2 ? 'Success' : 'Failure'),
    (i) => (e) => {
      const c = e.detail?.requestContext?.condition;
      return typeof c === 'string' && c !== 'Success' && c !== `X${i}`;
    },
    (i) => (e) => {
      const code = e.detail?.responseContext?.statusCode;
      return typeof code === 'number' && code >= 200 && code < 300 + i;
    },
    () => (e) => e.detail?.responseContext?.functionError !== undefined,
    (i) => (e) => {
      const ip = e.detail?.responsePayload?.sourceIp;
      return typeof ip === 'string' && ip.startsWith(`10.0.${i % 256}.`);
    },
    () => (e) =>
      Array.isArray(e.resources) &&
      e.resources.some((r: unknown) => typeof r === 'string' && r.startsWith('arn:aws:lambda:') && r.indexOf(':function:destined:', 15) >= 0),
    (i) => (e) => e.detail?.responsePayload?.action === 'message' || (e.detail?.requestContext?.approximateInvokeCount ?? -Infinity) > i % 3,
    () => (e) => Array.isArray(e.resources) && e.resources.includes(`${FN}:$LATEST`),
    () => (e) => typeof e['detail-type'] === 'string' && e['detail-type'].toLowerCase() === 'lambda function invocation result - success',
    () => (e) =>
      e.source === 'lambda' &&
      e.detail?.requestContext?.functionArn === `${FN}:$LATEST` &&
      e.detail?.requestContext?.condition === 'Success' &&
      e.detail?.responsePayload?.source === 'cdkpatterns.the-destined-lambda' &&
      e.detail?.responsePayload?.action === 'message',
  ];
  return Array.from({ length: 100 }, (_, i) => kinds[i % kinds.length]!(i));
}

/** Parses each event text and runs every rule on it, `passes` times; returns evaluations/s and the matches of one pass. */
function matchRound(rules: readonly ((event: object) => boolean)[], texts: readonly string[], passes: number): { perSecond: number; matched: number } {
  let matched = 0;
  const ms = (() => {
    const start = performance.now();
    for (let p = 0; p < passes; p++) {
      for (const text of texts) {
        const event = JSON.parse(text) as object;
        for (const rule of rules) if (rule(event)) matched++;
      }
    }
    return performance.now() - start;
  })();
  return { perSecond: ((passes * texts.length * rules.length) / ms) * 1000, matched: matched / passes };
}

export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const texts = Array.from({ length: 50 }, (_, i) => JSON.stringify(destinationRecord(i)));
  const compiled = mixedPatterns().map((p) => compilePattern(p));
  const mixed = compiled.map((rule) => (event: object) => rule.matches(event));
  const floor = handWrittenRules();
  // A floor that matched differently would not be the same work.
  const perRule = (rules: readonly ((e: object) => boolean)[]) => rules.map((rule) => texts.filter((t) => rule(JSON.parse(t) as object)).length);
  const floorCounts = perRule(floor);
  const disagree = perRule(mixed)
    .map((count, i) => [i, count, floorCounts[i]] as const)
    .filter(([, a, b]) => a !== b);
  if (disagree.length > 0) throw new Error(`hand-written floor disagrees with the matcher on rules ${disagree.map(([i]) => i).join(', ')}`);

  const passes = options.quick ? 20 : 100;
  let matchedShare = 0;
  await timed(() => matchRound(mixed, texts, 5)); // JIT warm-up beyond the harness's own round
  const result = await compare({
    name: `100-rule bus, 50 destination records as JSON text, ${passes} passes per round`,
    unit: 'evaluations/s',
    rounds: options.quick ? 5 : 15,
    floor: { label: 'JSON.parse + hand-written comparisons', round: () => matchRound(floor, texts, passes).perSecond },
    measured: {
      label: 'JSON.parse + compiled patterns',
      round: () => {
        const r = matchRound(mixed, texts, passes);
        matchedShare = r.matched / (texts.length * mixed.length);
        return r.perSecond;
      },
    },
  });
  printComparison(result);
  // A bus where nothing matches would measure only early exits; show the share that did match.
  console.log(`  matched: ${(100 * matchedShare).toFixed(1)}% of event-rule pairs, the same on both sides`);
  console.log(`  target >= 200,000 evaluations/s: ${result.measured.median >= 200_000 ? 'met' : 'NOT met'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ quick: process.argv.includes('--quick') });
