/**
 * Start-up against its peer, `npx cdk synth`, in interleaved rounds:
 * `npm start -- --assembly` on an already synthesized assembly until it
 * prints "Ready" (what a repeat start should cost, process start included),
 * the same start inside this process (modules already loaded: the runtime's
 * own share), `npm start`'s start when nothing changed (the assembly cache
 * answers), and a cold start that synthesizes (`--fresh-synth`, what a
 * changed app costs). Each round is minutes of CPU on a small
 * machine, so `--quick` skips this bench.
 *
 * Run alone: `npx tsx bench/startup.ts`.
 */
import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startRuntime } from '../local/runtime.js';
import { assemblyForTests, repoRoot } from '../test/support/local-runtime.js';
import { compare, printComparison, timed, type BenchOptions } from './harness.js';

const run$ = promisify(execFile);
const SYNTH_OUT = path.join(repoRoot, 'node_modules', '.cache', 'the-destined-lambda', 'bench-cdk-synth');

/** `npx cdk synth` as a user types it, into its own output directory. */
async function cdkSynth(): Promise<number> {
  rmSync(SYNTH_OUT, { recursive: true, force: true });
  return timed(() => run$('npx', ['cdk', 'synth', '--quiet', '--output', SYNTH_OUT], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }));
}

/** ms until the runtime answers on its port, then stop it. `freshSynth` bypasses the assembly cache (a cold start). */
async function startOnce(assembly?: string, freshSynth = false): Promise<number> {
  let stop = async () => {};
  const ms = await timed(async () => {
    const runtime = await startRuntime({ projectDir: repoRoot, port: 0, ...(assembly ? { assembly } : {}), ...(freshSynth ? { freshSynth } : {}) });
    stop = () => runtime.stop();
  });
  await stop();
  return ms;
}

/** ms from `npm start -- --assembly DIR` until it prints "Ready"; then its process group is stopped. */
async function npmStartOnce(assembly: string): Promise<number> {
  const started = performance.now();
  // Its own process group, so stopping it reaches npm's tsx and node children too.
  const child = spawn('npm', ['start', '--', '--assembly', assembly, '--port', '0'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start never printed Ready within 5 minutes:\n${output}`)), 300_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Ready')) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code} before Ready:\n${output}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const rounds = options.quick ? 1 : 3;
  const assembly = await assemblyForTests();
  const floor = { label: 'npx cdk synth', round: cdkSynth };
  printComparison(
    await compare({
      name: 'repeat start: npm start -- --assembly until Ready (target: <= 2.5 s)',
      unit: 'ms',
      rounds,
      warmup: 0,
      floor,
      measured: { label: 'npm start -- --assembly', round: () => npmStartOnce(assembly) },
    }),
  );
  printComparison(
    await compare({ name: 'start on an already synthesized assembly, in this process', unit: 'ms', rounds, warmup: 0, floor, measured: { label: 'startRuntime({ assembly })', round: () => startOnce(assembly) } }),
  );
  printComparison(
    await compare({ name: 'start as npm start when nothing changed (the assembly cache answers)', unit: 'ms', rounds, warmup: 0, floor, measured: { label: 'startRuntime() from the cache', round: () => startOnce() } }),
  );
  printComparison(
    await compare({
      name: 'cold start: synthesis bypassing the cache, as npm start -- --fresh-synth (target: <= 0.6x)',
      unit: 'ms',
      rounds,
      warmup: 0,
      floor,
      measured: { label: 'startRuntime({ freshSynth })', round: () => startOnce(undefined, true) },
    }),
  );
  rmSync(SYNTH_OUT, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ quick: process.argv.includes('--quick') });
