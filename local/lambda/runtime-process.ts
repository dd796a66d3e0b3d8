/**
 * The OS process of one execution environment, kept out of reach of the
 * function it runs.
 *
 * Why an intermediate shell: a function's `process.ppid` must not be the
 * local runtime, or `process.kill(process.ppid)` stops the whole runtime
 * (on AWS the runtime's parent is the platform's init, which the function
 * cannot signal). So the runtime starts `/bin/sh -c '"$@" & wait $!'` in a
 * new session and process group (`detached`); the shell starts `node` in
 * the background, so node's parent is the shell, and the IPC channel and
 * pipes pass through the shell untouched as inherited descriptors. The
 * shell costs about 1 MB. A signal sent to `process.ppid` (or to the
 * function's own process group with `process.kill(0)`) reaches the shell,
 * never the runtime; when the shell dies the whole group is killed and the
 * environment is reported gone, as when the runtime process itself exits.
 * What the OS cannot prevent: code that looks the runtime's pid up (in
 * /proc or with `ps`) can still signal it, as both run as the same user.
 *
 * The shell hides how node ended (a signal becomes status 128+n), so the
 * shim writes its own exit code, and the request id it was running, to a
 * dedicated pipe (fd 4) as it exits: no line there means node was killed
 * by a signal.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import os from 'node:os';
import type { Readable } from 'node:stream';
import type { ChildMessage, ParentMessage } from './shim/messages.js';

/** How the runtime process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /**
   * The request id the runtime was running when it exited by itself
   * (`''` for none); undefined when it was killed and could not say.
   */
  readonly activeRequestId?: string;
}

export interface RuntimeProcessHandlers {
  onMessage(message: ChildMessage): void;
  /** Output that bypassed the shim (V8 fatal errors, native addons). */
  onOutput(chunk: Buffer): void;
  /** Called once, after the output and the IPC channel have drained. */
  onExit(exit: ProcessExit, spawnError?: string): void;
}

export interface RuntimeProcessOptions {
  readonly shim: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly execArgv: readonly string[];
}

/** The descriptor the shim reports its exit on (after stdin, stdout, stderr and the IPC channel). */
const EXIT_REPORT_FD = 4;

/** Process groups to kill if the runtime exits without disposing (tests, Ctrl-C). */
const liveProcesses = new Set<RuntimeProcess>();
let exitHookInstalled = false;
function track(process_: RuntimeProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of liveProcesses) p.kill();
    });
  }
  liveProcesses.add(process_);
}

const usesIntermediate = process.platform !== 'win32';

/** One environment's process tree: the shell, node running the shim, and anything the function started. */
export class RuntimeProcess {
  private readonly child: ChildProcess | undefined;
  private exitReport = '';
  private done = false;

  constructor(options: RuntimeProcessOptions, private readonly handlers: RuntimeProcessHandlers) {
    const nodeArgs = [...options.execArgv, options.shim];
    const spawnOptions: SpawnOptions = {
      cwd: options.cwd,
      env: { ...options.env, _LOCAL_EXIT_FD: String(EXIT_REPORT_FD) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'json',
    };
    let child: ChildProcess;
    try {
      child = usesIntermediate
        ? spawn('/bin/sh', ['-c', shellScript(options.env), 'lambda-environment', process.execPath, ...nodeArgs], { ...spawnOptions, detached: true })
        : spawn(process.execPath, nodeArgs, spawnOptions);
    } catch (error) {
      this.child = undefined;
      queueMicrotask(() => this.finish({ code: null, signal: null }, String(error)));
      return;
    }
    this.child = child;
    track(this);
    child.on('message', (message: ChildMessage) => handlers.onMessage(message));
    child.on('error', (error) => {
      // Spawn failure (no 'exit' follows); a send on a closed channel is followed by 'exit' anyway.
      if (child.pid === undefined) this.finish({ code: null, signal: null }, error.message);
    });
    // Report only once stdout/stderr/the exit pipe ('close') and the IPC channel have drained:
    // a result, log line or V8 out-of-memory report written just before the exit must not lose
    // the race against the exit event.
    let shellExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let closed = false;
    let channelClosed = false;
    const settle = () => {
      if (shellExit && closed && channelClosed) this.finish(this.resolveExit(shellExit));
    };
    child.on('exit', (code, signal) => {
      shellExit = { code, signal };
      // The shell is gone: end node and whatever the function started, so nothing outlives the environment.
      this.killGroup();
      // A process that left the group while holding the inherited pipes would delay 'close' indefinitely.
      setTimeout(() => this.finish(this.resolveExit(shellExit!)), 500).unref();
    });
    child.on('close', () => {
      closed = true;
      settle();
    });
    child.on('disconnect', () => {
      channelClosed = true;
      settle();
    });
    child.stdout?.on('data', handlers.onOutput);
    child.stderr?.on('data', handlers.onOutput);
    (child.stdio[EXIT_REPORT_FD] as Readable | null)?.on('data', (chunk: Buffer) => {
      this.exitReport += chunk.toString('utf8');
    });
  }

  /** Sends a message; a closed channel is reported by the exit that follows. */
  send(message: ParentMessage): void {
    try {
      this.child?.send(message);
    } catch {
      // Channel already closed.
    }
  }

  /** Kills the whole process tree; `onExit` follows. */
  kill(): void {
    if (!this.child) return;
    this.killGroup();
  }

  private killGroup(): void {
    const child = this.child;
    if (!child?.pid) return;
    try {
      if (usesIntermediate) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /** Node's own exit code when it reported one; otherwise the signal the shell's 128+n status stands for. */
  private resolveExit(shell: { code: number | null; signal: NodeJS.Signals | null }): ProcessExit {
    // The shell itself was signalled (by the function, or by kill()): that ended the environment.
    if (shell.signal !== null) return { code: null, signal: shell.signal };
    const report = /^(-?\d+) ?(.*)$/.exec(this.exitReport.trim());
    if (report) return { code: Number(report[1]), signal: null, activeRequestId: report[2] ?? '' };
    if (usesIntermediate && shell.code !== null && shell.code > 128) {
      return { code: null, signal: signalName(shell.code - 128) };
    }
    return { code: shell.code, signal: null };
  }

  private finish(exit: ProcessExit, spawnError?: string): void {
    if (this.done) return;
    this.done = true;
    liveProcesses.delete(this);
    this.handlers.onExit(exit, spawnError);
  }
}

/**
 * Starts node in the background and waits for it. The shell's own PWD stays
 * out of the function's environment unless the function sets one, and the
 * shell's "Aborted"/"Killed" job notice stays out of the function's log.
 */
function shellScript(env: NodeJS.ProcessEnv): string {
  return `${env['PWD'] === undefined ? 'unset PWD; ' : ''}"$@" & wait $! 2>/dev/null`;
}

function signalName(number: number): NodeJS.Signals | null {
  for (const [name, value] of Object.entries(os.constants.signals)) {
    if (value === number) return name as NodeJS.Signals;
  }
  return null;
}
