import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAssembly } from '../../../local/cloudformation/assembly.js';
import { inertResourceTypes } from '../../../local/cloudformation/inert.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import type { StackModel } from '../../../local/cloudformation/types.js';
import { leftoverIntrinsics, synthFixture } from './cdk-fixture.js';

const endpoint = 'http://127.0.0.1:3000';

describe('loadStack on a CDK-synthesized stack', () => {
  let assemblyDir: string;
  let stack: StackModel;
  beforeAll(() => {
    assemblyDir = synthFixture();
    stack = loadStack(assemblyDir, { localEndpoint: endpoint });
  }, 60_000);

  it('reads the single stack and defaults the environment', () => {
    expect(stack.stackName).toBe('FixtureStack');
    expect(stack.env).toEqual({ account: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' });
    expect(stack.assemblyDir).toBe(path.resolve(assemblyDir));
    expect(readAssembly(assemblyDir).templateFile).toBe(path.join(path.resolve(assemblyDir), 'FixtureStack.template.json'));
  });

  it('resolves every intrinsic in every resource', () => {
    expect(stack.resources.size).toBeGreaterThan(10);
    for (const resource of stack.resources.values()) {
      expect(leftoverIntrinsics(resource.properties), resource.logicalId).toEqual([]);
    }
  });

  it('wires names through: invoke config, destinations, environment, subscription, rule', () => {
    const [fn] = stack.resourcesOfType('AWS::Lambda::Function').filter((r) => r.logicalId.startsWith('DestinedFunction'));
    const [bus] = stack.resourcesOfType('AWS::Events::EventBus');
    const [queue] = stack.resourcesOfType('AWS::SQS::Queue');
    const [config] = stack.resourcesOfType('AWS::Lambda::EventInvokeConfig');
    expect(fn!.ref).toMatch(/^FixtureStack-DestinedFunction[A-Za-z0-9]*-[A-Za-z0-9]{12}$/);
    expect(config!.properties).toMatchObject({
      FunctionName: fn!.ref,
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: { Destination: bus!.arn }, OnFailure: { Destination: bus!.arn } },
    });
    expect(bus!.arn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/destined-bus');
    expect(fn!.properties).toMatchObject({ Environment: { Variables: { BUS_ARN: bus!.arn, QUEUE_URL: queue!.ref } } });
    const [role] = stack.resourcesOfType('AWS::IAM::Role').filter((r) => r.logicalId.startsWith('DestinedFunction'));
    expect(fn!.properties.Role).toBe(role!.arn);
    const [subscription] = stack.resourcesOfType('AWS::SNS::Subscription');
    const [topic] = stack.resourcesOfType('AWS::SNS::Topic');
    expect(subscription!.properties).toMatchObject({ Protocol: 'lambda', TopicArn: topic!.ref, Endpoint: fn!.arn });
    const [rule] = stack.resourcesOfType('AWS::Events::Rule');
    expect(rule!.properties.EventBusName).toBe('destined-bus');
    expect(rule!.arn).toMatch(/^arn:aws:events:us-east-1:000000000000:rule\/destined-bus\//);
    const permissions = stack.resourcesOfType('AWS::Lambda::Permission');
    expect(permissions.map((p) => p.properties.SourceArn)).toEqual(expect.arrayContaining([topic!.ref, rule!.arn]));
  });

  it('finds the code asset of a function, and refuses one without', () => {
    const [fn] = stack.resourcesOfType('AWS::Lambda::Function').filter((r) => r.logicalId.startsWith('DestinedFunction'));
    const dir = stack.assetDir(fn!);
    expect(readFileSync(path.join(dir, 'index.mjs'), 'utf8')).toContain('handler');
    const [inline] = stack.resourcesOfType('AWS::Lambda::Function').filter((r) => r.logicalId.startsWith('SuccessLogger'));
    expect(() => stack.assetDir(inline!)).toThrow(/SuccessLogger[A-Z0-9]*: Metadata\.aws:asset:path: /);
  });

  it('rewrites the execute-api output to the local endpoint and keeps export names', () => {
    expect(stack.outputs.find((o) => o.OutputKey === 'SendEventUrl0')).toEqual({
      OutputKey: 'SendEventUrl0',
      OutputValue: 'http://127.0.0.1:3000/prod/SendEvent',
      Description: 'Send an event',
    });
    const [topic] = stack.resourcesOfType('AWS::SNS::Topic');
    expect(stack.outputs.find((o) => o.OutputKey === 'TopicArn')).toEqual({ OutputKey: 'TopicArn', OutputValue: topic!.ref, ExportName: 'FixtureTopicArn' });
  });

  it('gives the same names on a second load of the same assembly', () => {
    const again = loadStack(assemblyDir, { localEndpoint: endpoint });
    for (const [id, resource] of stack.resources) {
      expect(again.resources.get(id)!.ref).toBe(resource.ref);
      expect(again.resources.get(id)!.arn).toBe(resource.arn);
    }
    expect(again.stackId).toBe(stack.stackId);
  });

  it('lists the resource types no service handles', () => {
    const inert = inertResourceTypes(stack, new Set(['AWS::Lambda::Function', 'AWS::SNS::Topic']));
    expect(inert.has('AWS::Lambda::Function')).toBe(false);
    expect(inert.get('AWS::Events::EventBus')).toEqual([stack.resourcesOfType('AWS::Events::EventBus')[0]!.logicalId]);
    expect(inert.get('AWS::IAM::Role')!.length).toBeGreaterThanOrEqual(2);
  });

  it('uses the long /restapis/ form when the stack has several REST APIs', () => {
    const multi = loadStack(synthFixture({ restApis: 2, stackName: 'MultiApi' }), { localEndpoint: endpoint });
    const apis = multi.resourcesOfType('AWS::ApiGateway::RestApi');
    expect(multi.outputs.find((o) => o.OutputKey === 'SendEventUrl1')!.OutputValue).toBe(
      `${endpoint}/restapis/${apis[1]!.ref}/prod/_user_request_/SendEvent`,
    );
  }, 60_000);

  it('refuses an assembly with no stack, several stacks, or a nested stack', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfn-bad-'));
    cpSync(assemblyDir, dir, { recursive: true });
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const [id, artifact] = Object.entries(manifest.artifacts).find(([, a]) => (a as { type: string }).type === 'aws:cloudformation:stack')!;
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, artifacts: { ...manifest.artifacts, Second: artifact } }));
    expect(() => readAssembly(dir)).toThrow(/exactly one stack; it has 2: FixtureStack, Second/);
    const withoutStack = { ...manifest, artifacts: { ...manifest.artifacts } };
    delete withoutStack.artifacts[id];
    writeFileSync(manifestPath, JSON.stringify(withoutStack));
    expect(() => readAssembly(dir)).toThrow(/must contain a stack; it has none/);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const templatePath = path.join(dir, 'FixtureStack.template.json');
    const template = JSON.parse(readFileSync(templatePath, 'utf8'));
    template.Resources.Nested = { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'x' } };
    writeFileSync(templatePath, JSON.stringify(template));
    expect(() => readAssembly(dir)).toThrow('Nested: Type: nested stacks (AWS::CloudFormation::Stack) are not supported');
    expect(() => readAssembly(path.join(dir, 'nope'))).toThrow(/manifest\.json not found/);
    expect(existsSync(dir)).toBe(true);
  });
});
