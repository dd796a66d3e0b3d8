/**
 * Shapes of the invocation record that Lambda sends to an asynchronous
 * invocation destination. With an EventBridge destination the record becomes
 * the event's `detail`.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */

/** Why Lambda produced the record. */
export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The `detail-type` Lambda gives a successful invocation's record. */
export const SUCCESS_DETAIL_TYPE = 'Lambda Function Invocation Result - Success';

/** The `detail-type` Lambda gives a failed (or expired) invocation's record. */
export const FAILURE_DETAIL_TYPE = 'Lambda Function Invocation Result - Failure';

/** What a Node.js handler's thrown error looks like once Lambda serialises it. */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/**
 * One asynchronous invocation record.
 *
 * @typeParam TResponse - the function's return value (success) or
 *   {@link LambdaErrorPayload} (failure)
 * @typeParam TRequest - the event the function was invoked with
 */
export interface DestinationRecord<TResponse = unknown, TRequest = unknown> {
  readonly version: string;
  /** ISO-8601 time the record was produced. */
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    /** Qualified ARN of the invoked function, e.g. `...:function:name:$LATEST`. */
    readonly functionArn: string;
    readonly condition: DestinationCondition;
    /** How many times Lambda tried the event (1 + retries). */
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: TRequest;
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** Present (`Unhandled`) when the function threw, timed out or crashed. */
    readonly functionError?: string;
  };
  /** Absent when the event expired before any attempt ran. */
  readonly responsePayload?: TResponse;
}
