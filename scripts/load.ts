/**
 * `npm run load -- [--requests N] [--concurrency C] [--chaos] [--in-memory]`:
 * a bounded load run against the local runtime, on loopback only. Sends N
 * GET /prod/SendEvent (80% success, 20% mode=fail) at concurrency C with the
 * stage throttle raised, optionally kills (SIGKILL) and restarts the runtime
 * once in the middle, then accounts for every accepted messageId through
 * FilterLogEvents: one success-logger event per success, one failure-logger
 * event per failure with invoke count 3, lost 0, duplicates counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chainClients, filterAllLogEvents, loggedEvent } from './chain-api.js';
import { assemblyForTests } from '../test/support/local-runtime.js';
import { startCli, type CliProcess } from '../test/support/cli-process.js';
import { percentile } from '../bench/harness.js';
import { treeRss } from '../bench/process-tree.js';

const STACK = 'TheDestinedLambdaStack';
const USAGE = `Usage: npm run load -- [--requests N] [--concurrency C] [--chaos] [--in-memory] [--time-scale F]

  --requests N     requests to send (default 5000)
  --concurrency C  requests in flight at once (default 50)
  --chaos          kill -9 the runtime once half the requests are sent, then restart it on the same state
  --in-memory      run the runtime without durable state (loss expected with --chaos)
  --time-scale F   the runtime's --time-scale (default 1/600: retries after 0.1 s and 0.2 s)
  --settle S       give the chain up to S seconds to deliver after the last request (default 120)`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        requests: { type: 'string' },
        concurrency: { type: 'string' },
        chaos: { type: 'boolean' },
        'in-memory': { type: 'boolean' },
        'time-scale': { type: 'string' },
        settle: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const int = (name: string, text: string | undefined, fallback: number) => {
      const value = text === undefined ? fallback : Number(text);
      if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
      return value;
    };
    return {
      requests: int('requests', values.requests, 5_000),
      concurrency: int('concurrency', values.concurrency, 50),
      chaos: values.chaos ?? false,
      inMemory: values['in-memory'] ?? false,
      timeScale: values['time-scale'] ?? '1/600',
      settleMs: int('settle', values.settle, 120) * 1000,
    };
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const opts = options();
  const context = { throttlingRateLimit: '100000', throttlingBurstLimit: '100000' };
  console.log('Preparing the cloud assembly (cached after the first run)...');
  const assembly = await assemblyForTests(context);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tdl-load-'));
  const args = [
    '--assembly', assembly, '--port', '0', '--host', '127.0.0.1', '--time-scale', opts.timeScale,
    ...(opts.inMemory ? ['--in-memory'] : ['--state', stateDir]),
  ];
  let runtime: CliProcess = await startCli(args);
  const before = treeRss(runtime.child.pid!);
  const since = Date.now() - 1_000;

  type Sent = { messageId: string; fail: boolean };
  const accepted: Sent[] = [];
  const latencies: number[] = [];
  let rejected = 0;
  const rejections = new Map<string, number>();
  const reject = (why: string) => {
    rejected += 1;
    rejections.set(why, (rejections.get(why) ?? 0) + 1);
  };
  let next = 0;
  let restarting: Promise<void> | undefined;
  let restarted = false;

  const worker = async () => {
    for (;;) {
      if (restarting) await restarting;
      const i = next++;
      if (i >= opts.requests) return;
      if (opts.chaos && !restarted && i === Math.floor(opts.requests / 2)) {
        restarted = true;
        restarting = (async () => {
          console.log(`chaos: kill -9 the runtime (pid ${runtime.child.pid}) after ${i} requests, then restart it`);
          runtime.child.kill('SIGKILL');
          await runtime.exited;
          runtime = await startCli(args);
          console.log(runtime.out().split('\n').find((l) => l.startsWith('resumed')) ?? 'restarted (nothing resumed)');
        })();
        await restarting;
        restarting = undefined;
      }
      const fail = i % 5 === 4;
      const started = performance.now();
      try {
        const response = await fetch(`${runtime.sendEventUrl}${fail ? '?mode=fail' : ''}`);
        const body = (await response.json()) as { messageId?: string };
        latencies.push(performance.now() - started);
        if (response.status === 200 && body.messageId) accepted.push({ messageId: body.messageId, fail });
        else reject(`HTTP ${response.status}`);
      } catch (error) {
        // Cut off by the kill: never accepted, so never owed.
        reject((error as Error).message);
      }
    }
  };
  const sendStart = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const sendSeconds = (performance.now() - sendStart) / 1000;

  // Account for every accepted message through the AWS API, as a user would.
  const clients = chainClients(runtime.endpoint);
  const seen = { success: new Map<string, number>(), failure: new Map<string, number>() };
  const wrongCount: string[] = [];
  const deadline = Date.now() + opts.settleMs;
  const owed = () => accepted.filter((a) => !(a.fail ? seen.failure : seen.success).has(a.messageId)).length;
  let lastOwed = Infinity;
  let stalledSince = Date.now();
  for (;;) {
    for (const kind of ['success', 'failure'] as const) {
      const group = `/aws/lambda/${STACK}-${kind}-logger`;
      const counts = new Map<string, number>();
      for (const e of await filterAllLogEvents(clients, group, '"destination event"', since)) {
        const event = loggedEvent(e.message ?? '');
        const id = event?.detail?.requestPayload?.Records?.[0]?.Sns?.MessageId as string | undefined;
        if (!id) continue;
        counts.set(id, (counts.get(id) ?? 0) + 1);
        if (kind === 'failure' && event!.detail.requestContext?.approximateInvokeCount !== 3 && !wrongCount.includes(id)) wrongCount.push(id);
      }
      seen[kind] = counts;
    }
    const left = owed();
    if (left === 0 || Date.now() > deadline) break;
    if (left < lastOwed) {
      lastOwed = left;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 30_000) {
      break; // no progress for 30 s: what is left is lost
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const after = treeRss(runtime.child.pid!);

  const delivered = accepted.length - owed();
  let duplicated = 0;
  for (const a of accepted) duplicated += Math.max(0, ((a.fail ? seen.failure : seen.success).get(a.messageId) ?? 0) - 1);
  const latency = (p: number) => (latencies.length > 0 ? percentile(latencies, p).toFixed(1) : 'none');
  const rows: [string, string][] = [
    ['sent', String(opts.requests)],
    ['accepted', String(accepted.length)],
    ['rejected (incl. cut off by --chaos)', String(rejected)],
    ['delivered', String(delivered)],
    ['lost', String(accepted.length - delivered)],
    ['duplicated', String(duplicated)],
    ['failure events with invoke count != 3', String(wrongCount.length)],
    ['send rate (req/s)', (opts.requests / sendSeconds).toFixed(0)],
    ['GET p50 latency (ms)', latency(0.5)],
    ['GET p99 latency (ms)', latency(0.99)],
    ['RSS before / after (MB)', `${Math.round(before.mb)} / ${Math.round(after.mb)}`],
    ['processes before / after', `${before.processes} / ${after.processes}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nload: ${opts.requests} requests, concurrency ${opts.concurrency}${opts.chaos ? ', chaos' : ''}${opts.inMemory ? ', in memory' : ', durable state'}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v.padStart(12)}`);
  for (const [why, count] of rejections) console.log(`  rejected: ${count} x ${why}`);

  runtime.child.kill('SIGINT');
  await runtime.exited;
  rmSync(stateDir, { recursive: true, force: true });
  return accepted.length - delivered === 0 && wrongCount.length === 0 ? 0 : 1;
}

process.exitCode = await main();
