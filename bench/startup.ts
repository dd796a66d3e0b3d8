/**
 * Start-up against its peer, `npx cdk synth`, in interleaved rounds:
 * the runtime started in this process on an already synthesized assembly
 * (what a repeat start should cost), and started with its own synthesis
 * (what `npm start` costs today). Each round is minutes of CPU on a small
 * machine, so `--quick` skips this bench.
 *
 * Run alone: `npx tsx bench/startup.ts`.
 */
import { execFile } from 'node:child_process';
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

/** ms until the runtime answers on its port, then stop it. */
async function startOnce(assembly?: string): Promise<number> {
  let stop = async () => {};
  const ms = await timed(async () => {
    const runtime = await startRuntime({ projectDir: repoRoot, port: 0, ...(assembly ? { assembly } : {}) });
    stop = () => runtime.stop();
  });
  await stop();
  return ms;
}

export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const rounds = options.quick ? 1 : 3;
  const assembly = await assemblyForTests();
  const floor = { label: 'npx cdk synth', round: cdkSynth };
  printComparison(
    await compare({ name: 'start on an already synthesized assembly', unit: 'ms', rounds, warmup: 0, floor, measured: { label: 'startRuntime({ assembly })', round: () => startOnce(assembly) } }),
  );
  printComparison(
    await compare({ name: 'start with synthesis, as npm start (target: <= 0.6x)', unit: 'ms', rounds, warmup: 0, floor, measured: { label: 'startRuntime() with synthesis', round: () => startOnce() } }),
  );
  rmSync(SYNTH_OUT, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ quick: process.argv.includes('--quick') });
