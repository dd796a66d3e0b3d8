/**
 * The whole pipeline (GET /prod/SendEvent until the success logger has
 * logged the event) with durable state against the same runtime with
 * `--in-memory`, interleaved A B A B in one run, so durability's cost is a
 * ratio measured under the same machine load.
 * Run alone: `npx tsx bench/durable-pipeline.ts [--quick]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LocalRuntime } from '../local/runtime.js';
import { startLocalForTests } from '../test/support/local-runtime.js';
import { compare, formatFigure, percentile, printComparison, type BenchOptions } from './harness.js';

const CONCURRENCY = 8;
const CONTEXT = { throttlingRateLimit: '100000', throttlingBurstLimit: '100000' };

/** Completions/s of `events` sends at the given concurrency, counted at the success logger; each GET's latency goes to `getMs`. */
async function round(runtime: LocalRuntime, events: number, getMs: number[]): Promise<number> {
  const url = runtime.stack.outputs.find((o) => o.OutputKey === 'SendEventUrl')!.OutputValue;
  const group = runtime.services.logs.logGroupNames().find((g) => g.endsWith('-success-logger'))!;
  const pending = new Set<string>();
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let sent = 0;
  const unsubscribe = runtime.services.logs.subscribe((logGroup, _stream, batch) => {
    if (logGroup !== group) return;
    for (const e of batch) {
      for (const id of pending) {
        if (e.message.includes(id)) {
          pending.delete(id);
          break;
        }
      }
    }
    if (sent === events && pending.size === 0) done();
  });
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < events) {
        next += 1;
        const asked = performance.now();
        const body = (await (await fetch(url)).json()) as { messageId: string };
        getMs.push(performance.now() - asked);
        pending.add(body.messageId);
        sent += 1;
      }
    }),
  );
  if (pending.size > 0) await finished;
  unsubscribe();
  return events / ((performance.now() - start) / 1000);
}

export async function run(options: BenchOptions = { quick: process.argv.includes('--quick') }): Promise<void> {
  const events = options.quick ? 40 : 400;
  const rounds = options.quick ? 2 : 5;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tdl-bench-state-'));
  // Only the successful path is measured, so no retry waits.
  const durable = await startLocalForTests({ context: CONTEXT, state: { dir: stateDir } });
  const memory = await startLocalForTests({ context: CONTEXT });
  try {
    console.log(`pipeline completions/s at concurrency ${CONCURRENCY}, ${events} events per round, ${rounds} rounds, interleaved:`);
    const memoryGets: number[] = [];
    const durableGets: number[] = [];
    printComparison(
      await compare({
        name: 'durability cost (target: durable >= 0.7x in memory)',
        unit: 'completions/s',
        floor: { label: '--in-memory', round: () => round(memory, events, memoryGets) },
        measured: { label: 'durable state (SQLite)', round: () => round(durable, events, durableGets) },
        rounds,
      }),
    );
    const p = (values: number[], q: number) => formatFigure(percentile(values, q));
    console.log(`  GET latency: durable p50 ${p(durableGets, 0.5)} ms, p99 ${p(durableGets, 0.99)} ms; in memory p50 ${p(memoryGets, 0.5)} ms, p99 ${p(memoryGets, 0.99)} ms`);
  } finally {
    await durable.stop();
    await memory.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
