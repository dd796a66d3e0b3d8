/**
 * The REST APIs of a stack as API Gateway serves them: resources in a tree,
 * methods with their integrations, stages with their settings. Built from the
 * resolved StackModel; anything API Gateway would do that this runtime does
 * not is rejected here, at start-up, naming the resource and property.
 */
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { compileModel, ModelSchemaError, type CompiledModel } from './json-schema.js';
import { logGroupNameFromArn } from './access-log.js';
import { lambdaArnFromUri, parseAwsUri } from './integrations.js';
import type {
  AuthorizerDef,
  IntegrationDef,
  MethodDef,
  MethodSettingDef,
  ResourceDef,
  RestApiDef,
  StageDef,
} from './types.js';

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
  const apis = new Map(stack.resourcesOfType('AWS::ApiGateway::RestApi').map((r) => [r.ref, readRestApi(r)] as const));
  const apiOf = (r: StackResource): RestApiDef => {
    const api = apis.get(String(r.properties.RestApiId));
    if (!api) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.RestApiId', `no AWS::ApiGateway::RestApi ${String(r.properties.RestApiId)} in the stack`);
    }
    return api;
  };
  buildResourceTrees(stack, apiOf);
  for (const api of apis.values()) assignPaths(api.root, '');
  const lookups: MethodLookups = {
    validators: readRequestValidators(stack, apiOf),
    authorizers: readAuthorizers(stack, apiOf),
    models: readModels(stack, apiOf),
  };
  attachMethods(stack, apiOf, lookups);
  addDeploymentStages(stack, apiOf);
  addGatewayResponses(stack, apiOf);
  addStages(stack, apiOf);
  return [...apis.values()];
}

/** The RestApi of a resource that names one in `RestApiId`. */
type ApiOf = (r: StackResource) => RestApiDef;

type RequestValidatorDef = { readonly params: boolean; readonly body: boolean };

/** A model, compiled the first time a method validates bodies with it. */
type LazyModel = () => CompiledModel;

/** What methods refer to by id or name. */
interface MethodLookups {
  readonly validators: ReadonlyMap<string, RequestValidatorDef>;
  readonly authorizers: ReadonlyMap<string, AuthorizerDef>;
  /** API id -> model name -> model. */
  readonly models: ReadonlyMap<string, ReadonlyMap<string, LazyModel>>;
}

function readRestApi(r: StackResource): RestApiDef {
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
  return {
    logicalId: r.logicalId,
    id: r.ref,
    name: str(p.Name) ?? r.logicalId,
    endpointType: String(types[0] ?? 'EDGE'),
    ...(num(p.MinimumCompressionSize) !== undefined ? { minimumCompressionSize: num(p.MinimumCompressionSize)! } : {}),
    root,
    resources: new Map([[rootId, root]]),
    stages: new Map(),
    gatewayResponses: new Map(),
  };
}

/** Every AWS::ApiGateway::Resource under its parent; a parent may come after its child in the template. */
function buildResourceTrees(stack: StackModel, apiOf: ApiOf): void {
  const pending = stack.resourcesOfType('AWS::ApiGateway::Resource');
  for (const r of pending) {
    const resources = apiOf(r).resources as Map<string, ResourceDef>;
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
}

function readRequestValidators(stack: StackModel, apiOf: ApiOf): Map<string, RequestValidatorDef> {
  const validators = new Map<string, RequestValidatorDef>();
  for (const r of stack.resourcesOfType('AWS::ApiGateway::RequestValidator')) {
    apiOf(r);
    validators.set(r.ref, { params: bool(r.properties.ValidateRequestParameters), body: bool(r.properties.ValidateRequestBody) });
  }
  return validators;
}

function readAuthorizers(stack: StackModel, apiOf: ApiOf): Map<string, AuthorizerDef> {
  const authorizers = new Map<string, AuthorizerDef>();
  for (const r of stack.resourcesOfType('AWS::ApiGateway::Authorizer')) {
    apiOf(r);
    authorizers.set(r.ref, readAuthorizer(r));
  }
  return authorizers;
}

/** Compiled at most once, however many methods use it. */
function lazyModel(name: string, schema: Readonly<Record<string, unknown>>): LazyModel {
  let compiled: CompiledModel | undefined;
  return () => (compiled ??= compileModel(name, schema));
}

/** The built-in `Error` model. */
const ERROR_MODEL = { type: 'object', properties: { message: { type: 'string' } } };

function readModels(stack: StackModel, apiOf: ApiOf): Map<string, Map<string, LazyModel>> {
  const models = new Map<string, Map<string, LazyModel>>();
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
    const name = String(r.properties.Name ?? r.ref);
    models.get(api.id)!.set(name, lazyModel(name, record<unknown>(schema)));
  }
  return models;
}

function attachMethods(stack: StackModel, apiOf: ApiOf, lookups: MethodLookups): void {
  for (const r of stack.resourcesOfType('AWS::ApiGateway::Method')) {
    const api = apiOf(r);
    const method = readMethod(r, api, lookups);
    const resource = api.resources.get(String(r.properties.ResourceId));
    if (!resource) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.ResourceId', `no resource ${String(r.properties.ResourceId)} in API ${api.id}`);
    }
    resource.methods.set(method.httpMethod, method);
  }
}

/** Models every API has without declaring them (Empty is handled apart: it places no constraint). */
const BUILT_IN_MODELS: ReadonlyMap<string, LazyModel> = new Map([['Error', lazyModel('Error', ERROR_MODEL)]]);

/** A Deployment's `StageName` creates a stage with default settings. */
function addDeploymentStages(stack: StackModel, apiOf: ApiOf): void {
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
}

function addGatewayResponses(stack: StackModel, apiOf: ApiOf): void {
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
}

function addStages(stack: StackModel, apiOf: ApiOf): void {
  for (const r of stack.resourcesOfType('AWS::ApiGateway::Stage')) {
    const api = apiOf(r);
    const stage = readStage(r, api, stack);
    api.stages.set(stage.name, stage);
  }
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

function readMethod(r: StackResource, api: RestApiDef, lookups: MethodLookups): MethodDef {
  const p = r.properties;
  rejectUnknown(r, p, ACCEPTED_METHOD, 'Properties');
  const auth = str(p.AuthorizationType) ?? 'NONE';
  let authorizer: AuthorizerDef | undefined;
  if (auth === 'CUSTOM') {
    authorizer = lookups.authorizers.get(String(p.AuthorizerId));
    if (!authorizer) throw new UnsupportedTemplateError(r.logicalId, 'Properties.AuthorizerId', `no Lambda AWS::ApiGateway::Authorizer ${String(p.AuthorizerId)}`);
  } else if (auth !== 'NONE') {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.AuthorizationType', `${auth} authorization is not supported locally (NONE and CUSTOM are)`);
  }
  if (bool(p.ApiKeyRequired)) throw new UnsupportedTemplateError(r.logicalId, 'Properties.ApiKeyRequired', 'API keys are not supported locally');
  const httpMethod = String(p.HttpMethod ?? '').toUpperCase();
  if (!httpMethod) throw new UnsupportedTemplateError(r.logicalId, 'Properties.HttpMethod', 'is required');
  const validatorId = str(p.RequestValidatorId);
  const validator = validatorId === undefined ? undefined : lookups.validators.get(validatorId);
  if (validatorId !== undefined && !validator) {
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.RequestValidatorId', `no AWS::ApiGateway::RequestValidator ${validatorId}`);
  }
  const requestModels = new Map<string, CompiledModel>();
  if (validator?.body) {
    for (const [contentType, name] of Object.entries(record<unknown>(p.RequestModels))) {
      const where = `Properties.RequestModels.${contentType}`;
      const modelName = String(name);
      // The built-in Empty model places no constraint on the body.
      if (modelName === 'Empty') continue;
      const model = BUILT_IN_MODELS.get(modelName) ?? lookups.models.get(api.id)?.get(modelName);
      if (!model) throw new UnsupportedTemplateError(r.logicalId, where, `no AWS::ApiGateway::Model named ${modelName} in the API`);
      try {
        requestModels.set(contentType.toLowerCase(), model());
      } catch (error) {
        if (error instanceof ModelSchemaError) throw new UnsupportedTemplateError(r.logicalId, where, error.message);
        throw error;
      }
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
