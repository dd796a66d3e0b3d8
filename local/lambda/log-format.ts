/**
 * The platform's own log lines, as CloudWatch shows them for a Lambda
 * function (the runtime's console lines are formatted in the shim).
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * `INIT_START Runtime Version: nodejs:22.v<N>\tRuntime Version ARN: arn:...:runtime:<64 hex>`,
 * the first line of every execution environment's stream. The major comes
 * from the function's Runtime, the revision from the local Node.js that
 * really runs it, and the ARN's hash from both, so they stay stable between
 * runs on one machine.
 */
export function initStartLine(runtime: string, region: string, partition = 'aws'): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1] ?? process.versions.node.split('.')[0]!;
  const version = `nodejs:${major}.v${process.versions.node.split('.')[1] ?? '0'}`;
  const hash = createHash('sha256').update(`${version}/${process.versions.node}`).digest('hex');
  return `INIT_START Runtime Version: ${version}\tRuntime Version ARN: arn:${partition}:lambda:${region}::runtime:${hash}`;
}

/** `START RequestId: <id> Version: $LATEST` (only $LATEST exists locally). */
export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST`;
}

/** `END RequestId: <id>` */
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** Fields of a REPORT line. */
export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
  /** `timeout` or `error`; absent on success and on an ordinary function error. */
  readonly status?: 'timeout' | 'error';
  /** With status `error`, e.g. `Runtime.ExitError`. */
  readonly errorType?: string;
}

/** The REPORT line: tab-separated fields, each followed by a tab, as Lambda writes it. */
export function reportLine(f: ReportFields): string {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${f.billedDurationMs} ms\tMemory Size: ${f.memorySizeMb} MB\t` +
    `Max Memory Used: ${f.maxMemoryUsedMb} MB\t`;
  if (f.initDurationMs !== undefined) line += `Init Duration: ${f.initDurationMs.toFixed(2)} ms\t`;
  if (f.status !== undefined) line += `Status: ${f.status}\t`;
  if (f.status === 'error' && f.errorType !== undefined) line += `Error Type: ${f.errorType}\t`;
  return line;
}

/** `INIT_REPORT` for an init phase that failed or timed out (a successful one is on REPORT instead). */
export function initReportLine(initDurationMs: number, status: 'error' | 'timeout', errorType?: string): string {
  let line = `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}`;
  if (status === 'error' && errorType !== undefined) line += `\tError Type: ${errorType}`;
  return line;
}

/** Billing rounds the duration up to the next millisecond (at least 1 ms). */
export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** `<ISO time> <id> Task timed out after 3.00 seconds` (spaces, not tabs: the platform writes it). */
export function timeoutLine(requestId: string, timeoutSeconds: number, at: number): string {
  return `${new Date(at).toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** The message Lambda returns and logs when the runtime process ends mid-invocation. */
export function runtimeExitMessage(requestId: string, exit: { code: number | null; signal: string | null }): string {
  // A clean exit (process.exit(0) mid-invocation) is not an "error" to the platform, but still ends the invoke.
  if (exit.signal === null && exit.code === 0) return `RequestId: ${requestId} Error: Runtime exited without providing a reason`;
  const how = exit.signal !== null ? `signal: ${signalWord(exit.signal)}` : `exit status ${exit.code ?? 0}`;
  return `RequestId: ${requestId} Error: Runtime exited with error: ${how}`;
}

/** Go's os.ProcessState wording, which Lambda's platform uses. */
function signalWord(signal: string): string {
  switch (signal) {
    case 'SIGKILL':
      return 'killed';
    case 'SIGABRT':
      return 'aborted (core dumped)';
    case 'SIGSEGV':
      return 'segmentation fault';
    case 'SIGTERM':
      return 'terminated';
    default:
      return signal;
  }
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>`, one per execution environment. */
export function logStreamName(now: number): string {
  const d = new Date(now);
  const date = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${date}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** Memory in MB as REPORT prints it. */
export function toMb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
