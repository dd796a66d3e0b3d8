/**
 * The local runtime as a child process, started as `npm start` starts it,
 * so a test can kill it (SIGKILL, SIGINT) and start it again on the same state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './local-runtime.js';

export interface CliProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` once ready. */
  readonly endpoint: string;
  readonly sendEventUrl: string;
  out(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string | null>;
}

/** A started CLI that serves any app: its AWS endpoint, no SendEvent URL required. */
export type LaunchedCli = Omit<CliProcess, 'sendEventUrl'>;

/** `local/cli.ts` of `projectRoot` as `npm start` runs it, its output collected. */
function spawnCli(args: readonly string[], projectRoot: string) {
  // node --import tsx, not the tsx binary: the pid is the runtime's own, so a SIGKILL hits it and nothing else.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'local', 'cli.ts'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = { stdout: '', stderr: '', both: '' };
  child.stdout!.on('data', (d) => ((printed.stdout += d), (printed.both += d)));
  child.stderr!.on('data', (d) => ((printed.stderr += d), (printed.both += d)));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, printed, exited };
}

/** Start `local/cli.ts` of `projectRoot` (a copy of the project, say) with these flags; resolves once it prints that it is ready. */
export async function launchCli(args: readonly string[], readyWithinMs = 90_000, projectRoot = repoRoot): Promise<LaunchedCli> {
  const { child, printed, exited } = spawnCli(args, projectRoot);
  const output = () => printed.both;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime was not ready within ${readyWithinMs} ms:\n${output()}`)), readyWithinMs);
    child.stdout!.on('data', () => {
      if (/Press Ctrl\+C to stop/.test(output())) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited (${String(code)}) before it was ready:\n${output()}`));
    });
  });
  const endpoint = /AWS endpoint:\s+(http:\/\/\S+)/.exec(output())?.[1];
  if (!endpoint) throw new Error(`no AWS endpoint in the output:\n${output()}`);
  return { child, endpoint, out: output, exited };
}

export interface FinishedCli {
  /** The exit code (or signal name). */
  readonly code: number | string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `local/cli.ts` with these flags until it exits on its own (a start it must refuse, say). */
export async function runCliToExit(args: readonly string[], projectRoot = repoRoot): Promise<FinishedCli> {
  const { child, printed, exited } = spawnCli(args, projectRoot);
  // 'close', not 'exit': the last of the output may arrive after the process has exited.
  await new Promise((resolve) => child.on('close', resolve));
  return { code: await exited, stdout: printed.stdout, stderr: printed.stderr };
}

/** {@link launchCli} on the project's own app, with its SendEvent URL. */
export async function startCli(args: readonly string[], readyWithinMs = 90_000, projectRoot = repoRoot): Promise<CliProcess> {
  const cli = await launchCli(args, readyWithinMs, projectRoot);
  const sendEventUrl = /SendEventUrl = (http:\/\/\S+)/.exec(cli.out())?.[1];
  if (!sendEventUrl) throw new Error(`no SendEventUrl in the output:\n${cli.out()}`);
  return { ...cli, sendEventUrl };
}

/** The pids of a process's direct children (its execution environments), from /proc. */
export function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
