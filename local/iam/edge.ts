/**
 * IAM at the runtime's AWS API edge: a call signed with credentials the
 * runtime gave a function's environment is checked against that function's
 * execution role; an outside caller is checked only with
 * `--enforce-iam-for-callers ROLE_ARN`. A denied call gets the error the
 * service answers, on its own wire protocol.
 */
import { randomUUID } from 'node:crypto';
import type { HttpHandler, HttpRequest, HttpResponse } from '../protocol/http.js';
import { headerValue } from '../protocol/http.js';
import { handleJson, jsonTarget, type JsonService } from '../protocol/json.js';
import { handleQuery, isQueryRequestFor, parseForm, type QueryService } from '../protocol/query.js';
import { AwsError } from '../protocol/errors.js';
import type { StackEnvironment } from '../cloudformation/types.js';
import { ArnBuilder } from './arns.js';
import type { IamService } from './service.js';

/** What one AWS API call asks IAM for. */
export interface ApiCall {
  readonly action: string;
  readonly resources: readonly string[];
  /** The action as the service's error message spells it. */
  readonly messageAction?: string;
  /** The error the service answers with for a denial. */
  readonly error: (message: string) => AwsError;
}

const accessDenied400 = (m: string) => new AwsError('AccessDeniedException', m, 400);

/** IAM action and resources of an awsJson call (EventBridge, CloudWatch Logs, SQS). */
export function jsonCall(prefix: string, operation: string, input: Record<string, unknown>, arns: ArnBuilder): ApiCall | undefined {
  const str = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
  switch (prefix) {
    case 'AWSEvents': {
      const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Record<string, unknown>[]) : [];
      const resources =
        operation === 'PutEvents'
          ? [...new Set(entries.map((e) => arns.eventBus(typeof e?.['EventBusName'] === 'string' ? e['EventBusName'] : undefined)))]
          : [str('EventBusName') ? arns.eventBus(str('EventBusName')) : '*'];
      return { action: `events:${operation}`, resources, error: accessDenied400 };
    }
    case 'Logs_20140328': {
      const group = str('logGroupName') ?? str('logGroupIdentifier');
      return { action: `logs:${operation}`, resources: [group ? arns.logGroup(group) : '*'], error: accessDenied400 };
    }
    case 'AmazonSQS': {
      const queue = str('QueueUrl') ?? str('QueueName');
      return { action: `sqs:${operation}`, resources: [queue ? arns.queue(queue) : '*'], error: (m) => new AwsError('AccessDenied', m, 403) };
    }
    default:
      return undefined;
  }
}

/** IAM action and resources of a Query call (SNS, CloudFormation). */
export function queryCall(signingName: string, params: ReadonlyMap<string, string>, stackId: string): ApiCall | undefined {
  const action = params.get('Action');
  if (!action) return undefined;
  if (signingName === 'sns') {
    const topic = params.get('TopicArn') ?? params.get('TargetArn');
    return {
      action: `sns:${action}`,
      resources: [topic ?? '*'],
      messageAction: `SNS:${action}`,
      error: (m) => new AwsError('AuthorizationError', m, 403),
    };
  }
  if (signingName === 'cloudformation') {
    return { action: `cloudformation:${action}`, resources: [params.has('StackName') ? stackId : '*'], error: (m) => new AwsError('AccessDenied', m, 403) };
  }
  return undefined;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const INVOKE_ASYNC = /^\/2014-11-13\/functions\/([^/]+)\/invoke-async\/?$/;
const GET_FUNCTION = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?\/?$/;

/** IAM action and resource of a Lambda REST call the runtime serves. */
export function lambdaCall(req: HttpRequest, arns: ArnBuilder): ApiCall | undefined {
  const error = (m: string) => new AwsError('AccessDeniedException', m, 403);
  let m: RegExpExecArray | null;
  if ((m = INVOKE.exec(req.path) ?? INVOKE_ASYNC.exec(req.path)) && req.method === 'POST') {
    return { action: 'lambda:InvokeFunction', resources: [arns.lambdaFunction(m[1]!)], error };
  }
  if ((m = GET_FUNCTION.exec(req.path)) && req.method === 'GET') {
    return { action: m[2] ? 'lambda:GetFunctionConfiguration' : 'lambda:GetFunction', resources: [arns.lambdaFunction(m[1]!)], error };
  }
  return undefined;
}

/** The access key id a SigV4 request is signed with (header or presigned URL). */
export function accessKeyOf(req: HttpRequest): string | undefined {
  const auth = headerValue(req, 'authorization');
  const fromHeader = auth ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
  return fromHeader ?? /(?:^|&)X-Amz-Credential=([^%/&]+)(?:%2F|\/)/i.exec(req.rawQuery)?.[1];
}

/** Who the runtime checks a request as; undefined when it is not checked. */
export interface EdgeIdentity {
  readonly roleArn: string;
  readonly session: string;
  readonly via: string;
}

export interface IamEdgeOptions {
  readonly iam: IamService;
  readonly env: StackEnvironment;
  readonly stackId: string;
  readonly json: readonly JsonService[];
  readonly query: readonly QueryService[];
  /** `--enforce-iam-for-callers ROLE_ARN`: outside callers act as this role. */
  readonly callersRole?: string;
}

/**
 * Check one call made as `who`; undefined when allowed, else the service's
 * error response (the denial is traced by the IAM service).
 */
export function checkCall(iam: IamService, who: EdgeIdentity, call: ApiCall): AwsError | undefined {
  for (const resource of call.resources) {
    const denial = iam.check({
      roleArn: who.roleArn,
      session: who.session,
      action: call.action,
      resource,
      via: who.via,
      ...(call.messageAction ? { messageAction: call.messageAction } : {}),
    });
    if (denial) return call.error(denial.message);
  }
  return undefined;
}

/** The query parameters of a Query request: its query string, then a form body over it. */
export function queryParamsOf(req: HttpRequest): Map<string, string> {
  const params = parseForm(req.rawQuery);
  const contentType = headerValue(req, 'content-type') ?? '';
  if (req.body.length > 0 && (contentType === '' || contentType.startsWith('application/x-www-form-urlencoded'))) {
    for (const [key, value] of parseForm(req.body.toString('utf8'))) params.set(key, value);
  }
  return params;
}

/** A denial as the Query service answers it. */
export function queryDenial(params: ReadonlyMap<string, string>, service: QueryService, error: AwsError, accept: string): Promise<HttpResponse> {
  const action = params.get('Action')!;
  return handleQuery(params, { ...service, operations: { [action]: () => Promise.reject(error) } }, accept);
}

/**
 * The edge handler: placed before the AWS API handlers, it answers a
 * denied call and lets every other request through (undefined).
 */
export function iamEdge(options: IamEdgeOptions): HttpHandler {
  const arns = new ArnBuilder(options.env);
  const { iam } = options;
  return async (req) => {
    if (!iam.enforce) return undefined;
    const who = identityOf(req, options);
    if (!who) return undefined;
    const lambda = lambdaCall(req, arns);
    if (lambda) {
      const error = checkCall(iam, who, lambda);
      return error ? restJsonError(error) : undefined;
    }
    if (req.path !== '/') return undefined;
    for (const service of options.json) {
      const operation = jsonTarget(req, service);
      if (operation === undefined) continue;
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return undefined; // The service answers a malformed body itself.
      }
      const call = jsonCall(service.targetPrefix, operation, input ?? {}, arns);
      const error = call && checkCall(iam, who, call);
      return error ? handleJson(req, { ...service, operations: { [operation]: () => Promise.reject(error) } }, operation) : undefined;
    }
    const params = queryParamsOf(req);
    for (const service of options.query) {
      if (!isQueryRequestFor(req, params, service)) continue;
      const call = queryCall(service.signingName, params, options.stackId);
      const error = call && checkCall(iam, who, call);
      return error ? queryDenial(params, service, error, headerValue(req, 'accept') ?? '') : undefined;
    }
    return undefined;
  };
}

function identityOf(req: HttpRequest, options: IamEdgeOptions): EdgeIdentity | undefined {
  const key = accessKeyOf(req);
  const known = key ? options.iam.identityOf(key) : undefined;
  if (known) return { ...known, via: `SDK call in ${known.session}` };
  if (options.callersRole) return { roleArn: options.callersRole, session: 'local-caller', via: 'outside caller (--enforce-iam-for-callers)' };
  return undefined;
}

function restJsonError(error: AwsError): HttpResponse {
  const requestId = randomUUID();
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ Type: 'User', message: error.message }),
  };
}

/** A rejection API Gateway reports as a configuration error (500, `Execution failed due to configuration error: ...`). */
export class IntegrationConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrationConfigurationError';
  }
}

/** The role session API Gateway calls AWS services with. */
const API_GATEWAY_SESSION = 'BackplaneAssumeRoleSession';

/**
 * API Gateway's call to an AWS service with an integration's `Credentials`
 * role: the role must trust `apigateway.amazonaws.com`, and the service
 * checks the call against the role, answering a denial as it answers any
 * caller (SNS: 403 AuthorizationError), which the integration responses
 * then map.
 */
export function callAsIntegrationRole(
  iam: IamService,
  query: ReadonlyMap<string, QueryService>,
  stackId: string,
  call: (service: string, req: HttpRequest) => Promise<HttpResponse>,
): (service: string, req: HttpRequest, credentials?: string) => Promise<HttpResponse> {
  return async (service, req, credentials) => {
    if (!credentials || !iam.enforce) return call(service, req);
    if (iam.checkTrust(credentials, 'apigateway.amazonaws.com', 'API Gateway integration')) {
      throw new IntegrationConfigurationError(`API Gateway does not have permission to assume the provided role ${credentials}`);
    }
    const api = query.get(service);
    if (api) {
      const params = queryParamsOf(req);
      const wanted = queryCall(api.signingName, params, stackId);
      const error = wanted && checkCall(iam, { roleArn: credentials, session: API_GATEWAY_SESSION, via: 'API Gateway integration' }, wanted);
      if (error) return queryDenial(params, api, error, headerValue(req, 'accept') ?? '');
    }
    return call(service, req);
  };
}
