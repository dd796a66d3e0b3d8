/**
 * The whole pipeline as a user feels it: GET /prod/SendEvent, then wait
 * until the success logger has logged that messageId (API Gateway -> SNS ->
 * async Lambda -> destination -> EventBridge -> logger Lambda -> logs). The
 * peer is a bare `node:http` server answering the same GET, in interleaved
 * rounds at concurrency 1, 8 and 32: the ratio is completions/s over the
 * bare server's requests/s. GET p50/p99 are printed for both.
 *
 * The runtime runs in this process on the cached test assembly, synthesized
 * with the stage throttle raised through context (context only applies when
 * synthesizing), so API Gateway's 429s do not cap the figure.
 *
 * Run alone: `npx tsx bench/pipeline.ts [--quick]`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { startRuntime, type LocalRuntime } from '../local/runtime.js';
import { chainClients, logGroupOf } from '../scripts/chain-api.js';
import { assemblyForTests, repoRoot } from '../test/support/local-runtime.js';
import { compare, formatFigure, percentile, printComparison, type BenchOptions } from './harness.js';

/** High enough that the stage throttle never answers 429 at concurrency 32 on one machine. */
const CONTEXT = { throttlingRateLimit: '100000', throttlingBurstLimit: '5000' };
/** An event not logged by then counts as lost, and the bench says so. */
const COMPLETION_DEADLINE_MS = 60_000;
/**
 * The SNS message id in the success logger's line (the destination record's `Sns.MessageId`). Any UUID
 * would also catch the request, event and subscription ids (7 more per event), each kept in `early`
 * for good: the watcher's own cost, charged to the measured arm only (~11 µs per event against ~1 µs).
 */
const MESSAGE_ID = /"MessageId":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g;

/** Answers the GET as the API does, with a fresh messageId, and nothing else. */
async function bareServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ messageId: randomUUID() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/SendEvent`, server };
}

/** Resolves a messageId's waiter when the success logger's group receives a line naming it. */
class SuccessWatch {
  private readonly waiting = new Map<string, () => void>();
  /** Ids logged before their GET's response was read. */
  private readonly early = new Set<string>();
  readonly unsubscribe: () => void;

  constructor(runtime: LocalRuntime, group: string) {
    this.unsubscribe = runtime.services.logs.subscribe((logGroup, _stream, events) => {
      if (logGroup !== group) return;
      for (const event of events) {
        for (const [, id] of event.message.matchAll(MESSAGE_ID)) {
          const resolve = this.waiting.get(id);
          if (resolve) {
            this.waiting.delete(id);
            resolve();
          } else {
            this.early.add(id);
          }
        }
      }
    });
  }

  /** True when logged within the deadline. */
  logged(messageId: string): Promise<boolean> {
    if (this.early.delete(messageId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(messageId);
        resolve(false);
      }, COMPLETION_DEADLINE_MS);
      this.waiting.set(messageId, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

interface RoundStats {
  readonly getMs: number[];
  lost: number;
  failedGets: number;
}

/** `total` requests shared by `concurrency` callers; each completes when `complete` resolves. Returns completions/s. */
async function round(url: string, total: number, concurrency: number, stats: RoundStats, complete: (messageId: string) => Promise<boolean>): Promise<number> {
  let next = 0;
  let completed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const sent = performance.now();
        const response = await fetch(url);
        const body = (await response.json()) as { messageId?: string; MessageId?: string };
        stats.getMs.push(performance.now() - sent);
        const id = body.messageId ?? body.MessageId;
        if (response.status !== 200 || id === undefined) {
          stats.failedGets++;
          continue;
        }
        if (await complete(id)) completed++;
        else stats.lost++;
      }
    }),
  );
  return (completed / (performance.now() - start)) * 1000;
}

export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const setup = performance.now();
  const assembly = await assemblyForTests(CONTEXT);
  const runtime = await startRuntime({ projectDir: repoRoot, assembly, port: 0 });
  const bare = await bareServer();
  const clients = chainClients(runtime.endpoint);
  try {
    const outputs = Object.fromEntries(runtime.stack.outputs.map((o) => [o.OutputKey, o.OutputValue]));
    const url = outputs.SendEventUrl!;
    const watch = new SuccessWatch(runtime, await logGroupOf(clients, outputs.SuccessLoggerFunctionName!));
    console.log(`runtime ready on the cached assembly in ${((performance.now() - setup) / 1000).toFixed(1)} s`);
    // A round of the bare server at 8 or 32 must last long enough to be a measure: 200 requests at
    // ~3,500/s took 57 ms, and its median swung from 2,300 to 4,500/s between runs.
    const plan: Array<[concurrency: number, perRound: number]> = options.quick
      ? [[1, 10], [8, 40], [32, 64]]
      : [[1, 100], [8, 1000], [32, 2000]];
    for (const [concurrency, perRound] of plan) {
      const floorStats: RoundStats = { getMs: [], lost: 0, failedGets: 0 };
      const stats: RoundStats = { getMs: [], lost: 0, failedGets: 0 };
      const result = await compare({
        name: `concurrency ${concurrency}, ${perRound} events per round (targets: >= 0.25x at 8, >= 0.15x at 32)`,
        unit: 'completions/s',
        rounds: options.quick ? 3 : 7,
        floor: { label: 'bare node:http GET', round: () => round(bare.url, perRound, concurrency, floorStats, async () => true) },
        measured: { label: 'SendEvent until logged', round: () => round(url, perRound, concurrency, stats, (id) => watch.logged(id)) },
      });
      printComparison(result);
      const p = (values: number[], q: number) => (values.length ? formatFigure(percentile(values, q)) : 'n/a');
      console.log(`  GET latency: runtime p50 ${p(stats.getMs, 0.5)} ms, p99 ${p(stats.getMs, 0.99)} ms; bare p50 ${p(floorStats.getMs, 0.5)} ms, p99 ${p(floorStats.getMs, 0.99)} ms${concurrency === 8 ? ' (targets at 8: p50 < 5 ms, p99 < 30 ms)' : ''}`);
      // Warm-up rounds count here too: a lost event is a lost event.
      console.log(`  not logged within ${COMPLETION_DEADLINE_MS / 1000} s: ${stats.lost}; GETs not answered 200 with a messageId: ${stats.failedGets}`);
    }
    watch.unsubscribe();
  } finally {
    clients.cloudFormation.destroy();
    clients.lambda.destroy();
    clients.logs.destroy();
    await new Promise((resolve) => bare.server.close(resolve));
    await runtime.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ quick: process.argv.includes('--quick') });
