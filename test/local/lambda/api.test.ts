import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  InvokeAsyncCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
  DeleteFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { lambdaApi } from '../../../local/lambda/api.js';
import { serve, TEST_CLIENT, type Served } from '../../support/serve.js';
import { ACCOUNT, arnOf, fail, fn, type ResourceSpec } from './helpers.js';
import { build } from './build.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:t';
const functions: ResourceSpec[] = [
  fn('f'),
  fn('bad'),
  fn('other'),
  fn('r', { ReservedConcurrentExecutions: 1 }),
  {
    logicalId: 'AllowSns',
    type: 'AWS::Lambda::Permission',
    properties: { Action: 'lambda:InvokeFunction', FunctionName: arnOf('f'), Principal: 'sns.amazonaws.com', SourceArn: TOPIC },
  },
];

describe('Lambda REST-JSON API with the AWS SDK', () => {
  const { service, pools } = build(functions, { bad: fail });
  let server: Served;
  let client: LambdaClient;

  beforeAll(async () => {
    server = await serve(lambdaApi(service));
    client = new LambdaClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  const decode = (payload?: Uint8Array) => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

  it('invokes RequestResponse by name, partial ARN and full ARN', async () => {
    for (const FunctionName of ['f', `${ACCOUNT}:function:f`, arnOf('f'), `${arnOf('f')}:$LATEST`]) {
      const out = await client.send(new InvokeCommand({ FunctionName, Payload: Buffer.from('{"n":1}') }));
      expect(out.StatusCode).toBe(200);
      expect(out.ExecutedVersion).toBe('$LATEST');
      expect(out.FunctionError).toBeUndefined();
      expect(decode(out.Payload)).toEqual({ echoed: { n: 1 } });
    }
  });

  it('reports a function error and tails the log', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'bad', Payload: Buffer.from('{}'), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload).errorMessage).toBe('intentional failure');
    expect(Buffer.from(out.LogResult!, 'base64').toString('utf8')).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST\n/);
  });

  it('answers Event with 202 and an empty payload, DryRun with 204', async () => {
    const event = await client.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event', Payload: Buffer.from('{"e":1}') }));
    expect(event.StatusCode).toBe(202);
    expect(Buffer.from(event.Payload ?? []).toString()).toBe('');
    const dry = await client.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'DryRun', Payload: Buffer.from('{}') }));
    expect(dry.StatusCode).toBe(204);
    await service.idle();
    expect(pools.get('f')!.calls.some((c) => c.payload === '{"e":1}')).toBe(true);
  });

  it('gives AWS error codes for a missing function, a bad payload and a throttle', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'missing', Payload: Buffer.from('{}') }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${arnOf('missing')}`,
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client.send(new InvokeCommand({ FunctionName: 'f', Qualifier: '7', Payload: Buffer.from('{}') }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${arnOf('f')}:7`,
    });
    await expect(client.send(new InvokeCommand({ FunctionName: 'f', Payload: Buffer.from('not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
    pools.get('r')!.throttleNext = 1;
    await expect(client.send(new InvokeCommand({ FunctionName: 'r', Payload: Buffer.from('{}') }))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      message: 'Rate Exceeded.',
      $metadata: { httpStatusCode: 429 },
    });
  });

  it('GetFunction describes the function', async () => {
    const out = await client.send(new GetFunctionCommand({ FunctionName: arnOf('r') }));
    expect(out.Configuration).toMatchObject({
      FunctionName: 'r',
      FunctionArn: arnOf('r'),
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      State: 'Active',
      PackageType: 'Zip',
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/r' },
    });
    expect(out.Configuration!.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(out.Code?.RepositoryType).toBe('S3');
    expect(out.Concurrency?.ReservedConcurrentExecutions).toBe(1);
    await expect(client.send(new GetFunctionCommand({ FunctionName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('InvokeAsync answers 202 and runs the function', async () => {
    const out = await client.send(new InvokeAsyncCommand({ FunctionName: 'other', InvokeArgs: Buffer.from('{"legacy":true}') }));
    expect(out.Status).toBe(202);
    await service.idle();
    expect(pools.get('other')!.calls.map((c) => c.payload)).toContain('{"legacy":true}');
  });

  it('GetFunctionConcurrency and GetPolicy describe the reserved concurrency and resource policy', async () => {
    expect((await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'r' }))).ReservedConcurrentExecutions).toBe(1);
    expect((await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'f' }))).ReservedConcurrentExecutions).toBeUndefined();
    const policy = JSON.parse((await client.send(new GetPolicyCommand({ FunctionName: 'f' }))).Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'AllowSns',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: arnOf('f'),
        Condition: { ArnLike: { 'AWS:SourceArn': TOPIC } },
      },
    ]);
    await expect(client.send(new GetPolicyCommand({ FunctionName: 'other' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('ListFunctions pages with Marker and MaxItems', async () => {
    const first = await client.send(new ListFunctionsCommand({ MaxItems: 3 }));
    expect(first.Functions!.map((f) => f.FunctionName)).toEqual(['f', 'bad', 'other']);
    expect(first.NextMarker).toBeTruthy();
    const second = await client.send(new ListFunctionsCommand({ MaxItems: 3, Marker: first.NextMarker! }));
    expect(second.Functions!.map((f) => f.FunctionName)).toEqual(['r']);
    expect(second.NextMarker).toBeUndefined();
  });

  it('puts, updates, gets, lists and deletes the EventInvokeConfig', async () => {
    const put = await client.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'other',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:q' } },
      }),
    );
    expect(put.FunctionArn).toBe(`${arnOf('other')}:$LATEST`);
    expect(put.LastModified).toBeInstanceOf(Date);
    expect(put.DestinationConfig).toEqual({ OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:q' }, OnSuccess: {} });
    const updated = await client.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'other', MaximumEventAgeInSeconds: 60 }));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    const got = await client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: arnOf('other') }));
    expect(got).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    const listed = await client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'other' }));
    expect(listed.FunctionEventInvokeConfigs).toHaveLength(1);
    await client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'other' }));
    await expect(client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'other' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `The function ${arnOf('other')}:$LATEST doesn't have an EventInvokeConfig`,
    });
  });

  it('rejects invalid EventInvokeConfig values with AWS codes', async () => {
    await expect(client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'f', MaximumRetryAttempts: 3 }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'f' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'You must specify at least one of error handling or destination setting.',
    });
    await expect(client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'missing', MaximumRetryAttempts: 1 }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "The function doesn't exist.",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'f:$LATEST', Qualifier: 'live', MaximumRetryAttempts: 1 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'The derived qualifier from the function name does not match the specified qualifier.' });
  });

  it('leaves other paths to other handlers', async () => {
    const handler = lambdaApi(service);
    const req = { method: 'GET', path: '/prod/SendEvent', rawQuery: '', headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' };
    expect(await handler(req)).toBeUndefined();
    const unknown = await handler({ ...req, path: '/2015-03-31/functions/f/aliases' });
    expect(unknown).toMatchObject({ statusCode: 404, headers: { 'x-amzn-errortype': 'UnknownOperationException' } });
  });

  it('answers a method no operation takes on a path as an unknown operation, without reading the name in it', async () => {
    const handler = lambdaApi(service);
    const req = { method: 'DELETE', path: '/2015-03-31/functions/%E0%A4%A', rawQuery: '', headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' };
    expect(await handler(req)).toMatchObject({ statusCode: 404, headers: { 'x-amzn-errortype': 'UnknownOperationException' } });
    expect(await handler({ ...req, path: '/2019-09-25/functions/%E0%A4%A/event-invoke-config/list' })).toMatchObject({
      statusCode: 404,
      headers: { 'x-amzn-errortype': 'UnknownOperationException' },
    });
    // The same name on an operation's route is the operation's validation error.
    expect(await handler({ ...req, method: 'GET' })).toMatchObject({ statusCode: 400, headers: { 'x-amzn-errortype': 'ValidationException' } });
  });
});
