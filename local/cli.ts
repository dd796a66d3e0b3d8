/**
 * `npm start`: synthesize the CDK app and serve the whole stack locally, as
 * `cdk deploy` would put it on AWS. Flags: see USAGE in cli-options.ts.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { CliError, USAGE, parseCliOptions } from './cli-options.js';
import type { LocalRuntime } from './runtime.js';
import { appLocation, resolveAppSource, type AppLocation } from './cloudformation/app-source.js';
import { networkWarning, reachableUrls } from './listen-addresses.js';
import { servedEnvironments } from './cloudformation/environments.js';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  let options;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  let location: AppLocation;
  try {
    // npm start runs in the project directory, so relative paths and commands are taken from there, as `cdk` takes them.
    location = options.app === undefined ? { projectDir } : appLocation(resolveAppSource(options.app, process.cwd()), projectDir);
    if (options.freshSynth && location.assembly !== undefined) throw new CliError('--fresh-synth synthesizes the app; --app DIR serves an assembly as it is: pick one');
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }

  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const started = Date.now();
  const stopRequested = onStopSignal();
  let runtime: LocalRuntime;
  try {
    // Loaded once the flags are known good: a usage error answers without importing the whole runtime.
    const { startWatchedRuntime } = await import('./reload/hot-reload.js');
    runtime = await startWatchedRuntime({
      ...location,
      ...(options.assembly === undefined ? {} : { assembly: path.resolve(options.assembly) }),
      ...(options.stacks === undefined ? {} : { stacks: options.stacks }),
      context: options.context,
      freshSynth: options.freshSynth,
      port: options.port,
      host: options.host,
      timeScale: options.timeScale,
      ...(options.maxEnvironments === undefined ? {} : { maxEnvironments: options.maxEnvironments }),
      ...(options.idleEnvSeconds === undefined ? {} : { idleEnvironmentMs: options.idleEnvSeconds * 1000 }),
      ...(options.inMemory
        ? {}
        : { state: { dir: path.resolve(options.stateDir ?? path.join(projectDir, '.local')), ...(options.fresh ? { fresh: true } : {}) } }),
      iam: options.iam,
      watch: options.watch,
      ...(options.enforceIamForCallers === undefined ? {} : { enforceIamForCallers: options.enforceIamForCallers }),
      colour,
      print: (line) => console.log(line),
    });
  } catch (error) {
    // Ctrl+C during start-up also reaches the synthesizing child, which then fails: that is the stop asked for.
    if (stopRequested.signalled) return 0;
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      console.error(`error: port ${options.port} on ${options.host} is in use; pick another with --port`);
    } else {
      console.error(`error: ${err.message ?? String(error)}`);
    }
    return 1;
  }

  if (!stopRequested.signalled) printDeployed(runtime, Date.now() - started, options.timeScale, options.host);
  await stopRequested.promise;
  if (options.reportUnusedIam) printUnusedIam(runtime);
  await runtime.stop().catch(() => {});
  return 0;
}

/**
 * One Ctrl+C reaches the process more than once: the terminal signals the
 * whole foreground group, and `npm start` (like tsx) forwards the signal to
 * its child as well. Repeats inside this window are that same key press.
 */
const REPEAT_SIGNAL_GRACE_MS = 2_000;

/**
 * Listen for SIGINT/SIGTERM from the start: the first prints "stopping" and
 * resolves; repeats within the grace window are ignored; a later one (a user
 * insisting while the stop hangs) exits at once with 130.
 */
function onStopSignal(): { readonly promise: Promise<void>; readonly signalled: boolean } {
  let firstAt: number | undefined;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const handle = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      console.log(`\n${signal}: stopping the local runtime...`);
      resolve();
    } else if (Date.now() - firstAt >= REPEAT_SIGNAL_GRACE_MS) {
      console.log(`${signal} again: exiting without waiting for the stop`);
      process.exit(130);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return {
    promise,
    get signalled() {
      return firstAt !== undefined;
    },
  };
}

/** `--report-unused-iam`: per role, the granted actions this run used and never used. */
function printUnusedIam(runtime: LocalRuntime): void {
  const lines = runtime.services.iam.unusedReport();
  console.log(['IAM grants used in this run:', ...(lines.length > 0 ? lines.map((l) => `  ${l}`) : ['  (no role has identity policies)'])].join('\n'));
}

/** Which regions a client may sign for: any with a single-region app, else each region sees its own stacks. */
function regionsNote(stack: LocalRuntime['stack']): string {
  const envs = servedEnvironments(stack);
  if (new Set(envs.map((env) => env.region)).size <= 1) return '(any region and credentials)';
  return `(any credentials; a client sees the stacks of its region: ${envs.map((env) => `${env.region} = account ${env.account}`).join(', ')})`;
}

/** The summary `cdk deploy` prints, with local addresses. */
function printDeployed(runtime: LocalRuntime, elapsedMs: number, timeScale: number, host: string): void {
  const { stack } = runtime;
  const port = Number(new URL(runtime.endpoint).port);
  const [, ...elsewhere] = reachableUrls(host, port);
  const warning = networkWarning(host);
  const lines = [
    '',
    ...(stack.stacks ?? [stack]).map((s) => ` ✅  ${s.stackName} (local)`),
    '',
    `✨  Ready in ${(elapsedMs / 1000).toFixed(2)}s`,
    '',
    'Outputs:',
    ...(stack.stacks ?? [stack]).flatMap((s) => s.outputs.map((o) => `${s.stackName}.${o.OutputKey} = ${o.OutputValue}`)),
    'Stack ARN:',
    ...(stack.stacks ?? [stack]).map((s) => s.stackId),
    '',
    `Dashboard:     ${runtime.endpoint}/`,
    `AWS endpoint:  ${runtime.endpoint}  ${regionsNote(stack)}`,
    ...(runtime.functionUrls ?? []).map((u) => `Function URL:  ${u.url}  (${u.functionName}, AuthType ${u.authType})`),
    ...elsewhere.map((url) => `Also at:       ${url}`),
    ...(warning ? ['', warning] : []),
    `Time scale:    ${timeScale === 1 ? 'real time' : `1 AWS minute = ${(60 * timeScale).toFixed(2)} s`}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

process.exitCode = await main();
// Exit even if a library left a handle open; unref'd so a clean exit is not delayed.
setTimeout(() => process.exit(), 1_000).unref();
