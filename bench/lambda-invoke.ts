/**
 * Warm `RequestResponse` invoke through FunctionPool against the floor of a
 * bare child_process IPC round-trip measured in the same run.
 * Run alone: `npx tsx bench/lambda-invoke.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { FunctionPool, type FunctionConfig } from '../local/lambda/environments.js';
import { LambdaService } from '../local/lambda/service.js';
import { createClock } from '../local/clock.js';
import { CaptureSinks, fn, makeStack } from '../test/local/lambda/helpers.js';
import { fixtureConfig, fixtureDir, MemoryLogs } from '../test/local/lambda/environments-helpers.js';

const SEQUENTIAL = 2_000;
const THROUGHPUT = 10_000;
const WARMUP = 300;


function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

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

async function bareSequential(n: number): Promise<number[]> {
  const child = echoChild();
  const roundTrip = roundTripper(child);
  const times: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const start = performance.now();
    await roundTrip(String(i));
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  child.kill();
  return times;
}

async function bareThroughput(n: number, workers: number): Promise<number> {
  const children = Array.from({ length: workers }, echoChild);
  const trippers = children.map(roundTripper);
  for (const roundTrip of trippers) await roundTrip('warm');
  let next = 0;
  const start = performance.now();
  await Promise.all(
    trippers.map(async (roundTrip) => {
      while (next < n) await roundTrip(String(next++));
    }),
  );
  const rate = n / ((performance.now() - start) / 1000);
  for (const child of children) child.kill();
  return rate;
}

// ------------------------------------------------------------------ FunctionPool

function config(): FunctionConfig {
  return fixtureConfig('trivial', { timeoutSeconds: 3 });
}

async function poolSequential(n: number): Promise<number[]> {
  const pool = new FunctionPool(config(), { logs: new MemoryLogs(), maxEnvironments: 1 });
  const times: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const start = performance.now();
    const result = await pool.invoke('{}');
    if (!result.ok) throw new Error(`bench handler failed: ${result.payload}`);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  await pool.dispose();
  return times;
}

async function poolThroughput(n: number, workers: number): Promise<number> {
  const pool = new FunctionPool(config(), { logs: new MemoryLogs(), maxEnvironments: workers });
  // Warm both environments first: cold starts are not what this measures.
  await Promise.all(Array.from({ length: workers }, () => pool.invoke('{}')));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < n) {
        next++;
        // A rate of failures would flatter the pool: every counted invocation must have succeeded.
        const result = await pool.invoke('{}');
        if (!result.ok) throw new Error(`bench handler failed: ${result.payload}`);
      }
    }),
  );
  const rate = n / ((performance.now() - start) / 1000);
  await pool.dispose();
  return rate;
}

/**
 * The whole RequestResponse path a caller takes inside the runtime: function
 * resolution, payload checks, the pool, the invocation's log lines.
 */
async function serviceSequential(n: number): Promise<number[]> {
  const stack = makeStack([fn('bench', { MemorySize: 128, Timeout: 3 })], fixtureDir('trivial'));
  const service = LambdaService.fromStack(stack, { sinks: new CaptureSinks(), logs: new MemoryLogs(), clock: createClock(1), maxEnvironments: 1 });
  const times: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const start = performance.now();
    const result = await service.invoke('bench', '{}', 'RequestResponse');
    if (result.functionError) throw new Error(`bench handler failed: ${result.payload}`);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  await service.dispose();
  return times;
}

/** Prints the measurements and the ratios to their floors. */
export async function run(): Promise<void> {
  await bareSequential(WARMUP); // warms the parent's JIT for both paths
  const bare = await bareSequential(SEQUENTIAL);
  const pooled = await poolSequential(SEQUENTIAL);
  const serviced = await serviceSequential(SEQUENTIAL);
  const bareMedian = median(bare);
  const poolMedian = median(pooled);
  const bareRate = await bareThroughput(THROUGHPUT, 2);
  const poolRate = await poolThroughput(THROUGHPUT, 2);
  const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(`warm invoke latency, ${SEQUENTIAL} sequential invokes (after ${WARMUP} warm-up):`);
  console.log(`  bare IPC round-trip (floor)   median ${fmt(bareMedian)}  p99 ${fmt(percentile(bare, 0.99))}`);
  console.log(`  FunctionPool.invoke           median ${fmt(poolMedian)}  p99 ${fmt(percentile(pooled, 0.99))}`);
  console.log(
    `  overhead over floor           ${fmt(poolMedian - bareMedian)}  (ratio ${(poolMedian / bareMedian).toFixed(2)}x)`,
  );
  const serviceMedian = median(serviced);
  console.log(`  LambdaService.invoke          median ${fmt(serviceMedian)}  p99 ${fmt(percentile(serviced, 0.99))}`);
  console.log(
    `  overhead over floor           ${fmt(serviceMedian - bareMedian)}  (ratio ${(serviceMedian / bareMedian).toFixed(2)}x; target: overhead <= 2 ms)`,
  );
  console.log(`throughput, 2 warm environments, ${THROUGHPUT} invokes:`);
  console.log(`  bare IPC, 2 children (floor)  ${bareRate.toFixed(0)} round-trips/s`);
  console.log(
    `  FunctionPool, cap 2           ${poolRate.toFixed(0)} invocations/s  (ratio ${(poolRate / bareRate).toFixed(2)} of floor; target >= 2000/s)`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await run();
}
