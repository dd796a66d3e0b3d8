import { describe, expect, it } from 'vitest';
import { apiStack, harness, resource, API_ID } from './helpers.js';
import { UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { readRestApis } from '../../../local/apigateway/model.js';
import { ApiGatewayService } from '../../../local/apigateway/service.js';

const mock = { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] };

function unsupported(build: () => unknown): UnsupportedTemplateError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    return error as UnsupportedTemplateError;
  }
  throw new Error('expected an UnsupportedTemplateError');
}

describe('reading REST APIs from the stack', () => {
  it('builds the resource tree with full paths and the stage', () => {
    const [api] = readRestApis(apiStack([{ path: '/a/{id}/b', httpMethod: 'get', integration: mock }]));
    expect(api!.id).toBe(API_ID);
    expect([...api!.resources.values()].map((r) => r.path).sort()).toEqual(['/', '/a', '/a/{id}', '/a/{id}/b']);
    const b = [...api!.resources.values()].find((r) => r.path === '/a/{id}/b')!;
    expect([...b.methods.keys()]).toEqual(['GET']);
    expect([...api!.stages.keys()]).toEqual(['prod']);
  });

  it('lists the CloudFormation types it consumes', () => {
    expect(ApiGatewayService.handledTypes).toEqual(
      expect.arrayContaining(['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Stage', 'AWS::ApiGateway::Account']),
    );
  });

  it.each([
    ['AuthorizationType', { path: '/x', httpMethod: 'GET', integration: mock, properties: { AuthorizationType: 'AWS_IAM' } }, 'Properties.AuthorizationType'],
    ['ApiKeyRequired', { path: '/x', httpMethod: 'GET', integration: mock, properties: { ApiKeyRequired: true } }, 'Properties.ApiKeyRequired'],
    ['HTTP integration', { path: '/x', httpMethod: 'GET', integration: { Type: 'HTTP_PROXY', Uri: 'https://example.com' } }, 'Properties.Integration.Type'],
    ['bad URI', { path: '/x', httpMethod: 'GET', integration: { Type: 'AWS', Uri: 'https://example.com' } }, 'Properties.Integration.Uri'],
    ['ContentHandling', { path: '/x', httpMethod: 'GET', integration: { ...mock, ContentHandling: 'CONVERT_TO_BINARY' } }, 'Properties.Integration.ContentHandling'],
  ] as const)('rejects %s on a method, naming the method and property', (_name, method, property) => {
    const error = unsupported(() => readRestApis(apiStack([method])));
    expect(error.logicalId).toBe('Method0');
    expect(error.propertyPath).toBe(property);
  });

  it('rejects OpenAPI bodies, caching and canaries', () => {
    expect(unsupported(() => readRestApis(apiStack([], { restApi: { Body: { openapi: '3.0' } } }))).propertyPath).toBe('Properties.Body');
    expect(unsupported(() => readRestApis(apiStack([], { stage: { CacheClusterEnabled: true } }))).propertyPath).toBe('Properties.CacheClusterEnabled');
    expect(unsupported(() => readRestApis(apiStack([], { stage: { CanarySetting: { PercentTraffic: 10 } } }))).propertyPath).toBe('Properties.CanarySetting');
  });

  it('rejects body validation against a model', () => {
    const stack = apiStack(
      [{ path: '/x', httpMethod: 'POST', integration: mock, properties: { RequestValidatorId: 'v', RequestModels: { 'application/json': 'M' } } }],
      { extra: [resource('V', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestBody: true }, 'v')] },
    );
    expect(unsupported(() => readRestApis(stack)).propertyPath).toBe('Properties.RequestModels');
  });

  it('accepts stage logging, metrics and throttling settings and access logs', () => {
    const stack = apiStack([{ path: '/x', httpMethod: 'GET', integration: mock }], {
      stage: {
        MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true, ThrottlingRateLimit: 5, ThrottlingBurstLimit: 2 }],
        AccessLogSetting: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:access:*', Format: '$context.requestId' },
        TracingEnabled: true,
      },
    });
    expect(() => harness(stack)).not.toThrow();
    const stage = readRestApis(stack)[0]!.stages.get('prod')!;
    expect(stage.accessLog).toEqual({ logGroupName: 'access', format: '$context.requestId' });
    expect(stage.methodSettings[0]).toMatchObject({ throttlingRateLimit: 5, throttlingBurstLimit: 2, loggingLevel: 'ERROR' });
  });
});
