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
import { handleJson, jsonBody, jsonTarget, type JsonService } from '../protocol/json.js';
import { handleQuery, isQueryRequestFor, queryParams, type QueryService } from '../protocol/query.js';
import { AwsError } from '../protocol/errors.js';
import type { StackEnvironment } from '../cloudformation/types.js';
import { ArnBuilder } from './arns.js';
import { credentialRegion, signedCredential } from '../protocol/scope.js';
import type { IamService } from './service.js';
import { LAMBDA_ROUTES, matchRoute, type LambdaRoute } from '../lambda/api.js';
import { EVENT_SOURCE_MAPPING_ROUTES } from '../lambda/event-source-mapping/api.js';

/** What one AWS API call asks IAM for. */
export interface ApiCall {
  readonly action: string;
  /** Further actions the same call needs on the same resources (CreateQueue with tags needs sqs:TagQueue too). */
  readonly alsoActions?: readonly string[];
  readonly resources: readonly string[];
  /** The action as the service's error message spells it. */
  readonly messageAction?: string;
  /** The error the service answers with for a denial. */
  readonly error: (message: string) => AwsError;
}

const accessDenied400 = (m: string) => new AwsError('AccessDeniedException', m, 400);

type Input = Readonly<Record<string, unknown>>;
/** The IAM action (without its service prefix) and resources of one operation. */
type Mapping = (input: Input, arns: ArnBuilder) => { readonly action?: string; readonly also?: readonly string[]; readonly resources: readonly string[] };

const str = (input: Input, key: string): string | undefined => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
const ANY = ['*'];

/** The rule an operation names (`Name` or `Rule`, on `EventBusName`). */
const ruleOf: Mapping = (input, arns) => ({ resources: [arns.rule(str(input, 'EventBusName'), str(input, 'Name') ?? str(input, 'Rule') ?? '*')] });
const replayOf: Mapping = (input, arns) => ({ resources: [arns.replay(str(input, 'ReplayName') ?? '*')] });

/**
 * Every EventBridge operation the runtime serves, with the resource its
 * action is authorized on
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html).
 */
export const EVENTS_OPERATIONS: Readonly<Record<string, Mapping>> = {
  PutEvents: (input, arns) => {
    const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Input[]) : [];
    return { resources: [...new Set(entries.map((e) => arns.eventBus(e && typeof e === 'object' ? str(e, 'EventBusName') : undefined)))] };
  },
  TestEventPattern: () => ({ resources: ANY }),
  ListRules: () => ({ resources: ANY }),
  DescribeRule: ruleOf,
  ListTargetsByRule: ruleOf,
  PutRule: ruleOf,
  PutTargets: ruleOf,
  RemoveTargets: ruleOf,
  DeleteRule: ruleOf,
  StartReplay: replayOf,
  DescribeReplay: replayOf,
  ListArchives: () => ({ resources: ANY }),
  ListEventBuses: () => ({ resources: ANY }),
};

const logGroupOf = (input: Input, arns: ArnBuilder) => {
  const group = str(input, 'logGroupName') ?? str(input, 'logGroupIdentifier');
  return group ? [arns.logGroup(group)] : ANY;
};
const onLogGroup: Mapping = (input, arns) => ({ resources: logGroupOf(input, arns) });

/**
 * Every CloudWatch Logs operation the runtime serves: log-group actions on
 * `log-group:<name>:*`, PutLogEvents on the stream
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
 */
export const LOGS_OPERATIONS: Readonly<Record<string, Mapping>> = {
  CreateLogGroup: onLogGroup,
  CreateLogStream: onLogGroup,
  PutRetentionPolicy: onLogGroup,
  DeleteRetentionPolicy: onLogGroup,
  PutLogEvents: (input, arns) => {
    const group = str(input, 'logGroupName');
    const stream = str(input, 'logStreamName');
    return { resources: group && stream ? [arns.logStream(group, stream)] : logGroupOf(input, arns) };
  },
  DescribeLogGroups: () => ({ resources: ANY }),
  DescribeLogStreams: onLogGroup,
  GetLogEvents: onLogGroup,
  FilterLogEvents: onLogGroup,
};

const queueOf = (action?: string): Mapping => (input, arns) => {
  const queue = str(input, 'QueueUrl') ?? str(input, 'QueueName');
  return { ...(action ? { action } : {}), resources: queue ? [arns.queue(queue)] : ANY };
};

/**
 * Every SQS operation the runtime serves. A batch is authorized as its
 * single action: SendMessageBatch needs sqs:SendMessage, DeleteMessageBatch
 * sqs:DeleteMessage
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
 */
export const SQS_OPERATIONS: Readonly<Record<string, Mapping>> = {
  SendMessage: queueOf(),
  SendMessageBatch: queueOf('SendMessage'),
  ReceiveMessage: queueOf(),
  DeleteMessage: queueOf(),
  DeleteMessageBatch: queueOf('DeleteMessage'),
  ChangeMessageVisibility: queueOf(),
  GetQueueUrl: queueOf(),
  GetQueueAttributes: queueOf(),
  ListQueues: () => ({ resources: ANY }),
  PurgeQueue: queueOf(),
  // "To be able to tag a queue on creation, you must have the sqs:CreateQueue and sqs:TagQueue permissions."
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
  CreateQueue: (input, arns) => {
    const tags = input['tags'];
    const tagged = typeof tags === 'object' && tags !== null && Object.keys(tags).length > 0;
    return { ...queueOf()(input, arns), ...(tagged ? { also: ['TagQueue'] } : {}) };
  },
  DeleteQueue: queueOf(),
  SetQueueAttributes: queueOf(),
  TagQueue: queueOf(),
  UntagQueue: queueOf(),
  ListQueueTags: queueOf(),
};

const JSON_SERVICES: Readonly<Record<string, { prefix: string; operations: Readonly<Record<string, Mapping>>; error: (m: string) => AwsError }>> = {
  AWSEvents: { prefix: 'events', operations: EVENTS_OPERATIONS, error: accessDenied400 },
  Logs_20140328: { prefix: 'logs', operations: LOGS_OPERATIONS, error: accessDenied400 },
  AmazonSQS: { prefix: 'sqs', operations: SQS_OPERATIONS, error: (m) => new AwsError('AccessDenied', m, 403) },
};

/** IAM action and resources of an awsJson call (EventBridge, CloudWatch Logs, SQS); undefined for an operation not served. */
export function jsonCall(prefix: string, operation: string, input: Record<string, unknown>, arns: ArnBuilder): ApiCall | undefined {
  const service = Object.hasOwn(JSON_SERVICES, prefix) ? JSON_SERVICES[prefix]! : undefined;
  const mapping = service && Object.hasOwn(service.operations, operation) ? service.operations[operation]! : undefined;
  if (!service || !mapping) return undefined;
  const { action, also, resources } = mapping(input, arns);
  return {
    action: `${service.prefix}:${action ?? operation}`,
    ...(also ? { alsoActions: also.map((a) => `${service.prefix}:${a}`) } : {}),
    resources,
    error: service.error,
  };
}

type QueryMapping = (params: ReadonlyMap<string, string>, stackId: string) => readonly string[];
const topicOf: QueryMapping = (params) => [params.get('TopicArn') ?? params.get('TargetArn') ?? '*'];
const stackOf: QueryMapping = (params, stackId) => (params.has('StackName') ? [stackId] : ANY);

/** Every SNS operation the runtime serves (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html). */
export const SNS_OPERATIONS: Readonly<Record<string, QueryMapping>> = {
  Publish: topicOf,
  PublishBatch: topicOf,
  ListTopics: () => ANY,
  ListSubscriptions: () => ANY,
  ListSubscriptionsByTopic: topicOf,
  GetTopicAttributes: topicOf,
  // The Service Authorization Reference gives Subscribe the topic resource type and the three
  // subscription actions none (a subscription is no IAM resource type): they are authorized on "*".
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
  Subscribe: topicOf,
  Unsubscribe: () => ANY,
  GetSubscriptionAttributes: () => ANY,
  SetSubscriptionAttributes: () => ANY,
};

/**
 * SNS operations authorized as another action: "sns:Publish Grants permission to both publish
 * and publish batch" (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_sns.html, its API operations table).
 */
const SNS_ACTIONS: Readonly<Record<string, string>> = { PublishBatch: 'Publish' };

/** Every CloudFormation operation the runtime serves, on the stack (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html). */
export const CLOUDFORMATION_OPERATIONS: Readonly<Record<string, QueryMapping>> = {
  DescribeStacks: stackOf,
  ListStackResources: stackOf,
  DescribeStackResources: stackOf,
  DescribeStackResource: stackOf,
};

/** IAM action and resources of a Query call (SNS, CloudFormation); undefined for an operation not served. */
export function queryCall(signingName: string, params: ReadonlyMap<string, string>, stackId: string): ApiCall | undefined {
  const action = params.get('Action');
  if (!action) return undefined;
  if (signingName === 'sns' && Object.hasOwn(SNS_OPERATIONS, action)) {
    const iamAction = Object.hasOwn(SNS_ACTIONS, action) ? SNS_ACTIONS[action]! : action;
    return {
      action: `sns:${iamAction}`,
      resources: SNS_OPERATIONS[action]!(params, stackId),
      messageAction: `SNS:${iamAction}`,
      error: (m) => new AwsError('AuthorizationError', m, 403),
    };
  }
  if (signingName === 'cloudformation' && Object.hasOwn(CLOUDFORMATION_OPERATIONS, action)) {
    return { action: `cloudformation:${action}`, resources: CLOUDFORMATION_OPERATIONS[action]!(params, stackId), error: (m) => new AwsError('AccessDenied', m, 403) };
  }
  return undefined;
}

/** Every Lambda REST operation the runtime serves, as its handlers route them. */
const LAMBDA_API: readonly LambdaRoute[] = [...LAMBDA_ROUTES, ...EVENT_SOURCE_MAPPING_ROUTES];

/**
 * IAM action and resource of a Lambda REST call the runtime serves. A
 * version or alias (`Qualifier`, or `name:qualifier`) is authorized on the
 * qualified ARN, as on AWS
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
 */
export function lambdaCall(req: HttpRequest, arns: ArnBuilder): ApiCall | undefined {
  const error = (m: string) => new AwsError('AccessDeniedException', m, 403);
  const matched = matchRoute(LAMBDA_API, req);
  if (!matched) return undefined;
  const { route, match } = matched;
  if (match[1] === undefined || route.anyResource) return { action: `lambda:${route.action}`, resources: ANY, error };
  let ref: string;
  try {
    ref = decodeURIComponent(match[1]);
  } catch {
    return undefined; // The API answers a name that is not URL encoding with ValidationException, serving nothing.
  }
  const inName = /^(?:arn:[^:]+:lambda:[^:]+:\d{12}:function:|\d{12}:function:)?[^:]+:([^:]+)$/.exec(ref)?.[1];
  const qualifier = new URLSearchParams(req.rawQuery).get('Qualifier') ?? inName;
  const fn = arns.lambdaFunction(ref);
  return { action: `lambda:${route.action}`, resources: [qualifier ? `${fn}:${qualifier}` : fn], error };
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
  /** The environment a request signed for a region is served in (names in it become ARNs there). @default env */
  readonly envFor?: (region: string | undefined) => StackEnvironment;
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
  const denial = checkAction(iam, who, call, call.action);
  if (denial || !call.alsoActions) return denial;
  for (const action of call.alsoActions) {
    const also = checkAction(iam, who, call, action);
    if (also) return also;
  }
  return undefined;
}

/** One of the call's actions on each of its resources. */
function checkAction(iam: IamService, who: EdgeIdentity, call: ApiCall, action: string): AwsError | undefined {
  for (const resource of call.resources) {
    const denial = iam.check({
      roleArn: who.roleArn,
      session: who.session,
      action,
      resource,
      via: who.via,
      ...(call.messageAction && action === call.action ? { messageAction: call.messageAction } : {}),
    });
    if (denial) return call.error(denial.message);
  }
  return undefined;
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
  const defaultArns = new ArnBuilder(options.env);
  const { iam } = options;
  return async (req) => {
    if (!iam.enforce) return undefined;
    const who = signerIdentity(iam, signedCredential(req)?.accessKeyId, options.callersRole);
    if (!who) return undefined;
    const arns = options.envFor ? new ArnBuilder(options.envFor(credentialRegion(req))) : defaultArns;
    const lambda = lambdaCall(req, arns);
    if (lambda) {
      const error = checkCall(iam, who, lambda);
      return error ? restJsonError(error) : undefined;
    }
    if (req.path !== '/') return undefined;
    for (const service of options.json) {
      const operation = jsonTarget(req, service);
      if (operation === undefined) continue;
      let input: unknown;
      try {
        input = jsonBody(req);
      } catch {
        return undefined; // The service answers a malformed body itself.
      }
      const call = jsonCall(service.targetPrefix, operation, typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {}, arns);
      const error = call && checkCall(iam, who, call);
      return error ? handleJson(req, { ...service, operations: { [operation]: () => Promise.reject(error) } }, operation) : undefined;
    }
    // Read as the front door's Query handler reads them (aws-api.ts), so the call checked is the call served.
    const params = queryParams(req);
    for (const service of options.query) {
      if (!isQueryRequestFor(req, params, service)) continue;
      const call = queryCall(service.signingName, params, options.stackId);
      const error = call && checkCall(iam, who, call);
      return error ? queryDenial(params, service, error, headerValue(req, 'accept') ?? '') : undefined;
    }
    return undefined;
  };
}

/**
 * Who a request signed with `accessKeyId` acts as: the role session the
 * runtime handed those credentials to, else the role of
 * `--enforce-iam-for-callers`; undefined when the signer is not checked.
 * The AWS API edge and AWS_IAM function URLs both ask this.
 */
export function signerIdentity(iam: IamService, accessKeyId: string | undefined, callersRole: string | undefined): EdgeIdentity | undefined {
  const known = accessKeyId ? iam.identityOf(accessKeyId) : undefined;
  if (known) return { ...known, via: `SDK call in ${known.session}` };
  if (callersRole) return { roleArn: callersRole, session: 'local-caller', via: 'outside caller (--enforce-iam-for-callers)' };
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
  /** Serve the call. */
  call: (service: string, req: HttpRequest) => Promise<HttpResponse>,
): (service: string, req: HttpRequest, credentials?: string) => Promise<HttpResponse> {
  return async (service, req, credentials) => {
    if (!credentials || !iam.enforce) return call(service, req);
    if (iam.checkTrust(credentials, 'apigateway.amazonaws.com', 'API Gateway integration')) {
      throw new IntegrationConfigurationError(`API Gateway does not have permission to assume the provided role ${credentials}`);
    }
    const api = query.get(service);
    if (!api) return call(service, req);
    // queryParams reads a request once: the endpoint serves the parameters checked.
    const params = queryParams(req);
    const wanted = queryCall(api.signingName, params, stackId);
    const error = wanted && checkCall(iam, { roleArn: credentials, session: API_GATEWAY_SESSION, via: 'API Gateway integration' }, wanted);
    if (error) return queryDenial(params, api, error, headerValue(req, 'accept') ?? '');
    return call(service, req);
  };
}
