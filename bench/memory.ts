/**
 * Memory of the whole process tree of `npm start` (the runtime and every
 * execution environment) under the pipeline at concurrency 32: the runtime
 * runs as its own process, served from the cached test assembly with durable
 * state as `npm start` keeps it, and this process sends GET /prod/SendEvent
 * with at most 32 events between the GET and the success logger. The tree's
 * resident memory (summed from /proc) is sampled each second: its peak, then
 * the figure once the idle environments have been reaped. Target: at most
 * 600 MB after 20,000 events.
 *
 * Not interleaved with a floor: the figure is a budget, not a ratio.
 * Run alone: `npx tsx bench/memory.ts [--quick] [--events N]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assemblyForTests, repoRoot } from '../test/support/local-runtime.js';
import { formatFigure, type BenchOptions } from './harness.js';
import { treeRss } from './process-tree.js';

const CONTEXT = { throttlingRateLimit: '100000', throttlingBurstLimit: '100000' };
const CONCURRENCY = 32;
const TARGET_MB = 600;
/** Idle environments are stopped after this long (the CLI's --idle-env-seconds), so the reaped figure comes soon. */
const IDLE_ENV_SECONDS = 10;
/** No completion for this long means the pipeline stalled: the bench says so instead of hanging. */
const STALL_MS = 60_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Metrics {
  readonly functions: Record<string, { invocations: number; environments: number }>;
}

async function metrics(endpoint: string): Promise<Metrics> {
  return (await (await fetch(`${endpoint}/_local/metrics`)).json()) as Metrics;
}

export async function run(options: BenchOptions = { quick: false }, events = options.quick ? 2_000 : 20_000): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('skipped: the process tree is read from /proc (Linux only)');
    return;
  }
  const assembly = await assemblyForTests(CONTEXT);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tdl-bench-memory-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/cli.ts', '--assembly', assembly, '--port', String(port), '--state', stateDir, '--idle-env-seconds', String(IDLE_ENV_SECONDS)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let peak = { mb: 0, processes: 0 };
  const sampler = setInterval(() => {
    const now = treeRss(child.pid!);
    if (now.mb > peak.mb) peak = now;
  }, 1_000);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the runtime exited at start-up:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the runtime was not ready within 120 s:\n${output}`);
      const ok = await fetch(`${endpoint}/_local/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const functionNames = Object.keys((await metrics(endpoint)).functions);
    const logger = functionNames.find((name) => /success-?logger/i.test(name));
    if (!logger) throw new Error(`no success logger among ${functionNames.join(', ')}`);
    const atStart = treeRss(child.pid!);
    console.log(`runtime ready: ${formatFigure(atStart.mb)} MB in ${atStart.processes} processes before any event`);

    // Completions are the success logger's invocations, polled: at most CONCURRENCY events are between GET and log.
    let completed = 0;
    const before = (await metrics(endpoint)).functions[logger]!.invocations;
    let lastProgress = Date.now();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const now = (await metrics(endpoint)).functions[logger]!.invocations - before;
        if (now > completed) lastProgress = Date.now();
        completed = now;
        if (Date.now() - lastProgress > STALL_MS) throw new Error(`no event reached the success logger for ${STALL_MS / 1000} s (${completed} of ${events})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const url = `${endpoint}/prod/SendEvent`;
    let next = 0;
    let failed = 0;
    const started = performance.now();
    const senders = Array.from({ length: CONCURRENCY }, async () => {
      for (let ticket = next++; ticket < events; ticket = next++) {
        while (ticket - completed >= CONCURRENCY) await new Promise((resolve) => setTimeout(resolve, 5));
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.status !== 200) failed++;
      }
    });
    await Promise.race([Promise.all(senders), poller]);
    while (completed < events - failed) await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), poller]);
    polling = false;
    await poller;
    const seconds = (performance.now() - started) / 1000;
    const afterLoad = treeRss(child.pid!);
    console.log(
      `${events.toLocaleString('en-US')} events at concurrency ${CONCURRENCY} in ${seconds.toFixed(0)} s (${formatFigure(events / seconds)} events/s, ${failed} GETs not answered 200)`,
    );
    console.log(`  process tree at its peak:       ${formatFigure(peak.mb)} MB in ${peak.processes} processes`);
    console.log(`  right after the last event:     ${formatFigure(afterLoad.mb)} MB in ${afterLoad.processes} processes`);
    // The reaper checks every idle-timeout/4: wait a little beyond the timeout.
    await new Promise((resolve) => setTimeout(resolve, (IDLE_ENV_SECONDS * 1.5 + 1) * 1000));
    const reaped = treeRss(child.pid!);
    const environments = Object.values((await metrics(endpoint)).functions).reduce((n, f) => n + f.environments, 0);
    console.log(
      `  idle environments reaped:       ${formatFigure(reaped.mb)} MB in ${reaped.processes} processes (${environments} environments left; target once reaped: <= ${TARGET_MB} MB)`,
    );
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--events');
  const quick = process.argv.includes('--quick');
  await run({ quick }, at > 0 ? Number(process.argv[at + 1]) : quick ? 2_000 : 20_000);
}
