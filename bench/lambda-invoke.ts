/**
 * Warm `RequestResponse` invoke through FunctionPool (and the whole
 * LambdaService path) against the floor of a bare child_process IPC
 * round-trip, in interleaved rounds of the same run.
 * Run alone: `npx tsx bench/lambda-invoke.ts [--quick]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FunctionPool, type FunctionConfig } from '../local/lambda/environments.js';
import { LambdaService } from '../local/lambda/service.js';
import { createClock } from '../local/clock.js';
import { compare, median, printComparison, timed, type BenchOptions } from './harness.js';
import { CaptureSinks, fn, makeStack } from '../test/local/lambda/helpers.js';
import { fixtureConfig, fixtureDir, MemoryLogs } from '../test/local/lambda/environments-helpers.js';

// ------------------------------------------------------------------ floor: bare IPC echo

function echoChild(): ChildProcess {
  const file = path.join(os.tmpdir(), 'destined-lambda-bench-echo.mjs');
  writeFileSync(file, "process.on('message', (m) => process.send({ t: 'r', id: m.id, p: '{\"ok\":true}' }));\n");
  return fork(file, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
}

/** One persistent listener per child, as the pool has: only the round-trip itself is measured. */
function roundTripper(child: ChildProcess): (id: string) => Promise<void> {
  let waiting: (() => void) | undefined;
  child.on('message', () => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.();
  });
  return (id) =>
    new Promise<void>((resolve) => {
      waiting = resolve;
      child.send({ t: 'i', id, p: '{}', d: 0 });
    });
}

// ------------------------------------------------------------------ FunctionPool

function config(): FunctionConfig {
  return fixtureConfig('trivial', { timeoutSeconds: 3 });
}

/** Median latency (ms) of `n` sequential calls: one round's figure. */
async function sequentialRound(n: number, call: (i: number) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await timed(() => call(i)));
  return median(times);
}

/** Calls per second with `workers` callers sharing `n` calls: one round's figure. */
async function throughputRound(n: number, workers: readonly ((i: number) => Promise<void>)[]): Promise<number> {
  let next = 0;
  const ms = await timed(() =>
    Promise.all(
      workers.map(async (call) => {
        while (next < n) await call(next++);
      }),
    ),
  );
  return (n / ms) * 1000;
}

async function pooledInvoke(pool: FunctionPool): Promise<void> {
  // A failure would flatter the pool: every counted invocation must have succeeded.
  const result = await pool.invoke('{}');
  if (!result.ok) throw new Error(`bench handler failed: ${result.payload}`);
}

/** Prints each comparison with its ratio to the floor. */
export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const batch = options.quick ? 200 : 1_000;
  const rounds = options.quick ? 5 : 15;
  const throughputBatch = options.quick ? 1_000 : 5_000;
  const throughputRounds = options.quick ? 3 : 9;

  // Everything stays warm across rounds: cold starts are not what this measures.
  const echo = echoChild();
  const bareTrip = roundTripper(echo);
  const pool = new FunctionPool(config(), { logs: new MemoryLogs(), maxEnvironments: 1 });
  const stack = makeStack([fn('bench', { MemorySize: 128, Timeout: 3 })], fixtureDir('trivial'));
  // The whole RequestResponse path a caller takes inside the runtime: function resolution, payload checks, the pool, log lines.
  const service = LambdaService.fromStack(stack, { sinks: new CaptureSinks(), logs: new MemoryLogs(), clock: createClock(1), maxEnvironments: 1 });
  const echoes = [echoChild(), echoChild()];
  const bareTrips = echoes.map(roundTripper);
  const pool2 = new FunctionPool(config(), { logs: new MemoryLogs(), maxEnvironments: 2 });
  try {
    const floor = { label: 'bare IPC round-trip', round: () => sequentialRound(batch, (i) => bareTrip(String(i))) };
    printComparison(
      await compare({
        name: `warm invoke latency, median of ${batch} sequential invokes per round, ${rounds} rounds`,
        unit: 'ms',
        rounds,
        floor,
        measured: { label: 'FunctionPool.invoke', round: () => sequentialRound(batch, () => pooledInvoke(pool)) },
      }),
    );
    printComparison(
      await compare({
        name: `the same through LambdaService.invoke (target: overhead <= 2 ms over the floor)`,
        unit: 'ms',
        rounds,
        floor,
        measured: {
          label: 'LambdaService.invoke',
          round: () =>
            sequentialRound(batch, async () => {
              const result = await service.invoke('bench', '{}', 'RequestResponse');
              if (result.functionError) throw new Error(`bench handler failed: ${result.payload}`);
            }),
        },
      }),
    );
    printComparison(
      await compare({
        name: `throughput, 2 warm environments, ${throughputBatch} invokes per round, ${throughputRounds} rounds (target >= 2000/s)`,
        unit: 'calls/s',
        rounds: throughputRounds,
        floor: { label: 'bare IPC, 2 children', round: () => throughputRound(throughputBatch, bareTrips.map((trip) => (i: number) => trip(String(i)))) },
        measured: { label: 'FunctionPool, cap 2', round: () => throughputRound(throughputBatch, [() => pooledInvoke(pool2), () => pooledInvoke(pool2)]) },
      }),
    );
  } finally {
    echo.kill();
    for (const child of echoes) child.kill();
    await Promise.all([pool.dispose(), pool2.dispose(), service.dispose()]);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await run({ quick: process.argv.includes('--quick') });
}
