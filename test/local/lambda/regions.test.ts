/**
 * Lambda is regional: a client's region decides which function a name
 * means, and a function ARN of another region is refused as Lambda refuses it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { lambdaApi } from '../../../local/lambda/api.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { repoRoot } from '../../support/local-runtime.js';
import { serve, type Served } from '../../support/serve.js';
import { EventSourceMappings } from '../../../local/lambda/event-source-mapping/service.js';
import { SqsService } from '../../../local/sqs/service.js';
import { CaptureSinks, CaptureTracer, MemoryLogs, fakePools, makeStack } from './helpers.js';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'multi-env', 'assembly');
const WEST = 'arn:aws:lambda:us-west-2:222222222222:function:env-west-fn';
const EAST = 'arn:aws:lambda:us-east-1:111111111111:function:env-east-fn';

function build(dir = fixture) {
  const sinks = new CaptureSinks();
  const { factory } = fakePools({});
  const service = LambdaService.fromStack(loadStack(dir, { localEndpoint: 'http://127.0.0.1:1' }), {
    sinks,
    logs: new MemoryLogs(),
    clock: createClock(0.0001),
    tracer: new CaptureTracer(),
    poolFactory: factory,
  });
  sinks.lambdaTarget = service;
  return service;
}

describe('Lambda functions of two regions', () => {
  const service = build();
  let server: Served;
  const client = (region: string) => new LambdaClient({ endpoint: server.endpoint, region, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });

  beforeAll(async () => {
    server = await serve(lambdaApi(service));
  });

  afterAll(async () => {
    await server?.close();
    await service.dispose();
  });

  it("keeps each function's account and region in its configuration", () => {
    expect(service.find(WEST)?.definition.config).toMatchObject({ functionArn: WEST, region: 'us-west-2', accountId: '222222222222' });
    expect(service.find(EAST)?.definition.config).toMatchObject({ region: 'us-east-1', accountId: '111111111111' });
  });

  it("reads a name as the function of the client's region", async () => {
    expect((await client('us-west-2').send(new InvokeCommand({ FunctionName: 'env-west-fn', Payload: Buffer.from('{}') }))).StatusCode).toBe(200);
    expect((await client('us-west-2').send(new InvokeCommand({ FunctionName: '222222222222:function:env-west-fn' }))).StatusCode).toBe(200);
    await expect(client('us-west-2').send(new InvokeCommand({ FunctionName: 'env-east-fn' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    expect((await client('us-west-2').send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionArn)).toEqual([WEST]);
  });

  it('lists the event source mappings of the functions of the signing region, named in their region and account', () => {
    const queue = 'arn:aws:sqs:us-east-1:111111111111:work';
    const sqs = new SqsService();
    sqs.createQueue('work', { visibilityTimeout: 900 }, queue);
    const mapping = (logicalId: string, functionName: string) => ({ logicalId, type: 'AWS::Lambda::EventSourceMapping', properties: { FunctionName: functionName, EventSourceArn: queue, Enabled: false } });
    const mappings = EventSourceMappings.fromStack(makeStack([mapping('West', WEST), mapping('East', EAST)]), { lambda: service, sqs, clock: createClock(1), defaultConcurrency: 1 });
    const west = mappings.list({ region: 'us-west-2' });
    expect(west.map((m) => m['FunctionArn'])).toEqual([WEST]);
    expect(west[0]!['EventSourceMappingArn']).toMatch(/^arn:aws:lambda:us-west-2:222222222222:event-source-mapping:/);
    expect(mappings.list({ region: 'us-east-1', functionName: 'env-east-fn' }).map((m) => m['FunctionArn'])).toEqual([EAST]);
    expect(mappings.list({ region: 'us-west-2', functionName: 'env-east-fn' })).toEqual([]);
  });

  it("refuses another region's function ARN with Lambda's message", async () => {
    await expect(client('us-west-2').send(new InvokeCommand({ FunctionName: EAST }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Functions from 'us-east-1' are not reachable in this region ('us-west-2')",
    });
  });

  it('lets another service invoke a function of any region by its ARN (SNS across regions)', async () => {
    const result = await service.invoke(WEST, '{}', 'Event', { principal: 'sns.amazonaws.com', sourceArn: 'arn:aws:sns:us-east-1:111111111111:env-east-topic' });
    expect(result.statusCode).toBe(202);
  });

  it('refuses a Lambda permission made in another region than its function', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'multi-env-lambda-'));
    cpSync(fixture, dir, { recursive: true });
    const eastPath = path.join(dir, 'EnvEast.template.json');
    const east = JSON.parse(readFileSync(eastPath, 'utf8'));
    east.Resources.EastGrant = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: WEST, Principal: 'sns.amazonaws.com' } };
    writeFileSync(eastPath, JSON.stringify(east));
    expect(() => build(dir)).toThrow(/EastGrant: Properties\.FunctionName: Functions from 'us-west-2' are not reachable in this region \('us-east-1'\)/);
  });
});
