import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../local/protocol/errors.js';
import { isClientError, MANAGED_MAX_ATTEMPTS, managedRetryDelays } from '../../../local/sns/delivery.js';

describe('managedRetryDelays', () => {
  it('follows the SNS policy for AWS-managed endpoints', () => {
    const delays = [...managedRetryDelays()];
    expect(delays).toHaveLength(MANAGED_MAX_ATTEMPTS - 1);
    expect(delays.slice(0, 5)).toEqual([
      { delayMs: 0, phase: 'immediate' },
      { delayMs: 0, phase: 'immediate' },
      { delayMs: 0, phase: 'immediate' },
      { delayMs: 1_000, phase: 'pre-backoff' },
      { delayMs: 1_000, phase: 'pre-backoff' },
    ]);
    const backoff = delays.filter((d) => d.phase === 'backoff').map((d) => d.delayMs);
    expect(backoff).toHaveLength(10);
    expect(backoff[0]).toBe(1_000);
    expect(backoff[9]).toBe(20_000);
    for (let i = 1; i < backoff.length; i++) expect(backoff[i]!).toBeGreaterThan(backoff[i - 1]!);
    expect(delays.at(-1)).toEqual({ delayMs: 20_000, phase: 'post-backoff' });
    // About 23 days of AWS time in all.
    const days = delays.reduce((sum, d) => sum + d.delayMs, 0) / 86_400_000;
    expect(days).toBeGreaterThan(23);
    expect(days).toBeLessThan(23.2);
  });
});

describe('isClientError', () => {
  it('treats 4xx as client-side except throttling, and 5xx or unknown failures as server-side', () => {
    expect(isClientError(new AwsError('AccessDeniedException', 'denied', 403))).toBe(true);
    expect(isClientError(new AwsError('ResourceNotFoundException', 'gone', 404))).toBe(true);
    expect(isClientError(new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'gone', 400))).toBe(true);
    expect(isClientError(new AwsError('TooManyRequestsException', 'slow down', 429))).toBe(false);
    expect(isClientError(new AwsError('ThrottlingException', 'slow down', 400))).toBe(false);
    expect(isClientError(new AwsError('ServiceException', 'boom', 500))).toBe(false);
    expect(isClientError(new Error('socket hang up'))).toBe(false);
  });
});
