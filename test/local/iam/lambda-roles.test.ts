/**
 * The Lambda service with IAM, on fake pools: destinations and dead-letter
 * targets go through the execution role, and a caller acting with a role
 * (API Gateway with an integration's Credentials) is checked against it.
 */
import { describe, expect, it } from 'vitest';
import { arnOf, fn, invokeConfig, makeStack } from '../lambda/helpers.js';
import { lambdaWithIam } from './lambda-with-iam.js';

const EXEC_ROLE = 'arn:aws:iam::000000000000:role/exec';
const API_ROLE = 'arn:aws:iam::000000000000:role/api';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:records';
const trust = (service: string) => ({ Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const role = (logicalId: string, name: string, arn: string, service: string, Action: string, Resource: string) => ({
  logicalId,
  type: 'AWS::IAM::Role',
  ref: name,
  arn,
  properties: { AssumeRolePolicyDocument: trust(service), Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action, Resource }] } }] },
});

const LAMBDA_TRUSTING = 'arn:aws:iam::000000000000:role/lambda-trusting';

function setup(execAllows: string) {
  const stack = makeStack([
    fn('worker', { Role: EXEC_ROLE }),
    invokeConfig('worker', { MaximumRetryAttempts: 0, DestinationConfig: { OnSuccess: { Destination: QUEUE } } }),
    role('Exec', 'exec', EXEC_ROLE, 'lambda.amazonaws.com', execAllows, '*'),
    role('Api', 'api', API_ROLE, 'apigateway.amazonaws.com', 'lambda:InvokeFunction', arnOf('worker')),
    // Allows the invoke, but trusts Lambda instead of API Gateway.
    role('LambdaTrusting', 'lambda-trusting', LAMBDA_TRUSTING, 'lambda.amazonaws.com', 'lambda:InvokeFunction', '*'),
    fn('other'),
  ]);
  const { lambda: service, sinks, tracer } = lambdaWithIam(stack);
  return { service, sinks, tracer };
}

describe('the Lambda service with IAM', () => {
  it('sends a destination record when the execution role allows it', async () => {
    const { service, sinks, tracer } = setup('sqs:SendMessage');
    await service.invoke('worker', '{}', 'Event');
    await service.idle();
    expect(sinks.sqsCalls.map((c) => c.queueArn)).toEqual([QUEUE]);
    expect(tracer.events.filter((e) => e.outcome === 'denied')).toEqual([]);
  });

  it('does not send it when the role lacks sqs:SendMessage: a failed destination and a named denial', async () => {
    const { service, sinks, tracer } = setup('sns:Publish');
    await service.invoke('worker', '{}', 'Event');
    await service.idle();
    expect(sinks.sqsCalls).toEqual([]);
    expect(tracer.kinds()).toContain('destination-failed');
    expect(tracer.events.find((e) => e.outcome === 'denied')).toMatchObject({
      resource: QUEUE,
      detail: { action: 'sqs:SendMessage', principal: 'arn:aws:sts::000000000000:assumed-role/exec/worker' },
    });
  });

  it('checks a caller acting with a role against that role', async () => {
    const { service } = setup('sqs:SendMessage');
    const as = { role: { arn: API_ROLE, session: 'BackplaneAssumeRoleSession', via: 'API Gateway integration' } };
    await expect(service.invoke('worker', '{}', 'RequestResponse', as)).resolves.toMatchObject({ statusCode: 200 });
    await expect(service.invoke('other', '{}', 'RequestResponse', as)).rejects.toMatchObject({
      code: 'AccessDeniedException',
      message: `User: arn:aws:sts::000000000000:assumed-role/api/BackplaneAssumeRoleSession is not authorized to perform: lambda:InvokeFunction on resource: ${arnOf('other')} because no identity-based policy allows the lambda:InvokeFunction action`,
    });
  });

  it('refuses an integration or authorizer credentials role that API Gateway may not assume, as a configuration error', async () => {
    const { service, tracer } = setup('sqs:SendMessage');
    for (const via of ['API Gateway integration', 'API Gateway authorizer']) {
      const as = { role: { arn: LAMBDA_TRUSTING, session: 'BackplaneAssumeRoleSession', via, assumedBy: 'apigateway.amazonaws.com' } };
      const error = await service.invoke('worker', '{}', 'RequestResponse', as).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      // API Gateway's execution layer (apigateway/execute.ts) turns this into a 500 `Execution failed due to configuration error: ...`.
      expect(error?.name).toBe('IntegrationConfigurationError');
      expect(error?.message).toBe(`API Gateway does not have permission to assume the provided role ${LAMBDA_TRUSTING}`);
    }
    const denials = tracer.events.filter((e) => e.outcome === 'denied');
    expect(denials.map((d) => d.detail)).toEqual([
      expect.objectContaining({ principal: 'apigateway.amazonaws.com', action: 'sts:AssumeRole', resource: LAMBDA_TRUSTING, via: 'API Gateway integration' }),
    ]);
    expect((denials[0]!.detail as { cdkFix?: string }).cdkFix).toContain("assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com')");
  });

  it('lets API Gateway assume a role that trusts it', async () => {
    const { service, tracer } = setup('sqs:SendMessage');
    const as = { role: { arn: API_ROLE, session: 'BackplaneAssumeRoleSession', via: 'API Gateway authorizer', assumedBy: 'apigateway.amazonaws.com' } };
    await expect(service.invoke('worker', '{}', 'RequestResponse', as)).resolves.toMatchObject({ statusCode: 200 });
    expect(tracer.events.filter((e) => e.outcome === 'denied')).toEqual([]);
  });
});
