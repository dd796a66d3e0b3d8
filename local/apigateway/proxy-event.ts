/**
 * The Lambda proxy integration event, payload format 1.0, as API Gateway
 * REST APIs send it (`APIGatewayProxyEvent` in @types/aws-lambda).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The request as the proxy event describes it. */
export interface ProxyEventInput {
  readonly resourcePath: string;
  readonly resourceId: string;
  /** Path after the stage. */
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly context: {
    readonly requestId: string;
    readonly extendedRequestId: string;
    readonly requestTime: string;
    readonly requestTimeEpoch: number;
    readonly accountId: string;
    readonly apiId: string;
    readonly stage: string;
    readonly deploymentId: string;
    readonly domainName: string;
    readonly protocol: string;
    readonly sourceIp: string;
    readonly userAgent: string;
    /** A Lambda authorizer's principalId and context. */
    readonly authorizer?: Readonly<Record<string, unknown>>;
  };
}

/** The event's request context fields, read from the method's `$context` (as the service builds it). */
export function proxyEventContext(context: Readonly<Record<string, unknown>>): ProxyEventInput['context'] {
  const identity = (context.identity ?? {}) as Readonly<Record<string, unknown>>;
  return {
    requestId: String(context.requestId),
    extendedRequestId: String(context.extendedRequestId),
    requestTime: String(context.requestTime),
    requestTimeEpoch: Number(context.requestTimeEpoch),
    accountId: String(context.accountId),
    apiId: String(context.apiId),
    stage: String(context.stage),
    deploymentId: String(context.deploymentId),
    domainName: String(context.domainName),
    protocol: String(context.protocol),
    sourceIp: String(identity.sourceIp ?? ''),
    userAgent: String(identity.userAgent ?? ''),
    ...(context.authorizer ? { authorizer: context.authorizer as Readonly<Record<string, unknown>> } : {}),
  };
}

function single(values: Readonly<Record<string, readonly string[]>>): Record<string, string> | null {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return Object.fromEntries(entries.map(([k, v]) => [k, v[v.length - 1] ?? '']));
}

function multi(values: Readonly<Record<string, readonly string[]>>): Record<string, string[]> | null {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return Object.fromEntries(entries.map(([k, v]) => [k, [...v]]));
}

/** The event a Lambda proxy integration sends. */
export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const c = input.context;
  const stageVariables = Object.keys(input.stageVariables).length > 0 ? { ...input.stageVariables } : null;
  return {
    resource: input.resourcePath,
    path: input.path,
    httpMethod: input.httpMethod,
    headers: single(input.headers) ?? {},
    multiValueHeaders: multi(input.headers) ?? {},
    queryStringParameters: single(input.query),
    multiValueQueryStringParameters: multi(input.query),
    pathParameters: Object.keys(input.pathParameters).length > 0 ? { ...input.pathParameters } : null,
    stageVariables,
    requestContext: {
      resourceId: input.resourceId,
      resourcePath: input.resourcePath,
      httpMethod: input.httpMethod,
      extendedRequestId: c.extendedRequestId,
      requestTime: c.requestTime,
      path: `/${c.stage}${input.path}`,
      accountId: c.accountId,
      protocol: c.protocol,
      stage: c.stage,
      domainPrefix: c.domainName.split('.')[0] ?? c.domainName,
      requestTimeEpoch: c.requestTimeEpoch,
      requestId: c.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: c.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: c.userAgent,
        user: null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
      },
      domainName: c.domainName,
      deploymentId: c.deploymentId,
      apiId: c.apiId,
      ...(c.authorizer ? { authorizer: { ...c.authorizer, integrationLatency: 0 } } : {}),
    } as APIGatewayProxyEvent['requestContext'],
    // Without BinaryMediaTypes every payload is text to API Gateway.
    body: input.body.length === 0 ? null : input.body.toString('utf8'),
    isBase64Encoded: false,
  };
}
