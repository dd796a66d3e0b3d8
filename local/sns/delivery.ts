import { AwsError } from '../protocol/errors.js';

/**
 * SNS's delivery policy for AWS-managed endpoints (Lambda, SQS), which a
 * subscription cannot change: 3 immediate retries, 2 more 1 s apart, 10
 * backing off from 1 s to 20 s, then 100,000 every 20 s (about 23 days).
 * Yields the AWS milliseconds to wait before each retry, with its phase.
 */
export function* managedRetryDelays(): Generator<{ readonly delayMs: number; readonly phase: RetryPhase }> {
  for (let i = 0; i < 3; i++) yield { delayMs: 0, phase: 'immediate' };
  for (let i = 0; i < 2; i++) yield { delayMs: 1_000, phase: 'pre-backoff' };
  // Exponential from the minimum to the maximum delay across the backoff retries.
  for (let i = 0; i < 10; i++) yield { delayMs: Math.round(1_000 * 20 ** (i / 9)), phase: 'backoff' };
  for (let i = 0; i < 100_000; i++) yield { delayMs: 20_000, phase: 'post-backoff' };
}

/** The four phases of SNS's delivery policy. */
export type RetryPhase = 'immediate' | 'pre-backoff' | 'backoff' | 'post-backoff';

/** Total attempts under the managed policy: the first plus 100,015 retries. */
export const MANAGED_MAX_ATTEMPTS = 100_016;

/**
 * SNS does not retry a client-side error (the endpoint is gone or its
 * policy refuses SNS: 4xx other than throttling) and does retry
 * server-side ones (throttling, 5xx, anything unexpected).
 */
export function isClientError(error: unknown): boolean {
  if (!(error instanceof AwsError)) return false;
  if (error.statusCode === 429 || /Throttl|TooManyRequests/i.test(error.code)) return false;
  return error.statusCode >= 400 && error.statusCode < 500;
}

/** `Code: message` of any error, for traces. */
export function describeError(error: unknown): string {
  if (error instanceof AwsError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
