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
    sleep: (awsMs, signal) => sleep(Math.max(0, awsMs * scale), signal),
  };
}

interface Sleeper {
  readonly timer: NodeJS.Timeout;
  readonly reject: (reason: unknown) => void;
}

/**
 * Sleepers of each signal. Many waits share one long-lived signal (a
 * service's "stopping"), so the signal gets one abort listener for all of
 * them instead of an add and a remove per sleep.
 */
const sleepersBySignal = new WeakMap<AbortSignal, Set<Sleeper>>();

function sleep(localMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, localMs));
  if (signal.aborted) return Promise.reject(signal.reason);
  let sleepers = sleepersBySignal.get(signal);
  if (!sleepers) {
    const set = new Set<Sleeper>();
    sleepers = set;
    sleepersBySignal.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const s of set) {
          clearTimeout(s.timer);
          s.reject(signal.reason);
        }
        set.clear();
      },
      { once: true },
    );
  }
  const set = sleepers;
  return new Promise<void>((resolve, reject) => {
    const sleeper: Sleeper = {
      timer: setTimeout(() => {
        set.delete(sleeper);
        resolve();
      }, localMs),
      reject,
    };
    set.add(sleeper);
  });
}
