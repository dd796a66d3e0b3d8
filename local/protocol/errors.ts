/**
 * An error as an AWS API reports it. Service logic throws these; the wire
 * protocol at the edge turns them into the protocol's error shape (JSON
 * `__type`, Query `<ErrorResponse>`, REST-JSON `x-amzn-ErrorType`).
 */
export class AwsError extends Error {
  constructor(
    /** The AWS error code, e.g. `ResourceNotFoundException`. */
    readonly code: string,
    message: string,
    /** HTTP status AWS answers with. */
    readonly statusCode = 400,
    /** `Sender` (client fault) or `Receiver` (server fault), for Query XML. */
    readonly fault: 'Sender' | 'Receiver' = statusCode >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }

  /** `error` itself when it is an AwsError, otherwise a 500 `InternalFailure` carrying its message. */
  static from(error: unknown): AwsError {
    if (error instanceof AwsError) return error;
    return new AwsError('InternalFailure', error instanceof Error ? error.message : String(error), 500);
  }
}

/**
 * A template the runtime cannot serve faithfully. Thrown at start-up so an
 * unsupported feature is never silently ignored.
 */
export class UnsupportedTemplateError extends Error {
  constructor(
    readonly logicalId: string,
    /** Property path, e.g. `Properties.VpcConfig`. */
    readonly propertyPath: string,
    detail: string,
  ) {
    super(`${logicalId}: ${propertyPath}: ${detail}`);
    this.name = 'UnsupportedTemplateError';
  }
}
