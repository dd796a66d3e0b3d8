import { AwsError } from '../protocol/errors.js';

/** An AwsError whose REST-JSON body carries extra members (e.g. `Reason` of a throttle). */
export class LambdaError extends AwsError {
  constructor(
    code: string,
    message: string,
    statusCode: number,
    /** Extra body members, as AWS sends them. */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, message, statusCode);
  }
}

/** `Function not found: <arn>`, as Invoke words it. */
export function functionNotFound(arn: string): AwsError {
  return new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

/** `The function doesn't exist.`, as the EventInvokeConfig operations word it. */
export function functionDoesNotExist(): AwsError {
  return new AwsError('ResourceNotFoundException', "The function doesn't exist.", 404);
}

/** Lambda's APIs are regional: a function of another region, as Lambda words it. */
export function notReachableMessage(functionRegion: string, region: string): string {
  return `Functions from '${functionRegion}' are not reachable in this region ('${region}')`;
}
