/**
 * The REST APIs of a stack as the local API Gateway holds them, shared by the
 * reader (model.ts), the method execution and the authorizers. Types only, so
 * those modules depend on this one and not on each other.
 */
import type { CompiledModel } from './json-schema.js';

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
  /** Content type (or `$default`) -> compiled model the body must match; empty unless the validator checks bodies. */
  readonly requestModels: ReadonlyMap<string, CompiledModel>;
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

/** An `AWS::ApiGateway::Authorizer` of a Lambda type. */
export interface AuthorizerDef {
  readonly id: string;
  readonly logicalId: string;
  readonly type: 'TOKEN' | 'REQUEST';
  readonly functionArn: string;
  /** `method.request.header.X`, `method.request.querystring.Y`, `stageVariables.Z`, `context.W`. */
  readonly identitySources: readonly string[];
  /** TOKEN: a token that does not match (the whole of) it is refused without calling the function. */
  readonly validationExpression?: RegExp;
  readonly ttlSeconds: number;
  /** With a role, API Gateway invokes the function as that role. */
  readonly credentials?: string;
}
