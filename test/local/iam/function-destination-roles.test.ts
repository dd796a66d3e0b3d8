/**
 * The execution-role checks of the function-destination example, on its
 * synthesized template with fake handlers: a record reaches Second (plain
 * LambdaDestination, lambda:InvokeFunction) or the default event bus
 * (responseOnly, events:PutEvents) only with the permission CDK grants, and
 * a role without it is traced as denied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../../local/cloudformation/assembly-cache.js';
import { readAssemblyStacks, type AssemblyStack } from '../../../local/cloudformation/assembly.js';
import { buildStackModel } from '../../../local/cloudformation/model.js';
import { exampleDir } from '../../support/local-runtime.js';
import { CaptureSinks } from '../lambda/helpers.js';
import { lambdaWithIam } from './lambda-with-iam.js';

interface TemplateResource {
  Type: string;
  Properties: { PolicyDocument?: { Statement: { Action: string | string[] }[] } };
}

let synthesized: AssemblyStack;

beforeAll(async () => {
  const { dir } = await cachedAssembly({ projectDir: exampleDir('function-destination'), context: {}, validation: false });
  synthesized = readAssemblyStacks(dir)[0]!;
}, 180_000);

/** A read-only action on the same resource, in place of the one a test takes away. */
const READ_ONLY: Readonly<Record<string, string>> = { 'events:PutEvents': 'events:DescribeEventBus', 'lambda:InvokeFunction': 'lambda:GetFunction' };

/**
 * The example's stack; with `without`, every role statement granting that
 * action grants a read-only one on the same resource instead (CloudFormation
 * refuses a policy with no statement, so the statement stays).
 */
function setup(without?: string) {
  const template = structuredClone(synthesized.template) as unknown as { Resources: Record<string, TemplateResource> };
  if (without) {
    for (const resource of Object.values(template.Resources)) {
      const document = resource.Type === 'AWS::IAM::Policy' ? resource.Properties.PolicyDocument : undefined;
      for (const statement of document?.Statement ?? []) {
        statement.Action = [statement.Action].flat().map((a) => (a === without ? READ_ONLY[a]! : a));
      }
    }
  }
  const stack = buildStackModel({ ...synthesized, template: template as unknown as AssemblyStack['template'] }, { localEndpoint: 'http://127.0.0.1:1' });
  const { lambda, sinks, tracer } = lambdaWithIam(stack);
  const name = (suffix: string) => stack.resourcesOfType('AWS::Lambda::Function').find((f) => f.ref.endsWith(`-${suffix}`))!.ref;
  const arn = (suffix: string) => stack.resourcesOfType('AWS::Lambda::Function').find((f) => f.ref.endsWith(`-${suffix}`))!.arn!;
  const defaultBus = `arn:${stack.env.partition}:events:${stack.env.region}:${stack.env.account}:event-bus/default`;
  return { lambda, sinks, tracer, name, arn, defaultBus };
}

describe('function-destination: the execution role decides delivery', () => {
  it('responseOnly: with the events:PutEvents CDK grants, the record goes to the default bus for the rule', async () => {
    const { lambda, sinks, tracer, name, arn, defaultBus } = setup();
    await lambda.invoke(name('FirstResponseOnly'), '{"name":"ada"}', 'Event');
    await lambda.idle();
    expect(sinks.putEventsCalls).toHaveLength(1);
    expect(sinks.putEventsCalls[0]!.entries[0]).toMatchObject({
      Source: 'lambda',
      DetailType: 'Lambda Function Invocation Result - Success',
      EventBusName: defaultBus,
      Resources: [defaultBus, `${arn('FirstResponseOnly')}:$LATEST`],
    });
    expect(tracer.events.filter((e) => e.outcome === 'denied')).toEqual([]);
  });

  it('responseOnly: each delivery reaches the sinks as they are when it is made, as the role', async () => {
    const { lambda, sinks, tracer, name } = setup();
    await lambda.invoke(name('FirstResponseOnly'), '{"name":"ada"}', 'Event');
    await lambda.idle();
    // The runtime fills its sinks in after every service exists: a later delivery must see the change.
    const later = new CaptureSinks();
    (sinks as { events: CaptureSinks['events'] }).events = later.events;
    await lambda.invoke(name('FirstResponseOnly'), '{"name":"grace"}', 'Event');
    await lambda.idle();
    expect(sinks.putEventsCalls).toHaveLength(1);
    expect(later.putEventsCalls).toHaveLength(1);
    expect(tracer.events.filter((e) => e.outcome === 'denied')).toEqual([]);
  });

  it('responseOnly: without events:PutEvents on the default bus the record is not delivered, and the denial is traced', async () => {
    const { lambda, sinks, tracer, name, defaultBus } = setup('events:PutEvents');
    await lambda.invoke(name('FirstResponseOnly'), '{"name":"ada"}', 'Event');
    await lambda.idle();
    expect(sinks.putEventsCalls).toEqual([]);
    expect(tracer.events.find((e) => e.kind === 'destination-failed')).toMatchObject({ outcome: 'denied' });
    expect(tracer.events.find((e) => e.outcome === 'denied' && e.kind !== 'destination-failed')).toMatchObject({
      resource: defaultBus,
      detail: { action: 'events:PutEvents' },
    });
  });

  it('LambdaDestination: with lambda:InvokeFunction on Second, Second is invoked asynchronously with the record', async () => {
    const { lambda, sinks, name, arn } = setup();
    await lambda.invoke(name('First'), '{"name":"ada"}', 'Event');
    await lambda.idle();
    expect(sinks.lambdaCalls).toHaveLength(1);
    expect(sinks.lambdaCalls[0]).toMatchObject({ ref: arn('Second'), type: 'Event' });
    expect(JSON.parse(sinks.lambdaCalls[0]!.payload)).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'Success', functionArn: `${arn('First')}:$LATEST` },
      requestPayload: { name: 'ada' },
    });
  });

  it('LambdaDestination: without lambda:InvokeFunction, Second is not invoked and the denial is traced', async () => {
    const { lambda, sinks, tracer, name, arn } = setup('lambda:InvokeFunction');
    await lambda.invoke(name('First'), '{"name":"ada"}', 'Event');
    await lambda.idle();
    expect(sinks.lambdaCalls).toEqual([]);
    expect(tracer.events.find((e) => e.outcome === 'denied' && e.kind !== 'destination-failed')).toMatchObject({
      resource: arn('Second'),
      detail: { action: 'lambda:InvokeFunction' },
    });
  });
});
