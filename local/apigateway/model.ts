/**
 * The REST APIs of a stack as API Gateway serves them: resources in a tree,
 * methods with their integrations, stages with their settings. Built from the
 * resolved StackModel; anything API Gateway would do that this runtime does
 * not is rejected here, at start-up, naming the resource and property.
 */
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';

/** Integration types the runtime serves. */
export type IntegrationType = 'AWS' | 'AWS_PROXY' | 'MOCK';
/** What API Gateway does with a body no request template matches. */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

/** One entry of `Integration.IntegrationResponses`. */
export interface IntegrationResponseDef {
  readonly statusCode: string;
  /** Regex matched against the whole backend status (or Lambda errorMessage); undefined for the default response. */
  readonly selectionPattern?: string;
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

/** An `AWS::ApiGateway::RestApi` with its resources and stages. */
export interface RestApiDef {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly endpointType: string;
  readonly root: ResourceDef;
  readonly resources: ReadonlyMap<string, ResourceDef>;
  readonly stages: Map<string, StageDef>;
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
    rejectUnknown(r, p, ACCEPTED_RESTAPI, 'Properties');
    const types = (record<unknown>(p.EndpointConfiguration).Types as unknown[] | undefined) ?? ['EDGE'];
    const rootId = r.attributes.RootResourceId ?? `${r.ref}-root`;
    const root: ResourceDef = { id: rootId, pathPart: '', path: '/', children: [], methods: new Map() };
    apis.set(r.ref, {
      logicalId: r.logicalId,
      id: r.ref,
      name: str(p.Name) ?? r.logicalId,
      endpointType: String(types[0] ?? 'EDGE'),
      root,
      resources: new Map([[rootId, root]]),
      stages: new Map(),
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

  for (const r of stack.resourcesOfType('AWS::ApiGateway::Method')) {
    const api = apiOf(r);
    const method = readMethod(r, validators);
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

function readMethod(r: StackResource, validators: ReadonlyMap<string, { params: boolean; body: boolean }>): MethodDef {
  const p = r.properties;
  rejectUnknown(r, p, ACCEPTED_METHOD, 'Properties');
  const auth = str(p.AuthorizationType) ?? 'NONE';
  if (auth !== 'NONE') {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.AuthorizationType', `${auth} authorization is not supported locally (only NONE)`);
  }
  if (bool(p.ApiKeyRequired)) throw new UnsupportedTemplateError(r.logicalId, 'Properties.ApiKeyRequired', 'API keys are not supported locally');
  const httpMethod = String(p.HttpMethod ?? '').toUpperCase();
  if (!httpMethod) throw new UnsupportedTemplateError(r.logicalId, 'Properties.HttpMethod', 'is required');
  const validatorId = str(p.RequestValidatorId);
  const validator = validatorId === undefined ? undefined : validators.get(validatorId);
  if (validatorId !== undefined && !validator) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.RequestValidatorId', `no AWS::ApiGateway::RequestValidator ${validatorId}`);
  }
  if (validator?.body && Object.keys(record(p.RequestModels)).length > 0) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.RequestModels', 'request body validation against a model is not supported locally');
  }
  const requestParameters: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(record<unknown>(p.RequestParameters))) requestParameters[k] = bool(v);
  return {
    logicalId: r.logicalId,
    httpMethod,
    requestParameters,
    validateRequestParameters: validator?.params ?? false,
    integration: readIntegration(r, record<unknown>(p.Integration)),
  };
}

function readIntegration(r: StackResource, p: Props): IntegrationDef {
  const at = 'Properties.Integration';
  if (Object.keys(p).length === 0) throw new UnsupportedTemplateError(r.logicalId, at, 'a method without an integration cannot be served');
  rejectUnknown(r, p, ACCEPTED_INTEGRATION, at);
  const type = String(p.Type ?? '');
  if (type !== 'AWS' && type !== 'AWS_PROXY' && type !== 'MOCK') {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.Type`, `${type} integrations are not supported locally (AWS, AWS_PROXY, MOCK are)`);
  }
  if (p.ConnectionType !== undefined && p.ConnectionType !== 'INTERNET') {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.ConnectionType`, 'VPC links are not supported locally');
  }
  if (p.ContentHandling !== undefined) {
    throw new UnsupportedTemplateError(r.logicalId, `${at}.ContentHandling`, 'binary conversion is not supported locally');
  }
  const uri = str(p.Uri);
  if (type !== 'MOCK') {
    if (!uri || !/^arn:[^:]+:apigateway:[^:]*:[^:]+:(action|path)\//.test(uri)) {
      throw new UnsupportedTemplateError(r.logicalId, `${at}.Uri`, `expected arn:<partition>:apigateway:<region>:<service>:action/... or :path/..., got ${uri}`);
    }
    if (type === 'AWS_PROXY' && !/:lambda:path\/2015-03-31\/functions\/.+\/invocations$/.test(uri)) {
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
      const pattern = str(ir.SelectionPattern);
      if (pattern) {
        try {
          new RegExp(pattern);
        } catch {
          throw new UnsupportedTemplateError(r.logicalId, `${where}.SelectionPattern`, `not a regular expression: ${pattern}`);
        }
      }
      return {
        statusCode: str(ir.StatusCode) ?? '200',
        ...(pattern ? { selectionPattern: pattern } : {}),
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
    const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(arn);
    if (!m) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.AccessLogSetting.DestinationArn', `only CloudWatch Logs log groups are supported, got ${arn}`);
    }
    accessLog = { logGroupName: m[1]!, format: str(access.Format) ?? DEFAULT_ACCESS_LOG_FORMAT };
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
export const DEFAULT_ACCESS_LOG_FORMAT =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId';
