/**
 * Each link of the chain loses the one permission it needs, in a copy of the
 * synthesized template: the failure is the one AWS shows, the denial names
 * principal, action and resource, and the CDK call that grants it is
 * suggested. The unmutated stack runs with no denial, and its grants are
 * reported as used or never used.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemblyForTests, startLocalForTests } from '../../support/local-runtime.js';
import type { LocalRuntime } from '../../../local/runtime.js';
import type { TraceEvent } from '../../../local/contracts.js';
import type { Denial } from '../../../local/iam/service.js';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

let source: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'iam-mutations-'));

beforeAll(async () => {
  source = await assemblyForTests();
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the assembly with its template changed by `mutate`. */
function mutatedAssembly(name: string, mutate: (template: Template) => void): string {
  const dir = path.join(scratch, name);
  cpSync(source, dir, { recursive: true });
  const file = path.join(dir, 'TheDestinedLambdaStack.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  mutate(template);
  writeFileSync(file, JSON.stringify(template));
  return dir;
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function idOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.Resources).filter((id) => template.Resources[id]!.Type === type && id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

interface Running {
  readonly runtime: LocalRuntime;
  readonly printed: string[];
}

async function run(assembly: string | undefined, body: (r: Running) => Promise<void>): Promise<void> {
  const printed: string[] = [];
  const runtime = await startLocalForTests({ ...(assembly ? { assembly } : {}), print: (line) => printed.push(line) });
  try {
    await body({ runtime, printed });
  } finally {
    await runtime.stop();
  }
}

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`never happened within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const denials = (runtime: LocalRuntime): TraceEvent[] => runtime.traces.list().filter((e) => e.outcome === 'denied');
const denialOf = (runtime: LocalRuntime, action: string) => () =>
  denials(runtime).find((e) => (e.detail as Denial).action === action) as (TraceEvent & { detail: Denial }) | undefined;

function output(runtime: LocalRuntime, key: string): string {
  return runtime.stack.outputs.find((o) => o.OutputKey === key)!.OutputValue;
}

/** An SNS notification for the destined function, carrying `token` in its message. */
function snsEvent(mode: 'ok' | 'fail', token: string): string {
  const topic = 'arn:aws:sns:us-east-1:000000000000:topic';
  return JSON.stringify({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:sub`,
        Sns: { Type: 'Notification', MessageId: token, TopicArn: topic, Subject: null, Message: JSON.stringify({ mode }), Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 'x', SigningCertUrl: 'x', UnsubscribeUrl: 'x', MessageAttributes: {} },
      },
    ],
  });
}

function logLines(runtime: LocalRuntime, group: string): string[] {
  const { logs } = runtime.services;
  return logs.hasLogGroup(group) ? logs.groupEvents(group).map((e) => e.message) : [];
}

describe('one missing permission per link of the chain', () => {
  it('API -> SNS without sns:Publish in the API role: SNS answers 403 AuthorizationError, mapped by the integration responses', async () => {
    const assembly = mutatedAssembly('api-sns', (t) => {
      delete t.Resources[idOf(t, 'AWS::IAM::Policy', 'SendEventApiPublishRoleDefaultPolicy')];
    });
    await run(assembly, async ({ runtime }) => {
      const response = await fetch(`${runtime.endpoint}/prod/SendEvent`);
      // The stack maps 4xx backend answers to 400 with the backend's error code and message.
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('AuthorizationError');
      expect(body.error.message).toMatch(
        /^User: arn:aws:sts::000000000000:assumed-role\/[^/]+\/BackplaneAssumeRoleSession is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:000000000000:\S+ because no identity-based policy allows the SNS:Publish action$/,
      );
      const denial = (await waitFor('sns:Publish denial traced', denialOf(runtime, 'sns:Publish'))).detail;
      expect(denial.principal).toMatch(/assumed-role\/.+\/BackplaneAssumeRoleSession$/);
      expect(denial.resource).toMatch(/^arn:aws:sns:/);
      expect(denial.wouldAllow).toEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: denial.resource });
      expect(denial.cdkFix).toBe('topic.grantPublish(sendEventApiPublishRole)');
    });
  });

  it('API -> SNS with a role API Gateway may not assume: 500 and the configuration error in the execution log', async () => {
    const assembly = mutatedAssembly('api-trust', (t) => {
      const role = t.Resources[idOf(t, 'AWS::IAM::Role', 'SendEventApiPublishRole')]!;
      role.Properties['AssumeRolePolicyDocument'] = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      };
    });
    await run(assembly, async ({ runtime }) => {
      const response = await fetch(`${runtime.endpoint}/prod/SendEvent`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal server error' });
      const group = runtime.services.logs.logGroupNames().find((g) => g.startsWith('API-Gateway-Execution-Logs_'));
      expect(group, 'execution log group').toBeDefined();
      const lines = await waitFor('execution log line', () => {
        const found = logLines(runtime, group!).filter((l) => l.includes('does not have permission to assume'));
        return found.length > 0 ? found : undefined;
      });
      expect(lines[0]).toMatch(/Execution failed due to configuration error: API Gateway does not have permission to assume the provided role arn:aws:iam::000000000000:role\//);
      const denial = (await waitFor('sts:AssumeRole denial traced', denialOf(runtime, 'sts:AssumeRole'))).detail;
      expect(denial.principal).toBe('apigateway.amazonaws.com');
      expect(denial.cdkFix).toContain("new iam.ServicePrincipal('apigateway.amazonaws.com')");
    });
  });

  it('SNS -> Lambda without the permission for sns.amazonaws.com: the delivery is refused and the denial named', async () => {
    const assembly = mutatedAssembly('sns-lambda', (t) => {
      delete t.Resources[idOf(t, 'AWS::Lambda::Permission', 'DestinedFunctionAllowInvoke')];
    });
    await run(assembly, async ({ runtime }) => {
      const response = await fetch(`${runtime.endpoint}/prod/SendEvent`);
      // SNS accepts the message; only the delivery to the function fails.
      expect(response.status).toBe(200);
      const denial = (await waitFor('lambda:InvokeFunction denial traced', denialOf(runtime, 'lambda:InvokeFunction'))).detail;
      expect(denial.principal).toBe('sns.amazonaws.com');
      expect(denial.resource).toBe(runtime.services.lambda.find(output(runtime, 'DestinedFunctionName'))!.definition.config.functionArn);
      expect(denial.message).toMatch(/^User: sns\.amazonaws\.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:/);
      expect(denial.wouldAllow).toMatchObject({ Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Condition: { ArnLike: { 'AWS:SourceArn': expect.stringMatching(/^arn:aws:sns:/) } } });
      expect(denial.cdkFix).toBe('topic.addSubscription(new subscriptions.LambdaSubscription(destinedFunction))');
      const destinedGroup = `/aws/lambda/${output(runtime, 'DestinedFunctionName')}`;
      expect(logLines(runtime, destinedGroup).filter((l) => l.startsWith('START'))).toEqual([]);
    });
  });

  it('destination -> bus without events:PutEvents: the record is not delivered, counted as a failed destination, the denial named', async () => {
    const assembly = mutatedAssembly('destination-bus', (t) => {
      delete t.Resources[idOf(t, 'AWS::IAM::Policy', 'DestinedFunctionServiceRoleDefaultPolicy')];
    });
    await run(assembly, async ({ runtime }) => {
      const token = randomUUID();
      await runtime.services.lambda.invoke(output(runtime, 'DestinedFunctionName'), snsEvent('ok', token), 'Event');
      const failed = await waitFor('destination-failed trace', () => runtime.traces.list().find((e) => e.kind === 'destination-failed'));
      expect(failed.summary).toContain('AccessDeniedException');
      const denial = (await waitFor('events:PutEvents denial traced', denialOf(runtime, 'events:PutEvents'))).detail;
      expect(denial.principal).toMatch(/^arn:aws:sts::000000000000:assumed-role\/[^/]+\/TheDestinedLambdaStack-destined$/);
      expect(denial.resource).toMatch(/^arn:aws:events:us-east-1:000000000000:event-bus\//);
      expect(denial.message).toContain('because no identity-based policy allows the events:PutEvents action');
      expect(denial.cdkFix).toBe('eventBus.grantPutEventsTo(destinedFunction)');
      await runtime.services.lambda.idle();
      expect(runtime.traces.list().filter((e) => e.kind === 'destination')).toEqual([]);
      expect(logLines(runtime, `/aws/lambda/${output(runtime, 'SuccessLoggerFunctionName')}`).filter((l) => l.includes(token))).toEqual([]);
    });
  });

  it('rule -> logger without the permission for events.amazonaws.com: the target invocation is refused and the denial named', async () => {
    const assembly = mutatedAssembly('rule-logger', (t) => {
      delete t.Resources[idOf(t, 'AWS::Lambda::Permission', 'RulesSuccessRuleAllowEventRule')];
    });
    await run(assembly, async ({ runtime }) => {
      await runtime.services.lambda.invoke(output(runtime, 'DestinedFunctionName'), snsEvent('ok', randomUUID()), 'Event');
      const denial = (await waitFor('lambda:InvokeFunction denial traced', denialOf(runtime, 'lambda:InvokeFunction'))).detail;
      expect(denial.principal).toBe('events.amazonaws.com');
      expect(denial.resource).toMatch(/:function:TheDestinedLambdaStack-success-logger$/);
      expect(denial.wouldAllow).toMatchObject({ Condition: { ArnLike: { 'AWS:SourceArn': expect.stringMatching(/^arn:aws:events:.*:rule\//) } } });
      expect(denial.cdkFix).toBe('rulesSuccessRule.addTarget(new targets.LambdaFunction(successLoggerFunction))');
    });
  });

  it('logger -> logs without the basic execution role: nothing reaches the log group, the terminal shows the output marked', async () => {
    const assembly = mutatedAssembly('logger-logs', (t) => {
      delete t.Resources[idOf(t, 'AWS::IAM::Role', 'SuccessLoggerFunctionServiceRole')]!.Properties['ManagedPolicyArns'];
    });
    await run(assembly, async ({ runtime, printed }) => {
      const token = randomUUID();
      const logger = output(runtime, 'SuccessLoggerFunctionName');
      await runtime.services.lambda.invoke(output(runtime, 'DestinedFunctionName'), snsEvent('ok', token), 'Event');
      const line = await waitFor('the logger printing the event', () => printed.find((l) => l.startsWith(`[${logger}]`) && l.includes(token)));
      expect(line).toContain('[DENIED logs:CreateLogStream, logs:PutLogEvents: not in CloudWatch Logs]');
      const denial = (await waitFor('logs:PutLogEvents denial traced', denialOf(runtime, 'logs:PutLogEvents'))).detail;
      expect(denial.principal).toMatch(/assumed-role\/[^/]+\/TheDestinedLambdaStack-success-logger$/);
      expect(denial.cdkFix).toBe("successLoggerFunction.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'))");
      await runtime.services.lambda.idle();
      expect(logLines(runtime, `/aws/lambda/${logger}`)).toEqual([]);
      // The destined function's role still has it: its logs arrive.
      expect(logLines(runtime, `/aws/lambda/${output(runtime, 'DestinedFunctionName')}`).some((l) => l.startsWith('START'))).toBe(true);
    });
  });
});

describe('the unmutated stack', () => {
  it('runs the whole chain with no denial and reports its grants as used or never used', async () => {
    await run(undefined, async ({ runtime }) => {
      const response = await fetch(`${runtime.endpoint}/prod/SendEvent`);
      expect(response.status).toBe(200);
      const { messageId } = (await response.json()) as { messageId: string };
      const logger = `/aws/lambda/${output(runtime, 'SuccessLoggerFunctionName')}`;
      await waitFor('the success logger logging the event', () => (logLines(runtime, logger).some((l) => l.includes(messageId)) ? true : undefined));
      await runtime.services.lambda.idle();
      expect(denials(runtime)).toEqual([]);

      const report = (await (await fetch(`${runtime.endpoint}/_local/iam`)).json()) as {
        enforced: boolean;
        roles: { role: string; used: string[]; neverUsed: string[] }[];
        denials: unknown[];
      };
      expect(report.enforced).toBe(true);
      expect(report.denials).toEqual([]);
      const role = (name: string) => report.roles.find((r) => r.role === name);
      expect(role('Destined/Function/ServiceRole')).toMatchObject({
        used: expect.arrayContaining(['events:PutEvents', 'logs:CreateLogStream', 'logs:PutLogEvents']),
        neverUsed: ['logs:CreateLogGroup'],
      });
      expect(role('SendEventApi/PublishRole')).toMatchObject({ used: ['sns:Publish'], neverUsed: [] });
      // API Gateway writes its access log with the account's CloudWatch role.
      expect(role('SendEventApi/Api/CloudWatchRole')?.used).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
      expect(role('SendEventApi/Api/CloudWatchRole')?.neverUsed).toEqual(expect.arrayContaining(['logs:FilterLogEvents']));
      expect(role('SuccessLogger/Function/ServiceRole')).toMatchObject({ used: ['logs:CreateLogStream', 'logs:PutLogEvents'], neverUsed: ['logs:CreateLogGroup'] });
      // The failure logger never ran: nothing it was granted was used.
      expect(role('FailureLogger/Function/ServiceRole')?.used).toEqual([]);
      expect(runtime.services.iam.unusedReport()).toContain(
        'Destined/Function/ServiceRole: events:PutEvents used; logs:CreateLogGroup never used; logs:CreateLogStream used; logs:PutLogEvents used',
      );
    });
  });

  it('--no-iam lets every call through and says so at start-up', async () => {
    const assembly = mutatedAssembly('no-iam', (t) => {
      delete t.Resources[idOf(t, 'AWS::IAM::Policy', 'DestinedFunctionServiceRoleDefaultPolicy')];
    });
    const printed: string[] = [];
    const runtime = await startLocalForTests({ assembly, iam: false, print: (line) => printed.push(line) });
    try {
      expect(printed).toContain('IAM: not enforced (--no-iam): every role may do everything, and no grant is recorded');
      expect(printed.join('\n')).not.toMatch(/AWS::IAM::(Role|Policy)/);
      await runtime.services.lambda.invoke(output(runtime, 'DestinedFunctionName'), snsEvent('ok', randomUUID()), 'Event');
      await waitFor('destination delivered', () => runtime.traces.list().find((e) => e.kind === 'destination'));
      expect(denials(runtime)).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});
