import { describe, expect, it } from 'vitest';
import { apiStack, harness, resource, API_ID } from './helpers.js';
import { UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { readRestApis } from '../../../local/apigateway/model.js';
import { ApiGatewayService } from '../../../local/apigateway/service.js';
import { createClock } from '../../../local/clock.js';

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
    ['an unknown integration type', { path: '/x', httpMethod: 'GET', integration: { Type: 'HTTP_STREAM', Uri: 'https://example.com' } }, 'Properties.Integration.Type'],
    ['a non-HTTP URL on an HTTP integration', { path: '/x', httpMethod: 'GET', integration: { Type: 'HTTP_PROXY', Uri: 'ftp://example.com' } }, 'Properties.Integration.Uri'],
    ['a VPC link', { path: '/x', httpMethod: 'GET', integration: { Type: 'HTTP_PROXY', Uri: 'http://nlb', ConnectionType: 'VPC_LINK' } }, 'Properties.Integration.ConnectionType'],
    ['bad URI', { path: '/x', httpMethod: 'GET', integration: { Type: 'AWS', Uri: 'https://example.com' } }, 'Properties.Integration.Uri'],
    ['ContentHandling', { path: '/x', httpMethod: 'GET', integration: { ...mock, ContentHandling: 'CONVERT_TO_BINARY' } }, 'Properties.Integration.ContentHandling'],
  ] as const)('rejects %s on a method, naming the method and property', (_name, method, property) => {
    const error = unsupported(() => readRestApis(apiStack([method])));
    expect(error.logicalId).toBe('Method0');
    expect(error.propertyPath).toBe(property);
  });

  it('rejects an integration response key it does not know, naming its path', () => {
    const integration = { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200', Frobnicate: true }] };
    const error = unsupported(() => readRestApis(apiStack([{ path: '/x', httpMethod: 'GET', integration }])));
    expect(error.logicalId).toBe('Method0');
    expect(error.propertyPath).toBe('Properties.Integration.IntegrationResponses.0.Frobnicate');
  });

  it('rejects an AWS integration to a service the runtime does not serve, and accepts one it does', () => {
    const deps = { sinks: {} as never, logs: { ensureLogGroup: () => {}, putLogEvents: () => {} }, clock: createClock(1), callAwsService: async () => ({ statusCode: 200, headers: {}, body: '' }), awsServices: ['sns'] };
    const sqs = { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/q' };
    const error = unsupported(() => ApiGatewayService.fromStack(apiStack([{ path: '/x', httpMethod: 'POST', integration: sqs }]), deps));
    expect(error.logicalId).toBe('Method0');
    expect(error.propertyPath).toBe('Properties.Integration.Uri');
    expect(error.message).toMatch(/not sqs/);
    const sns = { ...sqs, Uri: 'arn:aws:apigateway:us-east-1:sns:action/Publish' };
    expect(ApiGatewayService.fromStack(apiStack([{ path: '/x', httpMethod: 'POST', integration: sns }]), deps).restApis.size).toBe(1);
  });

  it('rejects integration responses the method responses do not declare, as API Gateway does', () => {
    const integration = {
      ...mock,
      IntegrationResponses: [{ StatusCode: '200', ResponseParameters: { 'method.response.header.X-Id': "'1'" } }],
    };
    const undeclaredStatus = unsupported(() =>
      readRestApis(apiStack([{ path: '/x', httpMethod: 'GET', integration, properties: { MethodResponses: [{ StatusCode: '400' }] } }])),
    );
    expect(undeclaredStatus.logicalId).toBe('Method0');
    expect(undeclaredStatus.propertyPath).toBe('Properties.Integration.IntegrationResponses.0.StatusCode');
    const undeclaredHeader = unsupported(() =>
      readRestApis(apiStack([{ path: '/x', httpMethod: 'GET', integration, properties: { MethodResponses: [{ StatusCode: '200' }] } }])),
    );
    expect(undeclaredHeader.propertyPath).toBe('Properties.Integration.IntegrationResponses.0.ResponseParameters.method.response.header.X-Id');
    const declared = { MethodResponses: [{ StatusCode: '200', ResponseParameters: { 'method.response.header.X-Id': true } }] };
    expect(readRestApis(apiStack([{ path: '/x', httpMethod: 'GET', integration, properties: declared }]))).toHaveLength(1);
  });

  it('rejects an invalid SelectionPattern or IdentityValidationExpression at start-up, naming the property', () => {
    const integration = { ...mock, IntegrationResponses: [{ StatusCode: '200' }, { StatusCode: '200', SelectionPattern: '(4\\d{2}' }] };
    const pattern = unsupported(() => readRestApis(apiStack([{ path: '/x', httpMethod: 'GET', integration }])));
    expect([pattern.logicalId, pattern.propertyPath]).toEqual(['Method0', 'Properties.Integration.IntegrationResponses.1.SelectionPattern']);
    const authorizer = resource('Auth', 'AWS::ApiGateway::Authorizer', {
      RestApiId: API_ID,
      Type: 'TOKEN',
      AuthorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations',
      IdentityValidationExpression: 'Bearer [',
    });
    const validation = unsupported(() => readRestApis(apiStack([], { extra: [authorizer] })));
    expect([validation.logicalId, validation.propertyPath]).toEqual(['Auth', 'Properties.IdentityValidationExpression']);
  });

  it('rejects a Firehose access log destination and a disabled execute-api endpoint', () => {
    const firehose = { AccessLogSetting: { DestinationArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/amazon-apigateway-x' } };
    expect(unsupported(() => readRestApis(apiStack([], { stage: firehose }))).propertyPath).toBe('Properties.AccessLogSetting.DestinationArn');
    expect(unsupported(() => readRestApis(apiStack([], { restApi: { DisableExecuteApiEndpoint: true } }))).propertyPath).toBe('Properties.DisableExecuteApiEndpoint');
  });

  it('rejects OpenAPI bodies, caching and canaries', () => {
    expect(unsupported(() => readRestApis(apiStack([], { restApi: { Body: { openapi: '3.0' } } }))).propertyPath).toBe('Properties.Body');
    expect(unsupported(() => readRestApis(apiStack([], { stage: { CacheClusterEnabled: true } }))).propertyPath).toBe('Properties.CacheClusterEnabled');
    expect(unsupported(() => readRestApis(apiStack([], { stage: { CanarySetting: { PercentTraffic: 10 } } }))).propertyPath).toBe('Properties.CanarySetting');
  });

  it('rejects a request model that is missing or refers to another model', () => {
    const validator = resource('V', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestBody: true }, 'v');
    const method = (model: string) => ({
      path: '/x',
      httpMethod: 'POST',
      integration: mock,
      properties: { RequestValidatorId: 'v', RequestModels: { 'application/json': model } },
    });
    const missing = unsupported(() => readRestApis(apiStack([method('Nope')], { extra: [validator] })));
    expect(missing.propertyPath).toBe('Properties.RequestModels.application/json');
    const refModel = resource('M', 'AWS::ApiGateway::Model', {
      RestApiId: API_ID,
      Name: 'Linked',
      Schema: { type: 'object', properties: { a: { $ref: 'https://apigateway.amazonaws.com/restapis/x/models/Other' } } },
    });
    expect(unsupported(() => readRestApis(apiStack([method('Linked')], { extra: [validator, refModel] }))).message).toMatch(/refers to other models/);
    const badPattern = resource('P', 'AWS::ApiGateway::Model', { RestApiId: API_ID, Name: 'Bad', Schema: { type: 'string', pattern: '([a-z]' } });
    const invalid = unsupported(() => readRestApis(apiStack([method('Bad')], { extra: [validator, badPattern] })));
    expect([invalid.logicalId, invalid.propertyPath]).toEqual(['Method0', 'Properties.RequestModels.application/json']);
    expect(invalid.message).toMatch(/not a regular expression/);
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
