/**
 * GET /square/{number}: squares `number`. The API's request template hands
 * over the path and query values as strings: `{"number": "3", "mode": ""}`.
 *
 * Two ways to fail, each with an errorMessage the API's integration
 * responses select on:
 * - `BadRequest: ...` when `number` is not a decimal number (API answers 400);
 * - `Failed on purpose: ...` with `?mode=fail` (API answers 500 when
 *   synchronous; asynchronously Lambda retries, then sends the record to
 *   the on-failure queue).
 */
import type { Context } from 'aws-lambda';

/** What the API's request mapping template sends. */
export interface SquareEvent {
  readonly number: string;
  /** `fail` makes the call fail; anything else (or nothing) squares. */
  readonly mode?: string;
}

export interface SquareResult {
  readonly square: number;
}

/** Optional sign, digits, optional fraction: what `Number()` reads back exactly, unlike `1e3`, `0x10` or ` 3`. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

export async function handler(event: SquareEvent, context: Context): Promise<SquareResult> {
  const text = String(event.number ?? '');
  if (!DECIMAL.test(text)) throw new Error(`BadRequest: number must be a decimal number, got ${JSON.stringify(text)}`);
  if (event.mode === 'fail') throw new Error(`Failed on purpose: mode=fail (request ${context.awsRequestId})`);
  const n = Number(text);
  console.log(JSON.stringify({ number: n, square: n * n }));
  return { square: n * n };
}
