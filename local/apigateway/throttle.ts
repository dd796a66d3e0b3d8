/**
 * Stage and method throttling: a token bucket per stage (MethodSettings with
 * `*` and `/*`) and per method (MethodSettings naming one). Throttling is
 * about request rates the client really makes, so it runs in real time, not
 * in the runtime's scaled AWS time.
 */
import type { MethodSettingDef } from './types.js';

/** A token bucket: `burst` tokens, refilled at `rate` per second. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Take a token; false when the bucket is empty. */
  tryTake(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Resource path as MethodSettings spell it: `/` escaped as `~1`, but the root resource is plain `/`. */
export function methodSettingPath(resourcePath: string): string {
  return resourcePath === '/' ? '/' : `/${resourcePath.replace(/\//g, '~1')}`;
}

/** All the buckets of one stage. */
export class StageThrottle {
  private stageBucket?: TokenBucket;
  private readonly methodBuckets = new Map<string, TokenBucket>();

  constructor(settings: readonly MethodSettingDef[], now: () => number = () => Date.now()) {
    for (const s of settings) {
      if (s.throttlingRateLimit === undefined && s.throttlingBurstLimit === undefined) continue;
      // AWS: a negative limit means "not set"; a missing one falls back to the account default.
      const rate = s.throttlingRateLimit !== undefined && s.throttlingRateLimit >= 0 ? s.throttlingRateLimit : 10_000;
      const burst = s.throttlingBurstLimit !== undefined && s.throttlingBurstLimit >= 0 ? s.throttlingBurstLimit : 5_000;
      const bucket = new TokenBucket(rate, burst, now);
      if (s.httpMethod === '*' && s.resourcePath === '/*') this.stageBucket = bucket;
      else this.methodBuckets.set(`${s.resourcePath} ${s.httpMethod.toUpperCase()}`, bucket);
    }
  }

  /** True when the request may go on; the method's own limit replaces the stage's. */
  admit(resourcePath: string, httpMethod: string): boolean {
    // Most stages limit the stage only: no per-method key to build on every request.
    if (this.methodBuckets.size === 0) return this.stageBucket ? this.stageBucket.tryTake() : true;
    const key = methodSettingPath(resourcePath);
    const bucket =
      this.methodBuckets.get(`${key} ${httpMethod.toUpperCase()}`) ?? this.methodBuckets.get(`${key} *`) ?? this.stageBucket;
    return bucket ? bucket.tryTake() : true;
  }
}
