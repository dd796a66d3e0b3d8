/**
 * The IPC messages between the pool (parent) and the runtime shim (child).
 * Short keys because every invocation sends two of them and the fork
 * channel JSON-encodes each one.
 */

/** Parent -> child: run one invocation. */
export interface InvokeMessage {
  readonly t: 'i';
  /** Request id. */
  readonly id: string;
  /** Event JSON text. */
  readonly p: string;
  /** Deadline, epoch ms, for `context.getRemainingTimeInMillis()`. */
  readonly d: number;
}

/** Child -> parent: one log event (a console call or a raw stdout line), sent as it is printed. */
export interface LogMessage {
  readonly t: 'l';
  readonly ts: number;
  /** The line with its newline, as the log store keeps it. */
  readonly m: string;
}

/** Child -> parent: module loaded (or failed to). Sent once. */
export interface InitMessage {
  readonly t: 'n';
  readonly ok: boolean;
  /** Init duration in ms. */
  readonly ms: number;
  /** Error payload JSON when `ok` is false. */
  readonly p?: string;
  /** errorType, for the REPORT line. */
  readonly et?: string;
  /** Peak resident set size so far, bytes. */
  readonly rss: number;
  /** The runtime's pid, for the pool's memory metrics (the parent only knows the intermediate shell's). */
  readonly pid: number;
}

/** Child -> parent: an invocation finished. */
export interface ResultMessage {
  readonly t: 'r';
  readonly id: string;
  readonly ok: boolean;
  /** Result JSON or error payload JSON. */
  readonly p: string;
  /** Handler duration, ms. */
  readonly ms: number;
  /** Peak resident set size of the runtime so far (getrusage's maxRSS), bytes. */
  readonly rss: number;
  /**
   * The runtime is about to exit with this status (uncaught exception 129,
   * unhandled rejection 128): the environment must not be reused.
   */
  readonly exit?: number;
}

export type ChildMessage = LogMessage | InitMessage | ResultMessage;
export type ParentMessage = InvokeMessage;
