import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { AwsError, UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { LambdaError } from '../../../local/lambda/errors.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { ACCOUNT, CaptureSinks, MemoryLogs, arnOf, fail, fakePools, fn, invokeConfig, makeStack, type ResourceSpec } from './helpers.js';
import { build } from './build.js';

async function rejection(promise: Promise<unknown>): Promise<AwsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsError);
  return error as AwsError;
}

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:events';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:dest';
const permission = (props: Record<string, unknown>): ResourceSpec => ({
  logicalId: `Perm${Math.random().toString(36).slice(2, 8)}`,
  type: 'AWS::Lambda::Permission',
  properties: { Action: 'lambda:InvokeFunction', FunctionName: arnOf('f'), ...props },
});

describe('synchronous invoke', () => {
  it('returns the payload, the version and the log', async () => {
    const { service } = build([fn('f')]);
    const result = await service.invoke('f', '{"a":1}', 'RequestResponse');
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.payload)).toEqual({ echoed: { a: 1 } });
    expect(result.executedVersion).toBe('$LATEST');
    expect(result.functionError).toBeUndefined();
    expect(result.log).toContain(`START RequestId: ${result.requestId}`);
  });

  it('marks a function error Unhandled', async () => {
    const { service } = build([fn('f')], { f: fail });
    const result = await service.invoke('f', '{}', 'RequestResponse');
    expect(result.functionError).toBe('Unhandled');
    expect(JSON.parse(result.payload).errorType).toBe('Error');
  });

  it('resolves a name, a partial ARN and a full ARN, with or without $LATEST', async () => {
    const { service, pools } = build([fn('f')]);
    for (const ref of ['f', 'f:$LATEST', `${ACCOUNT}:function:f`, arnOf('f'), `${arnOf('f')}:$LATEST`]) {
      await service.invoke(ref, '{}', 'RequestResponse');
    }
    expect(pools.get('f')!.calls).toHaveLength(5);
  });

  it('answers ResourceNotFoundException as AWS words it', async () => {
    const { service } = build([fn('f')]);
    const missing = await rejection(service.invoke('nope', '{}', 'RequestResponse'));
    expect(missing).toMatchObject({ code: 'ResourceNotFoundException', statusCode: 404, message: `Function not found: ${arnOf('nope')}` });
    const version = await rejection(service.invoke('f:1', '{}', 'Event'));
    expect(version.message).toBe(`Function not found: ${arnOf('f')}:1`);
    const otherAccount = await rejection(service.invoke('arn:aws:lambda:us-east-1:123456789012:function:f', '{}', 'RequestResponse'));
    expect(otherAccount.code).toBe('ResourceNotFoundException');
  });

  it('resolves a reference the same way every time, with or without a qualifier', async () => {
    const { service, pools } = build([fn('f')]);
    for (let i = 0; i < 2; i++) {
      await service.invoke('f', '{}', 'RequestResponse');
      const version = await rejection(service.invokeWith('f', '{}', 'RequestResponse', undefined, { qualifier: '1' }));
      expect(version.message).toBe(`Function not found: ${arnOf('f')}:1`);
      await service.invokeWith('f', '{}', 'RequestResponse', undefined, { qualifier: '$LATEST' });
      const missing = await rejection(service.invoke('nope', '{}', 'RequestResponse'));
      expect(missing.message).toBe(`Function not found: ${arnOf('nope')}`);
    }
    expect(pools.get('f')!.calls).toHaveLength(4);
  });

  it('rejects a payload that is not JSON', async () => {
    const { service } = build([fn('f')]);
    const error = await rejection(service.invoke('f', '{not json', 'RequestResponse'));
    expect(error.code).toBe('InvalidRequestContentException');
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/^Could not parse request body into json: /);
  });

  it('treats an empty payload as {}', async () => {
    const { service, pools } = build([fn('f')]);
    await service.invoke('f', '', 'RequestResponse');
    expect(pools.get('f')!.calls[0]!.payload).toBe('{}');
  });

  it('enforces the 6 MB sync and 1 MB async payload limits', async () => {
    const { service } = build([fn('f')]);
    await expect(service.invoke('f', JSON.stringify({ s: 'x'.repeat(300 * 1024) }), 'Event')).resolves.toMatchObject({ statusCode: 202 });
    const big = JSON.stringify({ s: 'x'.repeat(1024 * 1024) });
    const asyncError = await rejection(service.invoke('f', big, 'Event'));
    expect(asyncError).toMatchObject({ code: 'RequestTooLargeException', statusCode: 413 });
    await expect(service.invoke('f', big, 'RequestResponse')).resolves.toMatchObject({ statusCode: 200 });
    const huge = JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) });
    expect((await rejection(service.invoke('f', huge, 'RequestResponse'))).code).toBe('RequestTooLargeException');
  });

  it('answers a throttle with TooManyRequestsException and the right Reason', async () => {
    const { service, pools } = build([fn('f'), fn('r', { ReservedConcurrentExecutions: 1 })]);
    pools.get('f')!.throttleNext = 1;
    pools.get('r')!.throttleNext = 1;
    const plain = await rejection(service.invoke('f', '{}', 'RequestResponse'));
    expect(plain).toMatchObject({ code: 'TooManyRequestsException', statusCode: 429, message: 'Rate Exceeded.' });
    expect((plain as LambdaError).extra).toEqual({ Reason: 'ConcurrentInvocationLimitExceeded' });
    const reserved = await rejection(service.invoke('r', '{}', 'RequestResponse'));
    expect((reserved as LambdaError).extra).toEqual({ Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
  });

  it('DryRun validates and answers 204 without running the function', async () => {
    const { service, pools } = build([fn('f')]);
    await expect(service.invoke('f', '{}', 'DryRun')).resolves.toMatchObject({ statusCode: 204, payload: '' });
    expect(pools.get('f')!.calls).toHaveLength(0);
    expect((await rejection(service.invoke('f', '{x', 'DryRun'))).code).toBe('InvalidRequestContentException');
  });
});

describe('resource policy', () => {
  it('denies a service principal the function does not allow', async () => {
    const { service } = build([fn('f')]);
    const error = await rejection(service.invoke('f', '{}', 'Event', { principal: 'sns.amazonaws.com', sourceArn: TOPIC }));
    expect(error).toMatchObject({ code: 'AccessDeniedException', statusCode: 403 });
    // DryRun checks the permission too.
    expect((await rejection(service.invoke('f', '{}', 'DryRun', { principal: 'sns.amazonaws.com', sourceArn: TOPIC }))).code).toBe('AccessDeniedException');
  });

  it('allows the principal and source a Permission names (exact and wildcard ArnLike)', async () => {
    const { service } = build([
      fn('f'),
      permission({ Principal: 'sns.amazonaws.com', SourceArn: TOPIC }),
      permission({ Principal: 'events.amazonaws.com', SourceArn: 'arn:aws:events:us-east-1:000000000000:rule/bus/*' }),
    ]);
    await expect(service.invoke('f', '{}', 'DryRun', { principal: 'sns.amazonaws.com', sourceArn: TOPIC })).resolves.toMatchObject({ statusCode: 204 });
    await expect(
      service.invoke('f', '{}', 'DryRun', { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:000000000000:rule/bus/success' }),
    ).resolves.toMatchObject({ statusCode: 204 });
    // Another topic, another rule bus, another principal: denied.
    for (const caller of [
      { principal: 'sns.amazonaws.com', sourceArn: `${TOPIC}-other` },
      { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:000000000000:rule/default/success' },
      { principal: 's3.amazonaws.com', sourceArn: TOPIC },
    ]) {
      expect((await rejection(service.invoke('f', '{}', 'DryRun', caller))).code).toBe('AccessDeniedException');
    }
  });

  it('checks SourceAccount and the action', async () => {
    const { service, pools } = build([
      fn('f'),
      permission({ Principal: 'sns.amazonaws.com', SourceAccount: '111111111111' }),
      permission({ Principal: 's3.amazonaws.com', Action: 'lambda:GetFunction' }),
    ]);
    // "For the DryRun invocation type, the status code is 204" (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
    await expect(service.invoke('f', '{}', 'DryRun', { principal: 'sns.amazonaws.com', sourceAccount: '111111111111' })).resolves.toMatchObject({
      statusCode: 204,
      payload: '',
    });
    expect(pools.get('f')!.calls).toHaveLength(0);
    expect((await rejection(service.invoke('f', '{}', 'DryRun', { principal: 'sns.amazonaws.com', sourceAccount: '222222222222' }))).code).toBe(
      'AccessDeniedException',
    );
    expect((await rejection(service.invoke('f', '{}', 'DryRun', { principal: 's3.amazonaws.com' }))).code).toBe('AccessDeniedException');
  });

  it("keeps a function URL's public permissions to function URL calls", async () => {
    // What addFunctionUrl({ authType: NONE }) grants (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
    const { service } = build([
      fn('f'),
      permission({ Principal: '*', Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' }),
      permission({ Principal: '*', InvokedViaFunctionUrl: true }),
    ]);
    expect((await rejection(service.invoke('f', '{}', 'DryRun', { principal: 'sns.amazonaws.com', sourceArn: TOPIC }))).code).toBe('AccessDeniedException');
  });

  it('lets an IAM caller (no principal) invoke', async () => {
    const { service } = build([fn('f')]);
    await expect(service.invoke('f', '{}', 'RequestResponse')).resolves.toMatchObject({ statusCode: 200 });
  });
});

describe('fromStack', () => {
  const from = (specs: ResourceSpec[]) =>
    LambdaService.fromStack(makeStack(specs), {
      sinks: new CaptureSinks(),
      logs: new MemoryLogs(),
      clock: createClock(0.001),
      poolFactory: fakePools({}).factory,
    });
  const rejected = (specs: ResourceSpec[]): UnsupportedTemplateError => {
    try {
      from(specs);
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedTemplateError);
      return error as UnsupportedTemplateError;
    }
    throw new Error('expected an UnsupportedTemplateError');
  };

  it('reads the function configuration the pool needs', () => {
    const { pools } = build([
      fn('f', {
        MemorySize: 256,
        Timeout: 10,
        Environment: { Variables: { A: 'b' } },
        ReservedConcurrentExecutions: 3,
        LoggingConfig: { LogFormat: 'Text', LogGroup: '/custom/group' },
        TracingConfig: { Mode: 'Active' },
        Architectures: ['arm64'],
      }),
    ]);
    expect(pools.get('f')!.config).toMatchObject({
      functionName: 'f',
      functionArn: arnOf('f'),
      handler: 'index.handler',
      codeDir: '/tmp/code',
      runtime: 'nodejs22.x',
      memorySizeMb: 256,
      timeoutSeconds: 10,
      environment: { A: 'b' },
      reservedConcurrency: 3,
      logGroupName: '/custom/group',
      region: 'us-east-1',
      accountId: ACCOUNT,
    });
  });

  it('defaults memory, timeout and the log group as AWS does', () => {
    const { pools } = build([fn('f')]);
    expect(pools.get('f')!.config).toMatchObject({ memorySizeMb: 128, timeoutSeconds: 3, logGroupName: '/aws/lambda/f', environment: {} });
  });

  it('names the resource and property it cannot honour', () => {
    expect(rejected([fn('f', { Runtime: 'python3.12' })])).toMatchObject({ logicalId: 'f', propertyPath: 'Properties.Runtime' });
    expect(rejected([fn('f', { Layers: ['arn:aws:lambda:us-east-1:1:layer:x:1'] })]).propertyPath).toBe('Properties.Layers');
    expect(rejected([fn('f', { VpcConfig: { SubnetIds: [] } })]).propertyPath).toBe('Properties.VpcConfig');
    expect(rejected([fn('f', { Frobnicate: true })]).propertyPath).toBe('Properties.Frobnicate');
    expect(rejected([fn('f', { LoggingConfig: { LogFormat: 'JSON' } })]).propertyPath).toBe('Properties.LoggingConfig.LogFormat');
    expect(rejected([fn('f', { Code: { ImageUri: 'x' } })]).propertyPath).toBe('Properties.Code.ImageUri');
    expect(rejected([fn('f', { DeadLetterConfig: { TargetArn: 'arn:aws:s3:::bucket' } })]).propertyPath).toBe('Properties.DeadLetterConfig.TargetArn');
    expect(rejected([fn('f'), invokeConfig('f', { Qualifier: 'live', MaximumRetryAttempts: 1 })]).propertyPath).toBe('Properties.Qualifier');
    expect(rejected([fn('f'), invokeConfig('f', { MaximumRetryAttempts: 5 })]).propertyPath).toBe('Properties.MaximumRetryAttempts');
    expect(rejected([fn('f'), invokeConfig('nope', { MaximumRetryAttempts: 1 })]).propertyPath).toBe('Properties.FunctionName');
    const self = rejected([fn('f'), invokeConfig('f', { DestinationConfig: { OnFailure: { Destination: arnOf('f') } } })]);
    expect(self).toMatchObject({ logicalId: 'fEventInvokeConfig', propertyPath: 'Properties.DestinationConfig.OnFailure.Destination' });
    expect(self.message).toContain("You can't specify the function as a destination for itself.");
    const missing = rejected([fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: arnOf('gone') } } })]);
    expect(missing.propertyPath).toBe('Properties.DestinationConfig.OnSuccess.Destination');
    expect(missing.message).toContain(`The destination ARN ${arnOf('gone')} is invalid.`);
    // The message names both destinations; the path names the one refused.
    const s3 = rejected([
      fn('f'),
      invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: QUEUE_ARN }, OnFailure: { Destination: 'arn:aws:s3:::bucket' } } }),
    ]);
    expect(s3.propertyPath).toBe('Properties.DestinationConfig.OnFailure.Destination');
    expect(s3.message).toContain('The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=');
    expect(rejected([fn('f'), permission({ FunctionName: 'nope', Principal: 'sns.amazonaws.com' })]).propertyPath).toBe('Properties.FunctionName');
  });

  it('refuses environment variables a deployment would refuse', () => {
    const reserved = rejected([fn('f', { Environment: { Variables: { OK_VAR: 'x', AWS_REGION: 'eu-west-1', TZ: 'Europe/Paris' } } })]);
    expect(reserved).toMatchObject({ logicalId: 'f', propertyPath: 'Properties.Environment.Variables.AWS_REGION' });
    expect(reserved.message).toContain('Reserved keys used in this request: AWS_REGION, TZ');
    expect(rejected([fn('f', { Environment: { Variables: { '1BAD': 'x' } } })]).propertyPath).toBe('Properties.Environment.Variables.1BAD');
    expect(rejected([fn('f', { Environment: { Variables: { BIG: 'x'.repeat(4096) } } })]).message).toContain('exceeded the 4KB limit');
    // Not reserved: a function may set its own LANG, PATH or NODE_OPTIONS.
    const { pools } = build([fn('f', { Environment: { Variables: { LANG: 'C.UTF-8', NODE_OPTIONS: '--enable-source-maps' } } })]);
    expect(pools.get('f')!.config.environment).toEqual({ LANG: 'C.UTF-8', NODE_OPTIONS: '--enable-source-maps' });
  });

  it('reads EventInvokeConfig integers written as strings, as CloudFormation does', () => {
    const { service } = build([fn('f'), invokeConfig('f', { MaximumRetryAttempts: '1', MaximumEventAgeInSeconds: '120' })]);
    expect(service.find('f')!.eventInvokeConfig).toMatchObject({ maximumRetryAttempts: 1, maximumEventAgeInSeconds: 120 });
    expect(rejected([fn('f'), invokeConfig('f', { MaximumRetryAttempts: '3' })]).propertyPath).toBe('Properties.MaximumRetryAttempts');
  });

  it('writes inline ZipFile code to index.js', async () => {
    const { readFileSync } = await import('node:fs');
    const { pools } = build([fn('f', { Code: { ZipFile: 'exports.handler = async () => 1;' } })]);
    const dir = pools.get('f')!.config.codeDir;
    expect(readFileSync(`${dir}/index.js`, 'utf8')).toBe('exports.handler = async () => 1;');
  });
});

describe('EventInvokeConfig operations', () => {
  it('puts, updates, gets, lists and deletes', () => {
    const { service } = build([fn('f')]);
    const put = service.putEventInvokeConfig('f', undefined, { MaximumRetryAttempts: 0 }, 'put');
    expect(put).toMatchObject({ FunctionArn: `${arnOf('f')}:$LATEST`, MaximumRetryAttempts: 0, DestinationConfig: { OnSuccess: {}, OnFailure: {} } });
    expect(put).not.toHaveProperty('MaximumEventAgeInSeconds');
    const updated = service.putEventInvokeConfig('f', '$LATEST', { MaximumEventAgeInSeconds: 60 }, 'update');
    expect(updated).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    // Put replaces the whole config.
    expect(service.putEventInvokeConfig('f', undefined, { MaximumEventAgeInSeconds: 120 }, 'put')).not.toHaveProperty('MaximumRetryAttempts');
    expect(service.getEventInvokeConfig(arnOf('f'))).toMatchObject({ MaximumEventAgeInSeconds: 120 });
    expect(service.listEventInvokeConfigs('f')).toHaveLength(1);
    service.deleteEventInvokeConfig('f');
    expect(() => service.getEventInvokeConfig('f')).toThrow(`The function ${arnOf('f')}:$LATEST doesn't have an EventInvokeConfig`);
  });

  it('validates as AWS does', () => {
    const { service } = build([fn('f'), fn('g')]);
    const err = (input: Record<string, unknown>, ref = 'f') => {
      try {
        service.putEventInvokeConfig(ref, undefined, input, 'put');
      } catch (e) {
        return e as AwsError;
      }
      throw new Error('expected an error');
    };
    expect(err({ MaximumRetryAttempts: 3 }).code).toBe('ValidationException');
    expect(err({ MaximumEventAgeInSeconds: 59 }).code).toBe('ValidationException');
    expect(err({})).toMatchObject({ code: 'InvalidParameterValueException', message: 'You must specify at least one of error handling or destination setting.' });
    expect(err({ DestinationConfig: { OnSuccess: { Destination: arnOf('f') } } }).message).toBe("You can't specify the function as a destination for itself.");
    expect(err({ DestinationConfig: { OnSuccess: { Destination: arnOf('missing') } } }).message).toBe(`The destination ARN ${arnOf('missing')} is invalid.`);
    expect(err({ DestinationConfig: { OnSuccess: { Destination: 'arn:aws:iam:us-east-1:000000000000:function:f' } } }).message).toBe(
      'The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam:us-east-1:000000000000:function:f), onFailure=null) is invalid.',
    );
    expect(err({ MaximumRetryAttempts: 1 }, 'missing')).toMatchObject({ code: 'ResourceNotFoundException', message: "The function doesn't exist." });
    expect(() => service.putEventInvokeConfig('f', undefined, { DestinationConfig: { OnSuccess: { Destination: arnOf('g') } } }, 'put')).not.toThrow();
  });
});
