/**
 * A call made with a role on a resource of another account is allowed only
 * when the role's identity policies AND the resource's policy allow it:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
import { describe, expect, it } from 'vitest';
import { IamService, type RoleCall } from '../../../local/iam/service.js';
import { makeStack } from '../lambda/helpers.js';

const ROLE = 'arn:aws:iam::111111111111:role/sender';
const OWN_BUS = 'arn:aws:events:us-east-1:111111111111:event-bus/own';
const OTHER_BUS = 'arn:aws:events:us-west-2:222222222222:event-bus/shared';
const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const PUT_ANYWHERE = { PolicyName: 'put', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: '*' }] } };

function service(options: { rolePolicies?: object[]; busPolicyPrincipal?: string; inlinePolicy?: boolean }) {
  const statement = { Sid: 'fromSender', Effect: 'Allow', Principal: { AWS: options.busPolicyPrincipal }, Action: 'events:PutEvents', Resource: OTHER_BUS };
  return IamService.fromStack(
    makeStack([
      { logicalId: 'Sender', type: 'AWS::IAM::Role', ref: 'sender', arn: ROLE, properties: { AssumeRolePolicyDocument: TRUST, Policies: options.rolePolicies ?? [] } },
      { logicalId: 'OwnBus', type: 'AWS::Events::EventBus', ref: 'own', arn: OWN_BUS, properties: { Name: 'own' } },
      {
        logicalId: 'SharedBus',
        type: 'AWS::Events::EventBus',
        ref: 'shared',
        arn: OTHER_BUS,
        properties: { Name: 'shared', ...(options.busPolicyPrincipal && options.inlinePolicy ? { Policy: { Version: '2012-10-17', Statement: [statement] } } : {}) },
      },
      ...(options.busPolicyPrincipal && !options.inlinePolicy
        ? [{ logicalId: 'SharedBusPolicy', type: 'AWS::Events::EventBusPolicy', properties: { EventBusName: 'shared', StatementId: 'fromSender', Statement: statement } }]
        : []),
    ]),
  );
}

const put = (resource: string): RoleCall => ({ roleArn: ROLE, session: 'fn', action: 'events:PutEvents', resource, via: 'test' });

describe('calls across accounts', () => {
  it('needs no resource policy in the role’s own account', () => {
    expect(service({ rolePolicies: [PUT_ANYWHERE] }).check(put(OWN_BUS))).toBeUndefined();
  });

  it('are refused when only the role allows them, or only the resource policy', () => {
    expect(service({ rolePolicies: [PUT_ANYWHERE] }).check(put(OTHER_BUS))?.message).toMatch(/is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-west-2:222222222222/);
    expect(service({ busPolicyPrincipal: '111111111111' }).check(put(OTHER_BUS))).toBeDefined();
  });

  it('name the side that refused: the resource policy when the role already allows the call', () => {
    const resourceSide = service({ rolePolicies: [PUT_ANYWHERE] }).check(put(OTHER_BUS))!;
    expect(resourceSide.message).toMatch(/ because no resource-based policy allows the events:PutEvents action$/);
    expect(resourceSide.wouldAllow).toEqual({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'events:PutEvents', Resource: OTHER_BUS });
    expect(resourceSide.cdkFix).toBeUndefined();
    const identitySide = service({ busPolicyPrincipal: '111111111111' }).check(put(OTHER_BUS))!;
    expect(identitySide.message).toMatch(/ because no identity-based policy allows the events:PutEvents action$/);
    expect(identitySide.wouldAllow).toEqual({ Effect: 'Allow', Action: 'events:PutEvents', Resource: OTHER_BUS });
  });

  it("are allowed when the role allows them and the bus's policy (EventBusPolicy or the bus's Policy) allows its account", () => {
    expect(service({ rolePolicies: [PUT_ANYWHERE], busPolicyPrincipal: '111111111111' }).check(put(OTHER_BUS))).toBeUndefined();
    expect(service({ rolePolicies: [PUT_ANYWHERE], busPolicyPrincipal: 'arn:aws:iam::111111111111:root', inlinePolicy: true }).check(put(OTHER_BUS))).toBeUndefined();
    expect(service({ rolePolicies: [PUT_ANYWHERE], busPolicyPrincipal: '333333333333' }).check(put(OTHER_BUS))).toBeDefined();
  });
});
