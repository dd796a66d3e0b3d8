import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { EventBridgeDestination, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { CaptureSinks, CaptureTracer, MemoryLogs } from './helpers.js';

/** A small CDK app: inline code (no bundling), a bus destination, a DLQ, a permission for SNS. */
function synthesize(outdir: string) {
  // aws-cdk-lib's built-in template validation leaves the template as it is and is most of a synth's time.
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'LambdaServiceTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const bus = new EventBus(stack, 'Bus', { eventBusName: 'destined' });
  const dlq = new Queue(stack, 'Dlq');
  const failures = new Queue(stack, 'Failures');
  const fn = new LambdaFunction(stack, 'Destined', {
    functionName: 'destined',
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline(
      "exports.handler = async (event) => { if (event.mode === 'fail') throw new Error('asked to fail'); return { source: 'cdkpatterns', mode: event.mode }; };",
    ),
    timeout: Duration.seconds(5),
    retryAttempts: 1,
    maxEventAge: Duration.minutes(10),
    onSuccess: new EventBridgeDestination(bus),
    onFailure: new SqsDestination(failures),
    deadLetterQueue: dlq,
  });
  fn.addPermission('AllowSns', { principal: new ServicePrincipal('sns.amazonaws.com'), sourceArn: 'arn:aws:sns:eu-west-1:123456789012:topic' });
  app.synth();
}

describe('LambdaService from a synthesized CDK stack', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'lambda-service-cdk-'));
  synthesize(outdir);
  const stack = loadStack(outdir, { localEndpoint: 'http://127.0.0.1:1' });
  const sinks = new CaptureSinks();
  const service = LambdaService.fromStack(stack, { sinks, logs: new MemoryLogs(), clock: createClock(0.0001), tracer: new CaptureTracer() });
  afterAll(async () => {
    await service.dispose();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('reads what CDK writes: destinations, retries, DLQ and the permission', () => {
    const [fn] = service.list();
    expect(fn!.definition.config).toMatchObject({ functionName: 'destined', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:destined' });
    expect(fn!.definition.deadLetterTargetArn).toMatch(/^arn:aws:sqs:eu-west-1:123456789012:/);
    expect(fn!.eventInvokeConfig).toMatchObject({
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 600,
      onSuccess: 'arn:aws:events:eu-west-1:123456789012:event-bus/destined',
    });
    expect(fn!.permissions).toEqual([expect.objectContaining({ principal: 'sns.amazonaws.com', action: 'lambda:InvokeFunction' })]);
  });

  it('runs the inline handler on the real pool and routes success and failure', async () => {
    const topic = { principal: 'sns.amazonaws.com', sourceArn: 'arn:aws:sns:eu-west-1:123456789012:topic' };
    await service.invoke('destined', '{"mode":"ok"}', 'Event', topic);
    await service.invoke('destined', '{"mode":"fail"}', 'Event', topic);
    await service.idle();
    const success = sinks.putEventsCalls[0]!.entries[0]!;
    expect(success.DetailType).toBe('Lambda Function Invocation Result - Success');
    expect(JSON.parse(success.Detail!).responsePayload).toEqual({ source: 'cdkpatterns', mode: 'ok' });
    const failure = sinks.sqsCalls.find((c) => c.attributes === undefined)!;
    expect(JSON.parse(failure.body).requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 2 });
    const dead = sinks.sqsCalls.find((c) => c.attributes !== undefined)!;
    expect(dead.body).toBe('{"mode":"fail"}');
    expect(dead.attributes!['ErrorMessage']!.StringValue).toBe('asked to fail');
  }, 20_000);
});
