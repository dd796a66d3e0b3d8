import { describe, expect, it } from 'vitest';
import { refuseUnemulated } from '../../../local/cloudformation/inert.js';
import { UnsupportedTemplateError } from '../../../local/protocol/errors.js';

describe('resources no service handles', () => {
  it('accepts types with no local behaviour', () => {
    expect(() =>
      refuseUnemulated(
        new Map([
          ['AWS::IAM::Role', ['Role1']],
          ['AWS::CDK::Metadata', ['CDKMetadata']],
          ['AWS::Events::EventBusPolicy', ['BusPolicy']],
        ]),
      ),
    ).not.toThrow();
  });

  it.each([
    ['AWS::Lambda::CodeSigningConfig', 'Signing'],
    ['AWS::Lambda::EventSourceMapping', 'Mapping'],
    ['AWS::Logs::SubscriptionFilter', 'Filter'],
    ['AWS::ApiGatewayV2::Api', 'HttpApi'],
  ])('refuses %s, naming the resource', (type, logicalId) => {
    let error: unknown;
    try {
      refuseUnemulated(new Map([['AWS::IAM::Role', ['Role1']], [type, [logicalId, 'Other']]]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    expect((error as UnsupportedTemplateError).logicalId).toBe(logicalId);
    expect((error as UnsupportedTemplateError).message).toContain(`${type} is not emulated`);
  });
});
