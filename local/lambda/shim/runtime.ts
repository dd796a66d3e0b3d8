/**
 * The child side of an execution environment: what `/var/runtime` is on AWS.
 * Loads the handler once (init), then runs invocations the pool sends over
 * the fork IPC channel, one at a time, and reports results, log lines and
 * fatal errors back over the same channel so their order is preserved.
 *
 * `context.callbackWaitsForEmptyEventLoop` is accepted but not honoured: the
 * result is returned as soon as the handler settles or calls back, as AWS does
 * when it is set to false. Pending timers then run during the next
 * invocation, as they would on a frozen-and-thawed AWS environment.
 */
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { format } from 'node:util';
import { RuntimeError, toFormatted, toRapidResponse } from './errors.js';
import { loadHandler, type Handler } from './loader.js';
import type { ChildMessage, InvokeMessage, ParentMessage } from './messages.js';

const env = process.env;
const functionName = env['AWS_LAMBDA_FUNCTION_NAME'] ?? '';
const functionVersion = env['AWS_LAMBDA_FUNCTION_VERSION'] ?? '$LATEST';
const memoryLimitInMB = env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'] ?? '128';
const logGroupName = env['AWS_LAMBDA_LOG_GROUP_NAME'] ?? '';
const logStreamName = env['AWS_LAMBDA_LOG_STREAM_NAME'] ?? '';
const functionArn = env['_LOCAL_FUNCTION_ARN'] ?? '';
const exitReportFd = Number(env['_LOCAL_EXIT_FD'] ?? NaN);
delete env['_LOCAL_FUNCTION_ARN'];
delete env['_LOCAL_EXIT_FD'];

function send(message: ChildMessage, then?: () => void): void {
  if (!process.connected) return;
  try {
    process.send!(message, undefined, undefined, then ? () => then() : undefined);
  } catch {
    // The pool went away; nothing left to report to.
  }
}

// ------------------------------------------------------------------ logging

/** `undefined` during init, as AWS prints it. */
let currentRequestId: string | undefined;

/**
 * Each line leaves at once, as Lambda's runtime writes it: a handler that
 * prints and then blocks synchronously until its timeout (or crashes the
 * process) still has that line in its log stream. Coalescing the lines of a
 * synchronous run into one message was tried and saved the runtime about 1%
 * of its main thread in the pipeline, at the cost of exactly those lines.
 * The line goes with its newline, as CloudWatch keeps it, so the parent
 * stores the text it receives as it is.
 */
function emit(line: string, timestamp = Date.now()): void {
  emitText(`${line}\n`, timestamp);
}

/** A line that already ends with its newline. */
function emitText(text: string, timestamp: number): void {
  send({ t: 'l', ts: timestamp, m: text });
}

const LEVELS: ReadonlyArray<readonly [keyof Console, string]> = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
];
/** The ISO text of the current second up to its milliseconds ("2026-01-02T03:04:05."), made once a second. */
let isoSecond = -1;
let isoSecondPrefix = '';

/** `new Date(ms).toISOString()` for an integer epoch ms: ~0.04 us instead of ~0.8 us a console line. */
function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoSecondPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const milli = ms - second * 1000;
  return `${isoSecondPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

for (const [method, level] of LEVELS) {
  (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) => {
    const now = Date.now();
    emit(`${isoTime(now)}\t${currentRequestId}\t${level}\t${format(...args)}`, now);
  };
}

/** Raw writes (e.g. Powertools' JSON) pass through untouched, one log event per line. */
function patchStream(stream: NodeJS.WriteStream): () => void {
  let partial = '';
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    if (partial === '' && text.length !== 0 && text.indexOf('\n') === text.length - 1) {
      // One whole line (a logger's JSON line): sent as written, without splitting it and joining its
      // newline again, which made the IPC encoder flatten a copy of a line of a few KB.
      emitText(text, Date.now());
    } else {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) emit(line);
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof stream.write;
  return () => {
    if (partial !== '') emit(partial);
    partial = '';
  };
}
const flushStdout = patchStream(process.stdout);
const flushStderr = patchStream(process.stderr);

// ------------------------------------------------------------------ invocations

interface Active {
  readonly id: string;
  readonly start: number;
  done: boolean;
}
let active: Active | undefined;

/**
 * The process's peak resident set size so far, in bytes: what REPORT's "Max
 * Memory Used" means. One getrusage call, where `process.memoryUsage.rss()`
 * opens, reads and parses /proc/self/stat (three syscalls, ~9 µs against
 * ~2 µs here, more in a freshly woken process); and a peak the handler
 * reached and released before it returned still counts, as on AWS.
 */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function finish(inv: Active, ok: boolean, payload: string, exit?: number): void {
  if (inv.done) return;
  inv.done = true;
  flushStdout();
  flushStderr();
  const ms = performance.now() - inv.start;
  const message: ChildMessage = {
    t: 'r',
    id: inv.id,
    ok,
    p: payload,
    ms,
    rss: peakRss(),
    ...(exit === undefined ? {} : { exit }),
  };
  if (active === inv) active = undefined;
  send(message, exit === undefined ? undefined : () => process.exit(exit));
}

function fail(inv: Active, error: unknown): void {
  if (inv.done) return;
  console.error('Invoke Error', toFormatted(error));
  finish(inv, false, JSON.stringify(toRapidResponse(error)));
}

function succeed(inv: Active, result: unknown): void {
  if (inv.done) return;
  let json: string;
  try {
    json = JSON.stringify(result === undefined ? null : result);
  } catch {
    // The runtime throws this from its response poster and reports it as the invocation's error.
    fail(inv, new Error('Unable to stringify response body'));
    return;
  }
  finish(inv, true, json);
}

function makeContext(inv: Active, deadline: number, callback: (err?: unknown, result?: unknown) => void) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: functionArn,
    memoryLimitInMB,
    awsRequestId: inv.id,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: callback,
    succeed: (result: unknown) => succeed(inv, result),
    fail: (error: unknown) => fail(inv, error ?? new Error('handled')),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function invoke(handler: Handler, message: InvokeMessage): void {
  const inv: Active = { id: message.id, start: performance.now(), done: false };
  active = inv;
  currentRequestId = message.id;
  const callback = (err?: unknown, result?: unknown) => {
    if (err !== undefined && err !== null) fail(inv, err);
    else succeed(inv, result);
  };
  try {
    const event: unknown = JSON.parse(message.p);
    const returned = handler(event, makeContext(inv, message.d, callback), callback);
    if (isThenable(returned)) {
      returned.then(
        (result) => succeed(inv, result),
        (error: unknown) => fail(inv, error),
      );
    } else if (handler.length < 3) {
      // A synchronous handler without a callback: AWS answers null once the event loop drains.
      setImmediate(() => succeed(inv, null));
    }
  } catch (error) {
    fail(inv, error);
  }
}

// ------------------------------------------------------------------ fatal errors

/** Init has been reported to the pool (successfully or not). */
let initReported = false;
/** A fatal error arrived between invocations: the environment is ending, and runs nothing more. */
let dying = false;

/**
 * The Node.js runtime posts an uncaught exception or unhandled rejection to
 * the invocation it is running, or as an init error during init, then exits
 * (129 / 128), and Lambda replaces the environment
 * (https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/blob/main/src/index.mjs,
 * `errorCallbacks`). Between invocations nothing is running to charge: the
 * environment just ends; an invocation already sent to it never started,
 * which the exit report below tells the pool, so it runs on a fresh one.
 */
function onFatal(error: unknown, exitCode: number): void {
  const payload = toRapidResponse(error);
  if (active) {
    finish(active, false, JSON.stringify(payload), exitCode);
  } else if (!initReported) {
    reportInit({ ok: false, p: JSON.stringify(payload), et: payload.errorType }, () => process.exit(exitCode));
  } else {
    dying = true;
    setImmediate(() => process.exit(exitCode));
  }
}

process.on('uncaughtException', (error) => {
  console.error('Uncaught Exception', toFormatted(error));
  onFatal(error, 129);
});

process.on('unhandledRejection', (reason, promise) => {
  const error = new RuntimeError('Runtime.UnhandledPromiseRejection', String((reason as object | null)?.toString?.() ?? reason));
  // Like the runtime's UnhandledPromiseRejection: the raw reason and promise are logged with it.
  Object.assign(error, { reason, promise });
  console.error('Unhandled Promise Rejection', toFormatted(error));
  onFatal(error, 128);
});

// The pool sees node only through an intermediate shell, which hides how it ended: say it here,
// with the invocation running at that moment (none when the exit came between invocations).
process.on('exit', (code) => {
  if (!Number.isInteger(exitReportFd)) return;
  try {
    writeSync(exitReportFd, `${code} ${active?.id ?? ''}\n`);
  } catch {
    // The pool went away.
  }
});

// A dead parent must not leave orphan environments behind.
process.on('disconnect', () => process.exit(0));

// ------------------------------------------------------------------ init

const initStart = performance.now();

function reportInit(outcome: { ok: true } | { ok: false; p: string; et: string }, then?: () => void): void {
  if (initReported) return;
  initReported = true;
  flushStdout();
  flushStderr();
  send({ t: 'n', ...outcome, ms: performance.now() - initStart, rss: peakRss(), pid: process.pid }, then);
}

let handler: Handler | undefined;
try {
  handler = await loadHandler(env['LAMBDA_TASK_ROOT'] ?? process.cwd(), env['_HANDLER'] ?? '');
  reportInit({ ok: true });
} catch (error) {
  console.error('Uncaught Exception', toFormatted(error));
  const payload = toRapidResponse(error);
  reportInit({ ok: false, p: JSON.stringify(payload), et: payload.errorType });
}

const loaded = handler;
// Listening keeps the runtime alive; after a failed init it waits for the pool to end it.
process.on('message', (message: ParentMessage) => {
  if (message.t === 'i' && loaded && !dying) invoke(loaded, message);
});
