import { existsSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../local/cloudformation/model.js';
import type { StackModel } from '../../../local/cloudformation/types.js';
import { assemblyForTests } from '../../support/local-runtime.js';
import { leftoverIntrinsics } from './cdk-fixture.js';

const endpoint = 'http://127.0.0.1:3000';

describe('the real app (bin/app.ts) synthesized and loaded', () => {
  let assemblyDir: string;
  let stack: StackModel;
  beforeAll(async () => {
    // The assembly every test shares; context reaching the app is synthesizeApp's test (assembly.test.ts).
    assemblyDir = await assemblyForTests();
    stack = loadStack(assemblyDir, { localEndpoint: endpoint });
  }, 120_000);

  it('resolves every property of every resource', () => {
    expect(stack.resources.size).toBeGreaterThan(20);
    for (const resource of stack.resources.values()) {
      expect(leftoverIntrinsics(resource.properties), resource.logicalId).toEqual([]);
    }
  });

  it('resolves Fn::Sub with pseudo parameters, Fn::GetAtt and Ref to concrete values', () => {
    const [destined] = stack.resourcesOfType('AWS::Lambda::Function').filter((f) => f.ref === 'TheDestinedLambdaStack-destined');
    const p = destined!.properties as { Code: { S3Bucket: string }; Role: string; LoggingConfig: { LogGroup: string } };
    expect(p.Code.S3Bucket).toBe('cdk-hnb659fds-assets-000000000000-us-east-1');
    const roles = new Map(stack.resourcesOfType('AWS::IAM::Role').map((r) => [r.arn, r]));
    expect(roles.has(p.Role)).toBe(true);
    expect(p.Role).toMatch(/^arn:aws:iam::000000000000:role\/TheDest[A-Za-z]*-DestinedFunctionServ[A-Za-z0-9]*-[A-Z0-9]{12}$/);
    expect(stack.resourcesOfType('AWS::Logs::LogGroup').map((g) => g.ref)).toContain(p.LoggingConfig.LogGroup);
  });

  it('gives each resource its own physical id', () => {
    const refs = [...stack.resources.values()].map((r) => r.ref);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('points SendEventUrl at the local endpoint', () => {
    const url = stack.outputs.find((o) => o.OutputKey === 'SendEventUrl')?.OutputValue;
    expect(url).toBe(`${endpoint}/prod/SendEvent`);
  });

  it('wires the destined function to the bus', () => {
    const [bus] = stack.resourcesOfType('AWS::Events::EventBus');
    expect(bus!.ref).toBe('the-destined-lambda');
    const configs = stack.resourcesOfType('AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    const functionNames = stack.resourcesOfType('AWS::Lambda::Function').map((f) => f.ref);
    expect(functionNames).toContain(configs[0]!.properties.FunctionName);
    expect(configs[0]!.properties).toMatchObject({
      Qualifier: '$LATEST',
      DestinationConfig: { OnSuccess: { Destination: bus!.arn }, OnFailure: { Destination: bus!.arn } },
    });
    for (const rule of stack.resourcesOfType('AWS::Events::Rule')) {
      expect(rule.properties.EventBusName).toBe('the-destined-lambda');
      expect(rule.arn).toMatch(/^arn:aws:events:us-east-1:000000000000:rule\/the-destined-lambda\//);
    }
  });

  it('finds the code of every function in the assembly', () => {
    for (const fn of stack.resourcesOfType('AWS::Lambda::Function')) {
      const dir = stack.assetDir(fn);
      expect(dir.startsWith(stack.assemblyDir), fn.logicalId).toBe(true);
      expect(existsSync(dir) && readdirSync(dir).length > 0, fn.logicalId).toBe(true);
    }
  });

  it('names everything the same on a second load', () => {
    const again = loadStack(assemblyDir, { localEndpoint: endpoint });
    const identities = (model: StackModel) => [...model.resources.values()].map((r) => ({ ref: r.ref, arn: r.arn, attributes: r.attributes }));
    expect(identities(again)).toEqual(identities(stack));
    expect(again.stackId).toBe(stack.stackId);
    expect(again.outputs).toEqual(stack.outputs);
  });
});
