import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * A small Destined-Lambda-shaped stack synthesized with aws-cdk-lib, as the
 * CDK CLI would (asset metadata on), into a temporary assembly directory.
 */
export function synthFixture(options: { restApis?: number; stackName?: string } = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cfn-fixture-'));
  const codeDir = path.join(root, 'code');
  mkdirSync(codeDir);
  writeFileSync(path.join(codeDir, 'index.mjs'), 'export const handler = async () => ({ ok: true });\n');
  const outdir = path.join(root, 'cdk.out');
  // aws-cdk-lib's built-in template validation leaves the template as it is and is most of a synth's time.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, options.stackName ?? 'FixtureStack');

  const bus = new events.EventBus(stack, 'DestinedBus', { eventBusName: 'destined-bus' });
  const dlq = new sqs.Queue(stack, 'Dlq');
  const destined = new lambda.Function(stack, 'DestinedFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(codeDir),
    environment: { BUS_ARN: bus.eventBusArn, QUEUE_URL: dlq.queueUrl },
    retryAttempts: 1,
    maxEventAge: Duration.minutes(2),
    onSuccess: new destinations.EventBridgeDestination(bus),
    onFailure: new destinations.EventBridgeDestination(bus),
  });
  const logger = new lambda.Function(stack, 'SuccessLogger', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  const topic = new sns.Topic(stack, 'Topic');
  topic.addSubscription(new subscriptions.LambdaSubscription(destined));
  new events.Rule(stack, 'SuccessRule', {
    eventBus: bus,
    eventPattern: { detail: { requestContext: { condition: ['Success'] } } },
    targets: [new targets.LambdaFunction(logger)],
  });
  for (let i = 0; i < (options.restApis ?? 1); i++) {
    const api = new apigateway.RestApi(stack, `Api${i}`, { deployOptions: { stageName: 'prod' } });
    api.root.addResource('SendEvent').addMethod('GET', new apigateway.MockIntegration({ integrationResponses: [{ statusCode: '200' }], requestTemplates: { 'application/json': '{"statusCode":200}' } }), {
      methodResponses: [{ statusCode: '200' }],
    });
    new CfnOutput(stack, `SendEventUrl${i}`, { value: `${api.url}SendEvent`, description: 'Send an event' });
  }
  new CfnOutput(stack, 'TopicArn', { value: topic.topicArn, exportName: 'FixtureTopicArn' });
  app.synth();
  return outdir;
}

/** Paths of any unresolved intrinsic left in `value`. */
export function leftoverIntrinsics(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leftoverIntrinsics(v, `${at}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'Ref' || k.startsWith('Fn::') ? [`${at}.${k}`] : leftoverIntrinsics(v, `${at}.${k}`),
    );
  }
  return [];
}
