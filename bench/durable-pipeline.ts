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

const quick = process.argv.includes('--quick');
const EVENTS = quick ? 40 : 400;
const ROUNDS = quick ? 2 : 5;
const CONCURRENCY = 8;
const CONTEXT = { throttlingRateLimit: '100000', throttlingBurstLimit: '100000' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Completions/s of `events` sends at the given concurrency, counted at the success logger. */
async function round(runtime: LocalRuntime, events: number): Promise<number> {
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
        const body = (await (await fetch(url)).json()) as { messageId: string };
        pending.add(body.messageId);
        sent += 1;
      }
    }),
  );
  if (pending.size > 0) await finished;
  unsubscribe();
  return events / ((performance.now() - start) / 1000);
}

export async function run(): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tdl-bench-state-'));
  // AWS minutes of 50 ms: only the successful path is measured, so no retry waits.
  const durable = await startLocalForTests({ context: CONTEXT, state: { dir: stateDir } });
  const memory = await startLocalForTests({ context: CONTEXT });
  try {
    // Warm both: environments started, JIT settled.
    await round(durable, 20);
    await round(memory, 20);
    const results = { durable: [] as number[], memory: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      results.memory.push(await round(memory, EVENTS));
      results.durable.push(await round(durable, EVENTS));
    }
    const spread = (v: number[]) => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
    console.log(`pipeline completions/s at concurrency ${CONCURRENCY}, ${EVENTS} events x ${ROUNDS} rounds, interleaved`);
    console.log(`  in memory : median ${median(results.memory).toFixed(1)}  (spread ${spread(results.memory)})`);
    console.log(`  durable   : median ${median(results.durable).toFixed(1)}  (spread ${spread(results.durable)})`);
    console.log(`  durable / in memory = ${(median(results.durable) / median(results.memory)).toFixed(2)}`);
  } finally {
    await durable.stop();
    await memory.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
