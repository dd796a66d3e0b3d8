/**
 * Lambda execution environments: each one a separate `node` process running
 * the runtime shim (./shim) out of the function's reach (./runtime-process.ts),
 * kept warm and reused, scaled out up to the environment cap, reaped when
 * idle, replaced when it times out, exits or crashes.
 * The parent never trusts the child: every failure of the process becomes
 * the invocation's function error, never an exception here.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { arnField } from '../arn.js';
import type { LogEvent, LogSink } from '../contracts.js';
import {
  billedDuration,
  endLine,
  initReportLine,
  initStartLine,
  logStreamName,
  reportLine,
  runtimeExitMessage,
  startLine,
  timeoutLine,
  toMb,
  type ReportFields,
} from './log-format.js';
import { RuntimeProcess, type ProcessExit } from './runtime-process.js';
import { Fifo } from '../fifo.js';
import { RUNTIME_DIR, shimPath } from './shim-build.js';
import type { ChildMessage, InvokeMessage } from './shim/messages.js';

/** Everything an execution environment needs to know about its function. */
export interface FunctionConfig {
  readonly functionName: string;
  /** Unqualified ARN. */
  readonly functionArn: string;
  /** e.g. `index.handler`. */
  readonly handler: string;
  /** Absolute directory of the bundled asset. */
  readonly codeDir: string;
  /** e.g. `nodejs22.x` (only nodejs* supported). */
  readonly runtime: string;
  /** @default 128 */
  readonly memorySizeMb: number;
  /** @default 3 */
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  /** ReservedConcurrentExecutions. */
  readonly reservedConcurrency?: number;
  /** `/aws/lambda/<name>` or LoggingConfig.LogGroup. */
  readonly logGroupName: string;
  readonly region: string;
  readonly accountId: string;
}

/** The outcome of one invocation. */
export interface Execution {
  readonly requestId: string;
  /** false = function error. */
  readonly ok: boolean;
  /** JSON text: the handler's result (ok) or `{"errorType","errorMessage","trace":[...]}` */
  readonly payload: string;
  /** This invocation's log text: START ... END ... REPORT ... lines joined by \n */
  readonly log: string;
  readonly durationMs: number;
  /** Set on a cold start. */
  readonly initDurationMs?: number;
}

/** The function is at its reserved concurrency (ReservedConcurrentExecutions). */
export class ThrottledError extends Error {
  constructor(message = 'Rate Exceeded.') {
    super(message);
    this.name = 'ThrottledError';
  }
}

/** How a pool logs, scales and reaps. */
export interface PoolOptions {
  readonly logs: LogSink;
  /**
   * Most execution environments (processes) the function runs at once; an
   * invocation beyond it waits for one to be free. A local capacity limit,
   * not an AWS one: only ReservedConcurrentExecutions throttles.
   * @default defaultMaxEnvironments()
   */
  readonly maxEnvironments?: number;
  /** Idle environments are reaped after this long. @default 300000 (5 min) */
  readonly idleTimeoutMs?: number;
  /** Terminal echo of each log line. */
  readonly onOutput?: (functionName: string, line: string) => void;
  /**
   * Where the AWS SDK inside the function sends its calls (`AWS_ENDPOINT_URL`),
   * e.g. the local runtime's own address; a function's own variable wins.
   */
  readonly awsEndpointUrl?: string;
  /** Credentials identifying the function's execution role at the runtime's AWS API edge (IAM). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

function partitionOf(arn: string): string {
  return arnField(arn, 'partition') || 'aws';
}

/** AWS's limit on the init phase of an on-demand environment. */
const INIT_TIMEOUT_MS = 10_000;

/**
 * Default cap on one function's execution environments: twice the cores the
 * runtime may use, at least 4. A CPU-bound handler gains nothing from more
 * processes than cores, while each environment holds 40-60 MB, so on a
 * 2-core laptop a burst at concurrency 32 keeps 4 processes per function
 * (not 32) and events wait in the pool instead; handlers that mostly wait
 * on I/O may want more (`--max-environments`).
 */
export function defaultMaxEnvironments(): number {
  return Math.max(4, 2 * os.availableParallelism());
}

/** AWS keeps an idle environment for minutes; locally that wait follows `--time-scale`, but not below 10 s. */
export function defaultIdleTimeoutMs(timeScale: number): number {
  return Math.max(10_000, 5 * 60_000 * timeScale);
}

interface Pending {
  readonly id: string;
  readonly payload: string;
  readonly resolve: (execution: Execution) => void;
  /** This invocation's log events, each message with its newline (see {@link Environment.addLine}). */
  readonly lines: LogEvent[];
  /** performance.now() when the invoke was sent to the child. */
  sentAt: number;
  timer?: NodeJS.Timeout;
  /** Already moved once off an environment that ended before running it. */
  readonly moved: boolean;
}

type State = 'init' | 'idle' | 'busy' | 'dead';

/** One execution environment: one child process, one invocation at a time. */
class Environment {
  state: State = 'init';
  lastUsed = performance.now();
  private process: RuntimeProcess | undefined;
  private readonly stream: string;
  private initMs: number | undefined;
  /** Init failed: the error payload and type every invocation on it gets. */
  private initError: { payload: string; errorType: string } | undefined;
  /** Lines printed before the first invocation (module scope), shown with it. */
  private initLines: LogEvent[] = [];
  private cold = true;
  private pending: Pending | undefined;
  private peakRss = 0;
  /** The runtime's peak RSS as last reported (the fallback where /proc has no VmRSS), and its pid, for the pool's metrics. */
  private lastRss = 0;
  private runtimePid: number | undefined;
  /** The child's stderr said V8 ran out of heap. */
  private outOfMemory = false;
  private initTimer: NodeJS.Timeout | undefined;
  /** Init Duration counts from process start, as AWS's includes the runtime's own start-up. */
  private readonly createdAt = performance.now();
  private exited: Promise<void>;
  private exitHandled = false;
  private markExited!: () => void;
  /** The invocation timer's callback, made once per environment rather than once per invocation. */
  private readonly timedOut = (): void => this.onTimeout();

  constructor(
    private readonly pool: FunctionPool,
    private readonly config: FunctionConfig,
    private readonly options: PoolOptions,
  ) {
    this.stream = logStreamName(Date.now());
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    // Lambda opens each environment's stream with INIT_START; it reaches the log store with the first invocation.
    this.addLine(Date.now(), initStartLine(config.runtime, config.region, partitionOf(config.functionArn)));
    shimPath().then(
      (shim) => this.spawn(shim),
      (error: unknown) => this.onExit({ code: null, signal: null }, `runtime shim failed to build: ${String(error)}`),
    );
  }

  private env(): NodeJS.ProcessEnv {
    const c = this.config;
    const env: NodeJS.ProcessEnv = {};
    for (const key of ['PATH', 'HOME', 'SYSTEMROOT']) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    // LANG is one of the variables a function may override; the reserved ones below may not.
    env['LANG'] = 'en_US.UTF-8';
    if (this.options.awsEndpointUrl !== undefined) env['AWS_ENDPOINT_URL'] = this.options.awsEndpointUrl;
    Object.assign(env, c.environment, {
      TZ: ':UTC',
      AWS_LAMBDA_FUNCTION_NAME: c.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: c.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: this.stream,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: c.region,
      AWS_DEFAULT_REGION: c.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${c.runtime}`,
      LAMBDA_TASK_ROOT: c.codeDir,
      LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
      _HANDLER: c.handler,
      // The SDK inside the function signs requests to the local endpoint with these; the key id names the role.
      AWS_ACCESS_KEY_ID: this.options.credentials?.accessKeyId ?? 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: this.options.credentials?.secretAccessKey ?? 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: this.options.credentials?.sessionToken ?? 'local-session-token',
      _LOCAL_FUNCTION_ARN: c.functionArn,
    });
    return env;
  }

  private spawn(shim: string): void {
    if (this.state === 'dead') return;
    this.process = new RuntimeProcess(
      {
        shim,
        // A missing asset directory must fail like AWS (Runtime.ImportModuleError from the shim), not at spawn.
        cwd: existsSync(this.config.codeDir) ? this.config.codeDir : os.tmpdir(),
        env: this.env(),
        // Never inherit the parent's loaders (tsx, vitest); heap sized from MemorySize as the AWS bootstrap does,
        // young generation included: V8's default semi-space (16 MB) kept every idle environment large after a
        // burst (https://github.com/lambci/node-custom-lambda/blob/master/v10.x/bootstrap, 5% and 90% of MemorySize).
        execArgv: [
          `--max-semi-space-size=${Math.max(1, Math.floor(this.config.memorySizeMb * 0.05))}`,
          `--max-old-space-size=${Math.max(16, Math.floor(this.config.memorySizeMb * 0.9))}`,
        ],
      },
      {
        onMessage: (message) => this.onMessage(message),
        onOutput: (chunk) => this.onNativeOutput(chunk),
        onExit: (exit, spawnError) => this.onExit(exit, spawnError),
      },
    );
    this.initTimer = setTimeout(() => this.onInitTimeout(), INIT_TIMEOUT_MS);
    this.initTimer.unref();
  }

  /** Resident memory of the runtime process: the kernel's figure where there is one, else the last reported. */
  rssBytes(): number {
    if (this.runtimePid !== undefined && process.platform === 'linux') {
      try {
        const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.runtimePid}/status`, 'utf8'))?.[1];
        if (kb !== undefined) return Number(kb) * 1024;
      } catch {
        // Gone meanwhile.
      }
    }
    return this.lastRss;
  }

  /** Output that bypassed the shim's patched streams (V8 fatal errors, native addons). */
  private onNativeOutput(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    if (text.includes('heap out of memory')) this.outOfMemory = true;
    for (const line of text.split('\n')) if (line !== '') this.addLine(Date.now(), line);
  }

  /**
   * A line of the environment's log. Kept as CloudWatch stores it, with its
   * newline (the AWS recordings show "START RequestId: ... Version: $LATEST\n"),
   * so the same event objects go to the log store and make up the
   * invocation's log text, with no copy of each line for either.
   */
  private addLine(timestamp: number, message: string): void {
    this.echo(message);
    this.keepLine({ timestamp, message: `${message}\n` });
  }

  /**
   * A line the runtime sent, already ending with its newline: stored as
   * the flat string IPC decoded, where joining the newline here would make
   * the log store copy the line once more to measure it (a console line can
   * be the whole event: ~3 KB an event).
   */
  private addRuntimeLine(timestamp: number, text: string): void {
    if (!text.endsWith('\n')) return this.addLine(timestamp, text);
    this.echo(text.slice(0, -1));
    this.keepLine({ timestamp, message: text });
  }

  private keepLine(event: LogEvent): void {
    if (this.pending) this.pending.lines.push(event);
    else if (this.cold) this.initLines.push(event);
    else this.putLogs([event]);
  }

  /** Neither the terminal echo nor the log store may take the pool down with it. */
  private echo(line: string): void {
    const onOutput = this.options.onOutput;
    if (!onOutput) return;
    try {
      onOutput(this.config.functionName, line);
    } catch {
      // Terminal output is best effort.
    }
  }

  private putLogs(events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    try {
      // The messages already end with their newline (addLine).
      this.options.logs.putLogEvents(this.config.logGroupName, this.stream, events);
    } catch {
      // The invocation's log text is still returned in Execution.log.
    }
  }

  /** Starts an invocation; the caller has already marked this environment busy. */
  run(payload: string, requestId: string, moved = false): Promise<Execution> {
    return new Promise<Execution>((resolve) => this.start(payload, requestId, moved, resolve));
  }

  /** As `run`, with the outcome handed to `resolve`: an invocation that waited for this environment has its promise already. */
  start(payload: string, requestId: string, moved: boolean, resolve: (execution: Execution) => void): void {
    this.pending = { id: requestId, payload, resolve, lines: [], sentAt: 0, moved };
    if (this.state === 'dead') this.failDead();
    else if (this.initMs !== undefined || this.initError !== undefined) this.send();
    // Otherwise sent when the init message arrives.
  }

  private send(): void {
    const p = this.pending;
    if (!p) return;
    const now = Date.now();
    this.emitPlatform(p, startLine(p.id), now);
    if (this.initError) {
      this.state = 'dead';
      this.complete(false, this.initError.payload, 0, 'error', this.initError.errorType);
      void this.kill();
      return;
    }
    const timeoutMs = this.config.timeoutSeconds * 1000;
    const message: InvokeMessage = { t: 'i', id: p.id, p: p.payload, d: now + timeoutMs };
    p.sentAt = performance.now();
    p.timer = setTimeout(this.timedOut, timeoutMs);
    this.process?.send(message);
  }

  private emitPlatform(p: Pending, line: string, timestamp = Date.now()): void {
    this.echo(line);
    p.lines.push({ timestamp, message: `${line}\n` });
  }

  private onMessage(message: ChildMessage): void {
    switch (message.t) {
      case 'l':
        this.addRuntimeLine(message.ts, message.m);
        return;
      case 'n':
        clearTimeout(this.initTimer);
        this.peakRss = Math.max(this.peakRss, message.rss);
        this.lastRss = message.rss;
        this.runtimePid = message.pid;
        this.initMs = performance.now() - this.createdAt;
        if (!message.ok) {
          this.initError = { payload: message.p ?? '{}', errorType: message.et ?? 'Runtime.Unknown' };
          this.addLine(Date.now(), initReportLine(this.initMs, 'error', this.initError.errorType));
        }
        if (this.state === 'init') this.state = this.pending ? 'busy' : 'idle';
        if (this.pending) this.send();
        return;
      case 'r': {
        const p = this.pending;
        if (!p || p.id !== message.id) return;
        clearTimeout(p.timer);
        this.peakRss = Math.max(this.peakRss, message.rss);
        this.lastRss = message.rss;
        if (message.exit !== undefined) {
          // The runtime reported the error and is exiting: never hand this environment out again.
          const line = `${runtimeExitMessage(p.id, { code: message.exit, signal: null })}\nRuntime.ExitError`;
          this.addLine(Date.now(), line);
          this.state = 'dead';
          this.complete(false, message.p, message.ms, 'error', 'Runtime.ExitError');
          return;
        }
        this.complete(message.ok, message.p, message.ms);
        return;
      }
    }
  }

  private onTimeout(): void {
    const p = this.pending;
    if (!p) return;
    const seconds = this.config.timeoutSeconds;
    this.state = 'dead';
    void this.kill();
    this.addLine(Date.now(), timeoutLine(p.id, seconds, Date.now()));
    const payload = JSON.stringify({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${p.id} Error: Task timed out after ${seconds.toFixed(2)} seconds`,
    });
    this.complete(false, payload, seconds * 1000, 'timeout');
  }

  private onInitTimeout(): void {
    if (this.initMs !== undefined || this.state === 'dead') return;
    this.initError = {
      payload: JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: `Task timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`,
      }),
      errorType: 'Sandbox.Timedout',
    };
    this.initMs = INIT_TIMEOUT_MS;
    this.addLine(Date.now(), initReportLine(INIT_TIMEOUT_MS, 'timeout'));
    void this.kill();
    if (this.pending) this.send();
  }

  private onExit(exit: ProcessExit, spawnError?: string): void {
    if (this.exitHandled) return;
    this.exitHandled = true;
    clearTimeout(this.initTimer);
    this.state = 'dead';
    this.markExited();
    const p = this.pending;
    if (p && this.neverStarted(p, exit)) {
      this.moveElsewhere(p);
    } else if (p) {
      clearTimeout(p.timer);
      if (p.lines.length === 0) this.emitPlatform(p, startLine(p.id));
      const oom = this.outOfMemory;
      const errorType = oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      const message =
        spawnError !== undefined
          ? `RequestId: ${p.id} Error: ${spawnError}`
          : runtimeExitMessage(p.id, { code: exit.code, signal: oom ? 'SIGKILL' : exit.signal });
      this.addLine(Date.now(), `${message}\n${errorType}`);
      const duration = p.sentAt === 0 ? 0 : performance.now() - p.sentAt;
      this.complete(false, JSON.stringify({ errorType, errorMessage: message }), duration, 'error', errorType);
    } else {
      // Lines of a fatal error between invocations belong to this environment's stream.
      this.putLogs(this.initLines.splice(0));
    }
    this.pool.remove(this);
  }

  /**
   * The runtime ended by itself between invocations (a late uncaught
   * exception, a timer calling process.exit) while this invocation was on
   * its way: the handler never ran, so it is not this invocation's failure.
   * Moved once; an environment that keeps dying before its first invocation
   * is charged with it.
   */
  private neverStarted(p: Pending, exit: ProcessExit): boolean {
    return !p.moved && exit.activeRequestId !== undefined && exit.activeRequestId !== p.id && this.initError === undefined;
  }

  private moveElsewhere(p: Pending): void {
    clearTimeout(p.timer);
    this.pending = undefined;
    // Keep what the runtime printed on its way out, without the START of an invocation it never ran.
    const start = `${startLine(p.id)}\n`;
    this.putLogs([...this.initLines.splice(0), ...p.lines.filter((line) => line.message !== start)]);
    // Queued first, so the slot this environment frees goes to it.
    const rerun = this.pool.rerun(p.payload, p.id);
    this.pool.remove(this);
    rerun.then(p.resolve, (error: unknown) => {
      const message = `RequestId: ${p.id} Error: ${error instanceof Error ? error.message : String(error)}`;
      p.resolve({ requestId: p.id, ok: false, payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: message }), log: '', durationMs: 0 });
    });
  }

  private failDead(): void {
    this.onExit({ code: null, signal: null }, 'execution environment is gone');
  }

  /** `status` and `errorType` as the REPORT line shows them: absent on success and on an ordinary function error. */
  private complete(ok: boolean, payload: string, durationMs: number, status?: ReportFields['status'], errorType?: string): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    const cold = this.cold;
    this.cold = false;
    const initDurationMs = cold ? this.initMs : undefined;
    // A failed init has its duration on the INIT_REPORT line instead.
    const reportedInitMs = this.initError ? undefined : initDurationMs;
    this.emitPlatform(p, endLine(p.id));
    const invokeBilled = status === 'timeout' ? Math.round(durationMs) : durationMs;
    // One plain object, no spreads: reportLine skips the fields left undefined.
    this.emitPlatform(
      p,
      reportLine({
        requestId: p.id,
        durationMs,
        // Since 2025-08-01 the INIT phase of managed-runtime zip functions is billed too:
        // a cold start's Billed Duration covers Init Duration plus Duration
        // (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase).
        billedDurationMs: billedDuration(invokeBilled + (reportedInitMs ?? 0)),
        memorySizeMb: this.config.memorySizeMb,
        maxMemoryUsedMb: Math.min(this.config.memorySizeMb, toMb(this.peakRss)),
        initDurationMs: reportedInitMs,
        status,
        errorType,
      }),
    );
    const events = cold && this.initLines.length > 0 ? [...this.initLines, ...p.lines] : p.lines;
    this.initLines = [];
    this.putLogs(events);
    let log = '';
    for (const event of events) log += event.message;
    const execution: Execution =
      initDurationMs === undefined
        ? { requestId: p.id, ok, payload, log, durationMs }
        : { requestId: p.id, ok, payload, log, durationMs, initDurationMs };
    if (this.state === 'busy') {
      this.state = 'idle';
      this.lastUsed = performance.now();
      this.pool.release(this);
    } else {
      // A dying environment frees its concurrency slot now, not when the process is reaped.
      this.pool.remove(this);
    }
    p.resolve(execution);
  }

  /** Ends the process tree; the exit handler cleans up. */
  kill(): Promise<void> {
    this.state = 'dead';
    // Not spawned yet (shim still building): there is no exit event to wait for.
    if (!this.process) this.onExit({ code: null, signal: 'SIGKILL' });
    else this.process.kill();
    return this.exited;
  }
}

/** What a pool holds right now, for `/_local/metrics`. */
export interface PoolStats {
  /** Live execution environments (processes). */
  readonly environments: number;
  /** Environments running an invocation or starting for one. */
  readonly busyEnvironments: number;
  /** Invocations waiting for an environment to be free. */
  readonly waiting: number;
  /** Resident memory of the environments' runtime processes. */
  readonly rssBytes: number;
}

/** An invocation waiting for a free environment, with the promise its caller holds. */
interface Waiter {
  readonly payload: string;
  readonly requestId: string;
  readonly moved: boolean;
  readonly resolve: (execution: Execution) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The execution environments of one function. `invoke` picks a warm idle
 * environment (most recently used first, so surplus ones go idle and are
 * reaped, as on AWS), or starts a new one while under the environment cap;
 * beyond the cap the invocation waits in a first-come list that each
 * released environment serves, with no timer per waiting event. Only a
 * function with ReservedConcurrentExecutions is throttled (`ThrottledError`),
 * as on AWS, when that many invocations are running or waiting.
 */
export class FunctionPool {
  private readonly all = new Set<Environment>();
  private readonly idle: Environment[] = [];
  private readonly waiters = new Fifo<Waiter>();
  /** Most processes at once. */
  private readonly cap: number;
  /** ReservedConcurrentExecutions: invocations (running or waiting) beyond it are throttled. */
  private readonly reserved: number | undefined;
  private readonly idleTimeoutMs: number;
  private reaper: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly config: FunctionConfig,
    private readonly options: PoolOptions,
  ) {
    if (!config.runtime.startsWith('nodejs')) {
      throw new Error(`${config.functionName}: runtime ${config.runtime} is not supported (only nodejs*)`);
    }
    this.reserved = config.reservedConcurrency;
    this.cap = Math.max(1, Math.min(options.maxEnvironments ?? defaultMaxEnvironments(), this.reserved ?? Infinity));
    this.idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
    options.logs.ensureLogGroup(config.logGroupName);
  }

  /** Environments running an invocation (or starting for one). */
  get busy(): number {
    return this.all.size - this.idle.length;
  }

  /** Live environments. */
  get size(): number {
    return this.all.size;
  }

  /** Invocations waiting for a free environment. */
  get waiting(): number {
    return this.waiters.size;
  }

  stats(): PoolStats {
    let rssBytes = 0;
    for (const env of this.all) rssBytes += env.rssBytes();
    return { environments: this.all.size, busyEnvironments: this.busy, waiting: this.waiting, rssBytes };
  }

  /**
   * Runs one invocation. Rejects with ThrottledError (checked synchronously)
   * at the reserved concurrency; otherwise waits for an environment when all
   * are busy. Never rejects for function errors (those are ok:false).
   */
  invoke(payload: string, requestId: string = randomUUID()): Promise<Execution> {
    if (this.disposed) return Promise.reject(new ThrottledError('function pool is disposed'));
    if (this.reserved !== undefined && this.busy + this.waiting >= this.reserved) {
      return Promise.reject(new ThrottledError());
    }
    return this.runOnFree(payload, requestId, false);
  }

  /** @internal Runs an invocation whose environment ended before starting it, ahead of the waiting ones. */
  rerun(payload: string, requestId: string): Promise<Execution> {
    if (this.disposed) return Promise.reject(new Error('execution environment is gone'));
    return this.runOnFree(payload, requestId, true);
  }

  /**
   * Runs on a free environment now, or on the next one released; a moved invocation was running already, so it goes first.
   * A waiting invocation keeps the promise it answers with and starts on the released environment at once: no promise of the
   * environment, then of its run, adopted into the caller's (at concurrency 8 on two cores most invocations wait).
   */
  private runOnFree(payload: string, requestId: string, moved: boolean): Promise<Execution> {
    const env = this.take();
    if (env) return env.run(payload, requestId, moved);
    return new Promise<Execution>((resolve, reject) => {
      const waiter: Waiter = { payload, requestId, moved, resolve, reject };
      if (moved) this.waiters.unshift(waiter);
      else this.waiters.push(waiter);
    });
  }

  /** Starts a waiting invocation on an environment marked busy for it; a start that throws rejects it, as a run's promise would. */
  private startWaiter(env: Environment, waiter: Waiter): void {
    try {
      env.start(waiter.payload, waiter.requestId, waiter.moved, waiter.resolve);
    } catch (error) {
      waiter.reject(error);
    }
  }

  /** An idle environment, or a new one under the cap, marked busy; undefined at the cap. */
  private take(): Environment | undefined {
    let env = this.idle.pop();
    if (!env) {
      if (this.all.size >= this.cap) return undefined;
      env = new Environment(this, this.config, this.options);
      this.all.add(env);
      this.startReaper();
    }
    env.state = env.state === 'init' ? 'init' : 'busy';
    return env;
  }

  /** @internal An environment finished an invocation and can take another. */
  release(env: Environment): void {
    if (this.disposed || !this.all.has(env)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      env.state = 'busy';
      this.startWaiter(env, waiter);
    } else {
      this.idle.push(env);
    }
  }

  /** @internal An environment's process is gone; its slot may serve a waiting invocation. */
  remove(env: Environment): void {
    if (!this.all.delete(env)) return;
    const index = this.idle.indexOf(env);
    if (index >= 0) this.idle.splice(index, 1);
    if (this.disposed || this.waiting === 0) return;
    const next = this.take();
    if (next) this.startWaiter(next, this.waiters.shift()!);
  }

  private startReaper(): void {
    if (this.reaper) return;
    // One unref'd sweep per pool instead of a timer per invocation: cheap on the hot path.
    this.reaper = setInterval(() => this.reap(), Math.max(10, Math.min(30_000, this.idleTimeoutMs / 4)));
    this.reaper.unref();
  }

  private reap(): void {
    const cutoff = performance.now() - this.idleTimeoutMs;
    for (const env of [...this.idle]) {
      if (env.lastUsed <= cutoff) {
        this.remove(env);
        void env.kill();
      }
    }
    if (this.all.size === 0 && this.reaper) {
      clearInterval(this.reaper);
      this.reaper = undefined;
    }
  }

  /** Kills every child process; waiting invocations are refused. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
    let waiter;
    while ((waiter = this.waiters.shift())) waiter.reject(new ThrottledError('function pool is disposed'));
    const envs = [...this.all];
    this.idle.length = 0;
    await Promise.all(envs.map((env) => env.kill()));
    this.all.clear();
  }
}
