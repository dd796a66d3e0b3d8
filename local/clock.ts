/**
 * The runtime's sense of AWS time. Every wait AWS imposes (async retry
 * back-off, maximum event age, visibility timeouts) goes through a Clock so
 * `--time-scale` shrinks them all alike: at the default 1/60 an AWS minute
 * passes in one local second.
 */
export interface Clock {
  /** Multiplier applied to AWS durations (1 = real time). */
  readonly scale: number;
  /** Wall-clock epoch milliseconds (timestamps stay real). */
  now(): number;
  /** Local milliseconds that correspond to `awsMs` of AWS time. */
  toLocalMs(awsMs: number): number;
  /** AWS milliseconds that correspond to `localMs` of elapsed local time. */
  toAwsMs(localMs: number): number;
  /** Resolve after `awsMs` of AWS time (that is, `awsMs * scale` locally). */
  sleep(awsMs: number, signal?: AbortSignal): Promise<void>;
}

export const DEFAULT_TIME_SCALE = 1 / 60;

export function createClock(scale: number = DEFAULT_TIME_SCALE): Clock {
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`time scale must be a positive number, got ${scale}`);
  }
  return {
    scale,
    now: () => Date.now(),
    toLocalMs: (awsMs) => awsMs * scale,
    toAwsMs: (localMs) => localMs / scale,
    sleep: (awsMs, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.max(0, awsMs * scale));
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
