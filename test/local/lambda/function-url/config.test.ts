import { describe, expect, it } from 'vitest';
import { functionUrlKeys, readFunctionUrls } from '../../../../local/lambda/function-url/config.js';
import { functionUrlId } from '../../../../local/cloudformation/names.js';
import { UnsupportedTemplateError } from '../../../../local/protocol/errors.js';
import { makeStack } from '../helpers.js';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:fn';
const functionOf = (ref: string) => (ref === FUNCTION || ref === 'fn' ? { functionName: 'fn', functionArn: FUNCTION } : undefined);
const read = (properties: Record<string, unknown>) =>
  readFunctionUrls(makeStack([{ logicalId: 'FnUrl', type: 'AWS::Lambda::Url', properties: { AuthType: 'NONE', TargetFunctionArn: FUNCTION, ...properties } }]), functionOf);

describe('readFunctionUrls', () => {
  it('reads auth type, CORS and the URL id AWS would give', () => {
    const [config] = read({
      Cors: { AllowOrigins: ['https://a.example'], AllowMethods: ['get', 'POST'], AllowHeaders: ['Content-Type'], ExposeHeaders: ['x-id'], MaxAge: 300, AllowCredentials: true },
    });
    expect(config).toEqual({
      key: 'Test/FnUrl',
      logicalId: 'FnUrl',
      stackName: 'Test',
      functionName: 'fn',
      functionArn: FUNCTION,
      authType: 'NONE',
      cors: { allowCredentials: true, allowHeaders: ['content-type'], allowMethods: ['GET', 'POST'], allowOrigins: ['https://a.example'], exposeHeaders: ['x-id'], maxAge: 300 },
      urlId: functionUrlId('Test', 'FnUrl'),
      domainName: `${functionUrlId('Test', 'FnUrl')}.lambda-url.us-east-1.on.aws`,
      region: 'us-east-1',
      account: '000000000000',
    });
    expect(config!.urlId).toMatch(/^[a-z0-9]{32}$/);
  });

  it('accepts InvokeMode BUFFERED', () => {
    expect(read({ InvokeMode: 'BUFFERED' })).toHaveLength(1);
  });

  it.each([
    [{ InvokeMode: 'RESPONSE_STREAM' }, 'FnUrl: Properties.InvokeMode'],
    [{ Qualifier: 'live' }, 'FnUrl: Properties.Qualifier'],
    [{ AuthType: 'COGNITO' }, 'FnUrl: Properties.AuthType'],
    [{ TargetFunctionArn: 'other' }, 'FnUrl: Properties.TargetFunctionArn: no function other'],
    [{ TargetFunctionArn: `${FUNCTION}:live` }, 'FnUrl: Properties.TargetFunctionArn: qualifier live'],
    [{ Cors: { AllowMethods: ['TRACE'] } }, 'FnUrl: Properties.Cors.AllowMethods'],
    [{ Cors: { MaxAge: 100000 } }, 'FnUrl: Properties.Cors.MaxAge'],
    [{ Cors: { AllowOrigin: ['*'] } }, 'FnUrl: Properties.Cors.AllowOrigin'],
    [{ Tags: [] }, 'FnUrl: Properties.Tags'],
  ])('refuses %j at start-up, naming resource and property', (properties, message) => {
    expect(() => read(properties)).toThrow(UnsupportedTemplateError);
    expect(() => read(properties)).toThrow(message);
  });

  it('lists the function URLs of raw templates by stack and logical id', () => {
    expect(
      functionUrlKeys([
        { stackName: 'A', template: { Resources: { U: { Type: 'AWS::Lambda::Url' }, F: { Type: 'AWS::Lambda::Function' } } } },
        { stackName: 'B', template: { Resources: { V: { Type: 'AWS::Lambda::Url' } } } },
      ]),
    ).toEqual(['A/U', 'B/V']);
  });
});
