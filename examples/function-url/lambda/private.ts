import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';

/** The IAM-authenticated URL's handler: answers with the caller Lambda authenticated (the event's `requestContext.authorizer.iam`). */
export const handler = async (event: LambdaFunctionURLEventWithIAMAuthorizer): Promise<Record<string, unknown>> => {
  const { iam } = event.requestContext.authorizer;
  return { message: 'Hello, signed caller', accessKey: iam.accessKey, userArn: iam.userArn, accountId: iam.accountId };
};
