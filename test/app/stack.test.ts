import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRequestTemplate, PUBLISH_ERROR_TEMPLATE, PUBLISH_SUCCESS_TEMPLATE } from '../../lib/send-event-api.js';
import { logicalId, synthesize } from './synth.js';
import type { Synthesized } from './synth.js';

let synth: Synthesized;
let template: Template;
let json: Record<string, any>;
let fnId: string;
let topicId: string;
let busId: string;

beforeAll(() => {
  synth = synthesize();
  json = synth.template;
  template = Template.fromJSON(json);
  fnId = logicalId(json, 'AWS::Lambda::Function', 'DestinedFunction');
  topicId = logicalId(json, 'AWS::SNS::Topic', 'Topic');
  busId = logicalId(json, 'AWS::Events::EventBus', 'EventBus');
});

afterAll(() => synth?.cleanup());

const latestArn = (id: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, ':$LATEST']] });

/** The DLQ's policy lets `service` send to it only on behalf of `sourceArn`. */
function expectDlqSendPolicy(dlqId: string, service: string, sourceArn: unknown): void {
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: dlqId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Action: 'sqs:SendMessage',
          Principal: { Service: service },
          Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
        }),
      ]),
    },
  });
}

describe('event bus and topic', () => {
  it('creates the bus the-destined-lambda', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'the-destined-lambda' });
  });

  it('denies non-TLS access to the topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('destined function', () => {
  it('is Node.js 22 on arm64, bundled as ESM with source maps enabled', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'TheDestinedLambdaStack-destined',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      LoggingConfig: { LogGroup: { Ref: logicalId(json, 'AWS::Logs::LogGroup', 'DestinedLogGroup') } },
    });
  });

  it('has an explicit log group with retention and no logRetention custom resource', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/TheDestinedLambdaStack-destined',
      RetentionInDays: 30,
    });
    const types = new Set(Object.values(json.Resources as Record<string, { Type: string }>).map((r) => r.Type));
    expect([...types].filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
    // Only the three handlers: no provider or log-retention functions.
    template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  it('retries twice within 6 hours and sends both outcomes to the bus', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnSuccess: { Destination: { 'Fn::GetAtt': [busId, 'Arn'] } },
        OnFailure: { Destination: { 'Fn::GetAtt': [busId, 'Arn'] } },
      },
    });
  });

  it('may put events on this bus only', () => {
    const policyId = logicalId(json, 'AWS::IAM::Policy', 'DestinedFunctionServiceRoleDefaultPolicy');
    expect(json.Resources[policyId].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
    ]);
  });

  it('is subscribed to the topic with a dead-letter queue', () => {
    const dlqId = logicalId(json, 'AWS::SQS::Queue', 'SubscriptionDlq');
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId },
    });
    // SNS may send to the DLQ only for this topic.
    expectDlqSendPolicy(dlqId, 'sns.amazonaws.com', { Ref: topicId });
  });
});

describe('rules, targets and archive', () => {
  it('routes success records of this function with the original source/action', () => {
    const ruleId = logicalId(json, 'AWS::Events::Rule', 'RulesSuccessRule');
    expect(json.Resources[ruleId].Properties.EventPattern).toEqual({
      source: ['lambda'],
      'detail-type': ['Lambda Function Invocation Result - Success'],
      detail: {
        requestContext: { condition: ['Success'], functionArn: [latestArn(fnId)] },
        responsePayload: { source: ['cdkpatterns.the-destined-lambda'], action: ['message'] },
      },
    });
  });

  it('routes every failure of this function, whatever the error type or condition', () => {
    const ruleId = logicalId(json, 'AWS::Events::Rule', 'RulesFailureRule');
    expect(json.Resources[ruleId].Properties.EventPattern).toEqual({
      source: ['lambda'],
      'detail-type': ['Lambda Function Invocation Result - Failure'],
      detail: { requestContext: { functionArn: [latestArn(fnId)] } },
    });
  });

  it.each([
    ['RulesSuccessRule', 'SuccessLoggerFunction', 'RulesSuccessTargetDlq'],
    ['RulesFailureRule', 'FailureLoggerFunction', 'RulesFailureTargetDlq'],
  ])('%s targets its logger with a retry policy and a DLQ', (rule, fn, dlq) => {
    const ruleId = logicalId(json, 'AWS::Events::Rule', rule);
    const loggerId = logicalId(json, 'AWS::Lambda::Function', fn);
    const dlqId = logicalId(json, 'AWS::SQS::Queue', dlq);
    expect(json.Resources[ruleId].Properties).toMatchObject({
      EventBusName: { Ref: busId },
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [loggerId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [loggerId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    expectDlqSendPolicy(dlqId, 'events.amazonaws.com', { 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  it('archives failure records for 30 days with the failure pattern', () => {
    const ruleId = logicalId(json, 'AWS::Events::Rule', 'RulesFailureRule');
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
      EventPattern: json.Resources[ruleId].Properties.EventPattern,
    });
  });

  it('gives the loggers their own log groups and Powertools-friendly settings', () => {
    for (const name of ['success-logger', 'failure-logger']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `TheDestinedLambdaStack-${name}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/TheDestinedLambdaStack-${name}`,
        RetentionInDays: 30,
      });
    }
  });

  it('encrypts every queue and refuses non-TLS access to it', () => {
    const queues = Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    expect(queues).toHaveLength(3);
    for (const [id, queue] of queues) {
      expect(queue.Properties).toEqual({ SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('SendEvent API', () => {
  let method: Record<string, any>;
  beforeAll(() => {
    method = json.Resources[logicalId(json, 'AWS::ApiGateway::Method', 'SendEventApiSendEventGET')].Properties;
  });

  it('is GET /SendEvent with an optional, validated mode parameter', () => {
    const validatorId = logicalId(json, 'AWS::ApiGateway::RequestValidator', 'SendEventApiParamsValidator');
    expect(method).toMatchObject({
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      RequestParameters: { 'method.request.querystring.mode': false },
      RequestValidatorId: { Ref: validatorId },
      MethodResponses: [{ StatusCode: '200' }, { StatusCode: '400' }, { StatusCode: '500' }],
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'SendEvent' });
  });

  it('integrates with SNS through a region- and partition-aware URI', () => {
    expect(method.Integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      PassthroughBehavior: 'NEVER',
      Uri: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, ':sns:path//']],
      },
      Credentials: { 'Fn::GetAtt': [logicalId(json, 'AWS::IAM::Role', 'SendEventApiPublishRole'), 'Arn'] },
      RequestParameters: {
        'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
        'integration.request.header.Accept': "'application/json'",
      },
    });
  });

  it('builds the Publish form body with the exact request template', () => {
    const expected =
      `#set($q = '"')` +
      `#set($mode = $util.escapeJavaScript($input.params('mode')).replaceAll("\\\\'","'"))` +
      '#set($message = "{${q}mode${q}:${q}${mode}${q}}")' +
      "Action=Publish&TargetArn=$util.urlEncode('";
    expect(method.Integration.RequestTemplates).toEqual({
      'application/json': { 'Fn::Join': ['', [expected, { Ref: topicId }, "')&Message=$util.urlEncode($message)"]] },
    });
    expect(publishRequestTemplate('TOPIC')).toBe(`${expected}TOPIC')&Message=$util.urlEncode($message)`);
  });

  it('maps SNS answers to 200 with the MessageId, 4xx to 400 and 5xx to 500', () => {
    expect(PUBLISH_SUCCESS_TEMPLATE).toBe(
      `{"messageId":"$input.path('$.PublishResponse.PublishResult.MessageId')","requestId":"$input.path('$.PublishResponse.ResponseMetadata.RequestId')"}`,
    );
    expect(PUBLISH_ERROR_TEMPLATE).toBe(
      `{"error":{"code":"$input.path('$.Error.Code')","message":"$util.escapeJavaScript($input.path('$.Error.Message')).replaceAll("\\\\'","'")"},"requestId":"$input.path('$.RequestId')"}`,
    );
    expect(method.Integration.IntegrationResponses).toEqual([
      { StatusCode: '200', ResponseTemplates: { 'application/json': PUBLISH_SUCCESS_TEMPLATE } },
      { StatusCode: '400', SelectionPattern: '4\\d{2}', ResponseTemplates: { 'application/json': PUBLISH_ERROR_TEMPLATE } },
      { StatusCode: '500', SelectionPattern: '5\\d{2}', ResponseTemplates: { 'application/json': PUBLISH_ERROR_TEMPLATE } },
    ]);
  });

  it('lets the integration role publish to this topic only', () => {
    const roleId = logicalId(json, 'AWS::IAM::Role', 'SendEventApiPublishRole');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
        ],
      },
    });
    const policyId = logicalId(json, 'AWS::IAM::Policy', 'SendEventApiPublishRoleDefaultPolicy');
    expect(json.Resources[policyId].Properties).toMatchObject({
      Roles: [{ Ref: roleId }],
      PolicyDocument: { Statement: [{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } }] },
    });
  });

  it('throttles, access-logs as JSON and logs errors on the prod stage', () => {
    const accessLogsId = logicalId(json, 'AWS::Logs::LogGroup', 'SendEventApiAccessLogs');
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [accessLogsId, 'Arn'] },
        Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId",.*"status":"\\$context.status"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 20,
        }),
      ],
    });
    const stage = Object.values(json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    expect(() => JSON.parse(stage.Properties.AccessLogSetting.Format)).not.toThrow();
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.absent(),
      RetentionInDays: 30,
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('owns the execution-log group API Gateway would otherwise create without retention, before the stage logs', () => {
    const apiId = logicalId(json, 'AWS::ApiGateway::RestApi', 'SendEventApi');
    const groupId = logicalId(json, 'AWS::Logs::LogGroup', 'SendEventApiExecutionLogs');
    expect(json.Resources[groupId]).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: {
        LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/prod']] },
        RetentionInDays: 30,
      },
    });
    const stage = json.Resources[logicalId(json, 'AWS::ApiGateway::Stage', 'SendEventApiDeploymentStageprod')];
    expect(stage.DependsOn).toContain(groupId);
  });
});

describe('IAM', () => {
  it('grants nothing on a wildcard resource or action', () => {
    const statements = Object.values(json.Resources as Record<string, any>)
      .filter((r) => ['AWS::IAM::Policy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy'].includes(r.Type))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    expect(statements.length).toBeGreaterThan(5);
    for (const statement of statements.filter((st) => st.Effect === 'Allow')) {
      expect([statement.Resource].flat()).not.toContain('*');
      expect(JSON.stringify(statement.Action)).not.toContain('*');
    }
  });
});

describe('outputs', () => {
  it('exports the URL, names and ARN users and the local runtime need', () => {
    const apiId = logicalId(json, 'AWS::ApiGateway::RestApi', 'SendEventApi');
    const stageId = logicalId(json, 'AWS::ApiGateway::Stage', 'SendEventApiDeploymentStageprod');
    expect(json.Outputs.SendEventUrl.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: apiId },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: stageId },
          '/SendEvent',
        ],
      ],
    });
    expect(json.Outputs.EventBusName.Value).toEqual({ Ref: busId });
    expect(json.Outputs.TopicArn.Value).toEqual({ Ref: topicId });
    expect(json.Outputs.DestinedFunctionName.Value).toEqual({ Ref: fnId });
    expect(json.Outputs.SuccessLoggerFunctionName.Value).toEqual({
      Ref: logicalId(json, 'AWS::Lambda::Function', 'SuccessLoggerFunction'),
    });
    expect(json.Outputs.FailureLoggerFunctionName.Value).toEqual({
      Ref: logicalId(json, 'AWS::Lambda::Function', 'FailureLoggerFunction'),
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors or warnings', () => {
    // synthesize() would have thrown on a violation; the report proves the checks ran.
    const nag = synth.report?.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag).toBeDefined();
    expect(nag!.violations).toEqual([]);
    expect(nag!.conclusion).toBe('success');
  });
});

describe('snapshot', () => {
  it('matches the stored template, asset hashes aside', () => {
    // Asset hashes (S3 keys, asset paths) change with every esbuild or dependency update.
    const normalised = JSON.parse(JSON.stringify(json).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
    expect(normalised).toMatchSnapshot();
  });
});
