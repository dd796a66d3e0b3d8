/**
 * The REST APIs of a stack as API Gateway serves them: resources in a tree,
 * methods with their integrations, stages with their settings. Built from the
 * resolved StackModel; anything API Gateway would do that this runtime does
 * not is rejected here, at start-up, naming the resource and property.
 */
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { externalRefs, invalidPatterns } from './json-schema.js';
import { logGroupNameFromArn } from './access-log.js';
import { lambdaArnFromUri, parseAwsUri } from './integrations.js';
import type { AuthorizerDef } from './authorizer.js';

/** Integration types the runtime serves. */
export type IntegrationType = 'AWS' | 'AWS_PROXY' | 'MOCK' | 'HTTP' | 'HTTP_PROXY';
/** What API Gateway does with a body no request template matches. */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

/** One entry of `Integration.IntegrationResponses`. */
export interface IntegrationResponseDef {
  readonly statusCode: string;
  /**
   * SelectionPattern, compiled once and anchored: it must match the whole
   * backend status (or Lambda errorMessage). Undefined for the default response.
   */
  readonly selectionPattern?: RegExp;
  readonly responseTemplates: Readonly<Record<string, string | null>>;
  readonly responseParameters: Readonly<Record<string, string>>;
}

/** A method's `Integration`. */
export interface IntegrationDef {
  readonly type: IntegrationType;
  readonly httpMethod?: string;
  readonly uri?: string;
  readonly credentials?: string;
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly requestTemplates: Readonly<Record<string, string | null>>;
  readonly passthroughBehavior: PassthroughBehavior;
  readonly integrationResponses: readonly IntegrationResponseDef[];
  /** Integration timeout (TimeoutInMillis, default 29 s). */
  readonly timeoutMs: number;
}

/** An `AWS::ApiGateway::Method` with its validator settings resolved. */
export interface MethodDef {
  readonly logicalId: string;
  readonly httpMethod: string;
  /** `method.request.querystring.x` -> required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  readonly validateRequestParameters: boolean;
  /** Content type (or `$default`) -> JSON schema the body must match; empty unless the validator checks bodies. */
  readonly requestModels: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The Lambda authorizer of an AuthorizationType CUSTOM method. */
  readonly authorizer?: AuthorizerDef;
  readonly integration: IntegrationDef;
}

/** A node of the resource tree (`AWS::ApiGateway::Resource`, or the API's root). */
export interface ResourceDef {
  readonly id: string;
  readonly parentId?: string;
  readonly pathPart: string;
  /** Full resource path, e.g. `/orders/{id}`. */
  path: string;
  readonly children: ResourceDef[];
  readonly methods: Map<string, MethodDef>;
}

/** One entry of a stage's `MethodSettings`. */
export interface MethodSettingDef {
  /** `*` or an HTTP method. */
  readonly httpMethod: string;
  /** `/*` or a resource path. */
  readonly resourcePath: string;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  readonly loggingLevel?: string;
  readonly dataTraceEnabled?: boolean;
}

/** A deployed stage (`AWS::ApiGateway::Stage`, or a Deployment's `StageName`). */
export interface StageDef {
  readonly logicalId: string;
  readonly name: string;
  readonly deploymentId: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly methodSettings: readonly MethodSettingDef[];
  readonly accessLog?: { readonly logGroupName: string; readonly format: string };
}

/** An `AWS::ApiGateway::GatewayResponse`: how the API customizes one of API Gateway's own answers. */
export interface GatewayResponseDef {
  readonly responseType: string;
  readonly statusCode?: number;
  /** `gatewayresponse.header.X` -> source expression. */
  readonly responseParameters: Readonly<Record<string, string>>;
  readonly responseTemplates: Readonly<Record<string, string>>;
}

/** An `AWS::ApiGateway::RestApi` with its resources and stages. */
export interface RestApiDef {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly endpointType: string;
  /** MinimumCompressionSize: responses at least this large are compressed for clients that accept it. */
  readonly minimumCompressionSize?: number;
  readonly root: ResourceDef;
  readonly resources: ReadonlyMap<string, ResourceDef>;
  readonly stages: Map<string, StageDef>;
  /** By ResponseType (`THROTTLED`, `DEFAULT_4XX`, ...). */
  readonly gatewayResponses: Map<string, GatewayResponseDef>;
}

const ACCEPTED_RESTAPI = new Set([
  'Name',
  'Description',
  'Tags',
  'EndpointConfiguration',
  'ApiKeySourceType',
  'MinimumCompressionSize',
  'FailOnWarnings',
  'Parameters',
  'Mode',
  'DisableExecuteApiEndpoint',
  'BinaryMediaTypes',
  'Policy',
]);

const ACCEPTED_METHOD = new Set([
  'RestApiId',
  'ResourceId',
  'HttpMethod',
  'AuthorizationType',
  'ApiKeyRequired',
  'Integration',
  'MethodResponses',
  'RequestParameters',
  'RequestValidatorId',
  'RequestModels',
  'OperationName',
  'AuthorizationScopes',
  'AuthorizerId',
]);

const ACCEPTED_INTEGRATION = new Set([
  'Type',
  'IntegrationHttpMethod',
  'Uri',
  'Credentials',
  'RequestParameters',
  'RequestTemplates',
  'PassthroughBehavior',
  'IntegrationResponses',
  'TimeoutInMillis',
  'CacheKeyParameters',
  'CacheNamespace',
  'ConnectionType',
]);

const ACCEPTED_STAGE = new Set([
  'RestApiId',
  'DeploymentId',
  'StageName',
  'Description',
  'Tags',
  'Variables',
  'MethodSettings',
  'AccessLogSetting',
  'TracingEnabled',
  'CacheClusterEnabled',
  'CacheClusterSize',
  'DocumentationVersion',
]);

type Props = Readonly<Record<string, unknown>>;

const ACCEPTED_INTEGRATION_RESPONSE = new Set(['StatusCode', 'SelectionPattern', 'ResponseTemplates', 'ResponseParameters']);

function rejectUnknown(resource: StackResource, props: Props, accepted: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(props)) {
    if (!accepted.has(key)) {
      throw new UnsupportedTemplateError(resource.logicalId, `${prefix}.${key}`, 'is not supported by the local API Gateway');
    }
  }
}

function record<T>(value: unknown): Record<string, T> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, T>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** `pattern` compiled to match a whole string; an invalid one stops start-up naming the property. */
function wholeMatch(r: StackResource, where: string, pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new UnsupportedTemplateError(r.logicalId, where, `not a regular expression: ${pattern}`);
  }
}

function bool(value: unknown): boolean {
  return value === true || value === 'true';
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Parse every REST API in the stack; throws UnsupportedTemplateError for what the runtime cannot serve faithfully. */
export function readRestApis(stack: StackModel): RestApiDef[] {
  const apis = new Map<string, RestApiDef>();
  for (const r of stack.resourcesOfType('AWS::ApiGateway::RestApi')) {
    const p = r.properties;
    if (p.Body !== undefined) throw new UnsupportedTemplateError(r.logicalId, 'Properties.Body', 'OpenAPI import is not supported locally');
    if (p.BodyS3Location !== undefined) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.BodyS3Location', 'OpenAPI import is not supported locally');
    }
    if (p.CloneFrom !== undefined) throw new UnsupportedTemplateError(r.logicalId, 'Properties.CloneFrom', 'cloning an API is not supported locally');
    if (Array.isArray(p.BinaryMediaTypes) && p.BinaryMediaTypes.length > 0) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.BinaryMediaTypes', 'binary payloads are not supported locally');
    }
    if (p.Policy !== undefined) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.Policy', 'API resource policies are not enforced locally');
    }
    if (bool(p.DisableExecuteApiEndpoint)) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.DisableExecuteApiEndpoint', 'the runtime serves APIs only on their execute-api endpoint');
    }
    rejectUnknown(r, p, ACCEPTED_RESTAPI, 'Properties');
    const types = (record<unknown>(p.EndpointConfiguration).Types as unknown[] | undefined) ?? ['EDGE'];
    const rootId = r.attributes.RootResourceId ?? `${r.ref}-root`;
    const root: ResourceDef = { id: rootId, pathPart: '', path: '/', children: [], methods: new Map() };
    apis.set(r.ref, {
      logicalId: r.logicalId,
      id: r.ref,
      name: str(p.Name) ?? r.logicalId,
      endpointType: String(types[0] ?? 'EDGE'),
      ...(num(p.MinimumCompressionSize) !== undefined ? { minimumCompressionSize: num(p.MinimumCompressionSize)! } : {}),
      root,
      resources: new Map([[rootId, root]]),
      stages: new Map(),
      gatewayResponses: new Map(),
    });
  }
  const apiOf = (r: StackResource): RestApiDef => {
    const api = apis.get(String(r.properties.RestApiId));
    if (!api) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.RestApiId', `no AWS::ApiGateway::RestApi ${String(r.properties.RestApiId)} in the stack`);
    }
    return api;
  };

  // Resources: a parent may come after its child in the template.
  const pending = stack.resourcesOfType('AWS::ApiGateway::Resource');
  for (const r of pending) {
    const api = apiOf(r);
    const resources = api.resources as Map<string, ResourceDef>;
    resources.set(r.ref, {
      id: r.ref,
      parentId: String(r.properties.ParentId),
      pathPart: String(r.properties.PathPart ?? ''),
      path: '',
      children: [],
      methods: new Map(),
    });
  }
  for (const r of pending) {
    const api = apiOf(r);
    const self = api.resources.get(r.ref)!;
    const parent = api.resources.get(self.parentId!);
    if (!parent) throw new UnsupportedTemplateError(r.logicalId, 'Properties.ParentId', `no resource ${self.parentId} in API ${api.id}`);
    parent.children.push(self);
  }
  for (const api of apis.values()) assignPaths(api.root, '');

  const validators = new Map<string, { params: boolean; body: boolean }>();
  for (const r of stack.resourcesOfType('AWS::ApiGateway::RequestValidator')) {
    apiOf(r);
    validators.set(r.ref, { params: bool(r.properties.ValidateRequestParameters), body: bool(r.properties.ValidateRequestBody) });
  }

  const authorizers = new Map<string, AuthorizerDef>();
  for (const r of stack.resourcesOfType('AWS::ApiGateway::Authorizer')) {
    apiOf(r);
    authorizers.set(r.ref, readAuthorizer(r));
  }

  const models = new Map<string, Map<string, Readonly<Record<string, unknown>>>>();
  for (const r of stack.resourcesOfType('AWS::ApiGateway::Model')) {
    const api = apiOf(r);
    let schema: unknown = r.properties.Schema ?? {};
    if (typeof schema === 'string') {
      try {
        schema = JSON.parse(schema);
      } catch {
        throw new UnsupportedTemplateError(r.logicalId, 'Properties.Schema', 'is not valid JSON');
      }
    }
    if (!models.has(api.id)) models.set(api.id, new Map());
    models.get(api.id)!.set(String(r.properties.Name ?? r.ref), record<unknown>(schema));
  }

  for (const r of stack.resourcesOfType('AWS::ApiGateway::Method')) {
    const api = apiOf(r);
    const method = readMethod(r, validators, models.get(api.id) ?? new Map(), authorizers);
    const resource = api.resources.get(String(r.properties.ResourceId));
    if (!resource) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.ResourceId', `no resource ${String(r.properties.ResourceId)} in API ${api.id}`);
    }
    resource.methods.set(method.httpMethod, method);
  }

  for (const r of stack.resourcesOfType('AWS::ApiGateway::Deployment')) {
    const api = apiOf(r);
    const p = r.properties;
    if (p.DeploymentCanarySettings !== undefined) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.DeploymentCanarySettings', 'canary deployments are not supported locally');
    }
    if (p.StageDescription !== undefined) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.StageDescription', 'declare the stage as an AWS::ApiGateway::Stage instead');
    }
    if (typeof p.StageName === 'string' && p.StageName !== '') {
      api.stages.set(p.StageName, { logicalId: r.logicalId, name: p.StageName, deploymentId: r.ref, variables: {}, methodSettings: [] });
    }
  }

  for (const r of stack.resourcesOfType('AWS::ApiGateway::GatewayResponse')) {
    const api = apiOf(r);
    const p = r.properties;
    const responseType = String(p.ResponseType ?? '');
    const statusCode = num(p.StatusCode);
    api.gatewayResponses.set(responseType, {
      responseType,
      ...(statusCode !== undefined ? { statusCode } : {}),
      responseParameters: record<string>(p.ResponseParameters),
      responseTemplates: record<string>(p.ResponseTemplates),
    });
  }

  for (const r of stack.resourcesOfType('AWS::ApiGateway::Stage')) {
    const api = apiOf(r);
    const stage = readStage(r, api, stack);
    api.stages.set(stage.name, stage);
  }
  return [...apis.values()];
}

function assignPaths(resource: ResourceDef, parentPath: string): void {
  resource.path = resource.pathPart === '' ? '/' : `${parentPath === '/' ? '' : parentPath}/${resource.pathPart}`;
  for (const child of resource.children) assignPaths(child, resource.path);
}

function readAuthorizer(r: StackResource): AuthorizerDef {
  const p = r.properties;
  const type = String(p.Type ?? '');
  if (type !== 'TOKEN' && type !== 'REQUEST') {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.Type', `${type} authorizers are not supported locally (TOKEN and REQUEST are)`);
  }
  const uri = str(p.AuthorizerUri) ?? '';
  const functionArn = lambdaArnFromUri(uri);
  if (!functionArn) throw new UnsupportedTemplateError(r.logicalId, 'Properties.AuthorizerUri', `expected a Lambda invocation URI, got ${uri}`);
  const sources = (str(p.IdentitySource) ?? (type === 'TOKEN' ? 'method.request.header.Authorization' : ''))
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (type === 'TOKEN' && sources.length !== 1) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.IdentitySource', 'a TOKEN authorizer takes exactly one header');
  }
  const ttl = num(p.AuthorizerResultTtlInSeconds) ?? 300;
  const validation = str(p.IdentityValidationExpression);
  return {
    id: r.ref,
    logicalId: r.logicalId,
    type,
    functionArn,
    identitySources: sources,
    ...(validation ? { validationExpression: wholeMatch(r, 'Properties.IdentityValidationExpression', validation) } : {}),
    ttlSeconds: ttl,
    ...(str(p.AuthorizerCredentials) ? { credentials: str(p.AuthorizerCredentials)! } : {}),
  };
}

/** The built-in `Error` model. */
const ERROR_MODEL = { type: 'object', properties: { message: { type: 'string' } } };

function readMethod(
  r: StackResource,
  validators: ReadonlyMap<string, { params: boolean; body: boolean }>,
  models: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  authorizers: ReadonlyMap<string, AuthorizerDef>,
): MethodDef {
  const p = r.properties;
  rejectUnknown(r, p, ACCEPTED_METHOD, 'Properties');
  const auth = str(p.AuthorizationType) ?? 'NONE';
  let authorizer: AuthorizerDef | undefined;
  if (auth === 'CUSTOM') {
    authorizer = authorizers.get(String(p.AuthorizerId));
    if (!authorizer) throw new UnsupportedTemplateError(r.logicalId, 'Properties.AuthorizerId', `no Lambda AWS::ApiGateway::Authorizer ${String(p.AuthorizerId)}`);
  } else if (auth !== 'NONE') {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.AuthorizationType', `${auth} authorization is not supported locally (NONE and CUSTOM are)`);
  }
  if (bool(p.ApiKeyRequired)) throw new UnsupportedTemplateError(r.logicalId, 'Properties.ApiKeyRequired', 'API keys are not supported locally');
  const httpMethod = String(p.HttpMethod ?? '').toUpperCase();
  if (!httpMethod) throw new UnsupportedTemplateError(r.logicalId, 'Properties.HttpMethod', 'is required');
  const validatorId = str(p.RequestValidatorId);
  const validator = validatorId === undefined ? undefined : validators.get(validatorId);
  if (validatorId !== undefined && !validator) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.RequestValidatorId', `no AWS::ApiGateway::RequestValidator ${validatorId}`);
  }
  const requestModels: Record<string, Readonly<Record<string, unknown>>> = {};
  if (validator?.body) {
    for (const [contentType, name] of Object.entries(record<unknown>(p.RequestModels))) {
      const where = `Properties.RequestModels.${contentType}`;
      const modelName = String(name);
      // The built-in Empty model places no constraint on the body.
      if (modelName === 'Empty') continue;
      const schema = modelName === 'Error' ? ERROR_MODEL : models.get(modelName);
      if (!schema) throw new UnsupportedTemplateError(r.logicalId, where, `no AWS::ApiGateway::Model named ${modelName} in the API`);
      const refs = externalRefs(schema);
      if (refs.length > 0) throw new UnsupportedTemplateError(r.logicalId, where, `model ${modelName} refers to other models (${refs[0]}), which is not supported locally`);
      const bad = invalidPatterns(schema);
      if (bad.length > 0) throw new UnsupportedTemplateError(r.logicalId, where, `model ${modelName} has a pattern that is not a regular expression: ${bad[0]}`);
      requestModels[contentType.toLowerCase()] = schema;
    }
  }
  const requestParameters: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(record<unknown>(p.RequestParameters))) requestParameters[k] = bool(v);
  return {
    logicalId: r.logicalId,
    httpMethod,
    requestParameters,
    validateRequestParameters: validator?.params ?? false,
    requestModels,
    ...(authorizer ? { authorizer } : {}),
    integration: checkMethodResponses(r, readIntegration(r, record<unknown>(p.Integration))),
  };
}

/**
 * API Gateway refuses (so the deployment fails) an integration response for
 * a status the method does not declare in MethodResponses, or one mapping a
 * header the method response does not declare. Proxy integrations have none.
 */
function checkMethodResponses(r: StackResource, integration: IntegrationDef): IntegrationDef {
  const declared = new Map<string, ReadonlySet<string>>();
  const list = Array.isArray(r.properties.MethodResponses) ? (r.properties.MethodResponses as Props[]) : [];
  for (const mr of list) declared.set(String(mr.StatusCode), new Set(Object.keys(record<unknown>(mr.ResponseParameters))));
  integration.integrationResponses.forEach((ir, i) => {
    const where = `Properties.Integration.IntegrationResponses.${i}`;
    const headers = declared.get(ir.statusCode);
    if (!headers) {
      throw new UnsupportedTemplateError(r.logicalId, `${where}.StatusCode`, `Invalid Method Response status code specified: no MethodResponses entry for ${ir.statusCode}`);
    }
    for (const target of Object.keys(ir.responseParameters)) {
      if (target.startsWith('method.response.header.') && !headers.has(target)) {
        throw new UnsupportedTemplateError(r.logicalId, `${where}.ResponseParameters.${target}`, `Invalid mapping expression specified: the ${ir.statusCode} method response does not declare ${target}`);
      }
    }
  });
  return integration;
}

function readIntegration(r: StackResource, p: Props): IntegrationDef {
  const at = 'Properties.Integration';
  if (Object.keys(p).length === 0) throw new UnsupportedTemplateError(r.logicalId, at, 'a method without an integration cannot be served');
  // Before the generic check, which would reject it with a vaguer message.
  if (p.ContentHandling !== undefined) {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.ContentHandling`, 'binary conversion is not supported locally');
  }
  rejectUnknown(r, p, ACCEPTED_INTEGRATION, at);
  const type = String(p.Type ?? '');
  if (type !== 'AWS' && type !== 'AWS_PROXY' && type !== 'MOCK' && type !== 'HTTP' && type !== 'HTTP_PROXY') {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.Type`, `${type} integrations are not supported locally (AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK are)`);
  }
  if (p.ConnectionType !== undefined && p.ConnectionType !== 'INTERNET') {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.ConnectionType`, 'VPC links are not supported locally');
  }
  const uri = str(p.Uri);
  if (type === 'HTTP' || type === 'HTTP_PROXY') {
    if (!uri || !/^https?:\/\/[^/]+/.test(uri)) throw new UnsupportedTemplateError(r.logicalId, `${at}.Uri`, `expected an http(s) URL, got ${uri}`);
  } else if (type !== 'MOCK') {
    if (!uri || !parseAwsUri(uri)) {
      throw new UnsupportedTemplateError(r.logicalId, `${at}.Uri`, `expected arn:<partition>:apigateway:<region>:<service>:action/... or :path/..., got ${uri}`);
    }
    if (type === 'AWS_PROXY' && !lambdaArnFromUri(uri)) {
      throw new UnsupportedTemplateError(r.logicalId, `${at}.Uri`, 'AWS_PROXY is supported for Lambda functions only');
    }
  }
  const passthrough = str(p.PassthroughBehavior) ?? 'WHEN_NO_MATCH';
  if (passthrough !== 'WHEN_NO_MATCH' && passthrough !== 'WHEN_NO_TEMPLATES' && passthrough !== 'NEVER') {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.PassthroughBehavior`, `unknown value ${passthrough}`);
  }
  const responses = Array.isArray(p.IntegrationResponses) ? (p.IntegrationResponses as Props[]) : [];
  return {
    type,
    ...(str(p.IntegrationHttpMethod) ? { httpMethod: str(p.IntegrationHttpMethod)!.toUpperCase() } : {}),
    ...(uri ? { uri } : {}),
    ...(str(p.Credentials) ? { credentials: str(p.Credentials)! } : {}),
    requestParameters: record<string>(p.RequestParameters),
    requestTemplates: record<string | null>(p.RequestTemplates),
    passthroughBehavior: passthrough,
    timeoutMs: num(p.TimeoutInMillis) ?? 29_000,
    integrationResponses: responses.map((ir, i) => {
      const where = `${at}.IntegrationResponses.${i}`;
      if (ir.ContentHandling !== undefined) {
        throw new UnsupportedTemplateError(r.logicalId, `${where}.ContentHandling`, 'binary conversion is not supported locally');
      }
      rejectUnknown(r, ir, ACCEPTED_INTEGRATION_RESPONSE, where);
      const pattern = str(ir.SelectionPattern);
      return {
        statusCode: str(ir.StatusCode) ?? '200',
        // Java regex without DOTALL: `.` stops at a newline, so `.+` misses a multi-line message (as AWS documents).
        ...(pattern ? { selectionPattern: wholeMatch(r, `${where}.SelectionPattern`, pattern) } : {}),
        responseTemplates: record<string | null>(ir.ResponseTemplates),
        responseParameters: record<string>(ir.ResponseParameters),
      };
    }),
  };
}

function readStage(r: StackResource, api: RestApiDef, stack: StackModel): StageDef {
  const p = r.properties;
  if (bool(p.CacheClusterEnabled)) throw new UnsupportedTemplateError(r.logicalId, 'Properties.CacheClusterEnabled', 'stage caching is not supported locally');
  if (p.CanarySetting !== undefined) throw new UnsupportedTemplateError(r.logicalId, 'Properties.CanarySetting', 'canary releases are not supported locally');
  if (p.ClientCertificateId !== undefined) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.ClientCertificateId', 'client certificates are not supported locally');
  }
  rejectUnknown(r, p, ACCEPTED_STAGE, 'Properties');
  const name = str(p.StageName) ?? r.ref;
  const settings = Array.isArray(p.MethodSettings) ? (p.MethodSettings as Props[]) : [];
  const methodSettings = settings.map((s, i): MethodSettingDef => {
    const where = `Properties.MethodSettings.${i}`;
    if (bool(s.CachingEnabled)) throw new UnsupportedTemplateError(r.logicalId, `${where}.CachingEnabled`, 'caching is not supported locally');
    const rate = num(s.ThrottlingRateLimit);
    const burst = num(s.ThrottlingBurstLimit);
    return {
      httpMethod: str(s.HttpMethod) ?? '*',
      resourcePath: str(s.ResourcePath) ?? '/*',
      ...(rate !== undefined ? { throttlingRateLimit: rate } : {}),
      ...(burst !== undefined ? { throttlingBurstLimit: burst } : {}),
      ...(str(s.LoggingLevel) ? { loggingLevel: str(s.LoggingLevel)! } : {}),
      ...(s.DataTraceEnabled !== undefined ? { dataTraceEnabled: bool(s.DataTraceEnabled) } : {}),
    };
  });
  const access = record<unknown>(p.AccessLogSetting);
  let accessLog: StageDef['accessLog'];
  if (access.DestinationArn !== undefined) {
    const arn = String(access.DestinationArn);
    const logGroupName = arn.startsWith('arn:') && arn.split(':')[2] === 'logs' ? logGroupNameFromArn(arn) : undefined;
    if (!logGroupName) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.AccessLogSetting.DestinationArn', `only CloudWatch Logs log groups are supported, got ${arn}`);
    }
    accessLog = { logGroupName, format: str(access.Format) ?? DEFAULT_ACCESS_LOG_FORMAT };
  }
  const deploymentId = str(p.DeploymentId) ?? '';
  if (deploymentId && !stack.resourcesOfType('AWS::ApiGateway::Deployment').some((d) => d.ref === deploymentId)) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.DeploymentId', `no AWS::ApiGateway::Deployment ${deploymentId} for API ${api.id}`);
  }
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(record<unknown>(p.Variables))) variables[k] = String(v);
  return { logicalId: r.logicalId, name, deploymentId, variables, methodSettings, ...(accessLog ? { accessLog } : {}) };
}

/** CLF-like default when a stage names a destination without a format. */
const DEFAULT_ACCESS_LOG_FORMAT =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId';
