/** Why an asynchronous invocation ended, as the record's `requestContext.condition`. */
export type InvocationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The last attempt's outcome, when there was one. */
export interface AttemptOutcome {
  readonly ok: boolean;
  /** JSON text returned by the handler, or its error payload. */
  readonly payload: string;
}

/** What an asynchronous invocation knows when it ends. */
export interface InvocationRecordInput {
  readonly requestId: string;
  /** Unqualified function ARN; the record names `$LATEST`. */
  readonly functionArn: string;
  readonly condition: InvocationCondition;
  readonly approximateInvokeCount: number;
  /** The event as the caller sent it (JSON text). */
  readonly requestPayload: string;
  /** Absent when the event expired before any attempt ran (throttled throughout). */
  readonly outcome?: AttemptOutcome;
  /** Epoch ms of the record. */
  readonly time: number;
  /** `requestPayload` already parsed, when the caller has it (undefined: parse it here). */
  readonly requestValue?: unknown;
  /** `outcome.payload` already parsed, when the caller has it (undefined: parse it here). */
  readonly responseValue?: unknown;
}

/**
 * The invocation record Lambda sends to a destination, with AWS's field
 * order (a destination that prints the JSON text shows it as AWS does).
 */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: InvocationCondition;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: 'Unhandled';
  };
  readonly responsePayload?: unknown;
}

/** The record for a destination; payloads are embedded as JSON values, as AWS does. */
export function buildInvocationRecord(input: InvocationRecordInput): InvocationRecord {
  const record: {
    -readonly [K in keyof InvocationRecord]: InvocationRecord[K];
  } = {
    version: '1.0',
    // AWS writes ISO-8601 with milliseconds and `Z`, e.g. 2019-11-24T23:08:25.651Z.
    timestamp: new Date(input.time).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: `${input.functionArn}:$LATEST`,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    // JSON.parse never gives undefined, so undefined means "not parsed yet".
    requestPayload: input.requestValue !== undefined ? input.requestValue : parseJson(input.requestPayload),
  };
  if (input.outcome) {
    record.responseContext = {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(input.outcome.ok ? {} : { functionError: 'Unhandled' as const }),
    };
    record.responsePayload = input.responseValue !== undefined ? input.responseValue : parseJson(input.outcome.payload);
  }
  return record;
}

/** Destinations carry the payloads as JSON values; text that is not JSON stays a string. */
function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
