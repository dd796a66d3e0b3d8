/**
 * examples/sync-async-api's template (the assembly cache's synthesis, shared
 * with the e2e test) and its handler, without a runtime.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../local/cloudformation/assembly-cache.js';
import { handler } from '../../examples/sync-async-api/lambda/square.js';
import { SyncAsyncApiStack } from '../../examples/sync-async-api/sync-async-api-stack.js';
import { exampleDir } from '../support/local-runtime.js';

let template: Template;

beforeAll(async () => {
  const { dir } = await cachedAssembly({ projectDir: exampleDir('sync-async-api'), context: {}, validation: false });
  template = Template.fromJSON(JSON.parse(readFileSync(path.join(dir, 'SyncAsyncApiStack.template.json'), 'utf8')) as Record<string, unknown>);
}, 120_000);

describe('SyncAsyncApiStack template', () => {
  it('maps the InvocationType header to X-Amz-Invocation-Type on a non-proxy Lambda integration', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.path.number': true, 'method.request.header.InvocationType': false },
      Integration: Match.objectLike({
        Type: 'AWS',
        RequestParameters: { 'integration.request.header.X-Amz-Invocation-Type': 'method.request.header.InvocationType' },
        IntegrationResponses: [
          Match.objectLike({ StatusCode: '200', SelectionPattern: Match.absent() }),
          Match.objectLike({ StatusCode: '400', SelectionPattern: 'BadRequest: [\\s\\S]*' }),
          Match.objectLike({ StatusCode: '500', SelectionPattern: '(?!BadRequest: )[\\s\\S]+' }),
        ],
      }),
    });
  });

  it('sends async results to two SQS destinations the function role may send to', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnSuccess: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SuccessQueue'), 'Arn'] } },
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FailureQueue'), 'Arn'] } },
      },
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^SquareServiceRole') } }));
    const granted = JSON.stringify(policy);
    for (const queue of queues) expect(granted).toMatch(new RegExp(`"sqs:SendMessage".*"${queue}"|"${queue}".*"sqs:SendMessage"`));
  });

  it('lets the API invoke the function from its GET /square/{number} method', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('^ApiDeploymentStageprod') }, '/GET/square/*'])] },
    });
  });

  it('refuses a retryAttempts outside 0-2', () => {
    expect(() => new SyncAsyncApiStack(new App(), 'Bad', { retryAttempts: 3 })).toThrow('SyncAsyncApiStack Bad: retryAttempts must be 0, 1 or 2, got 3');
  });
});

describe('square handler', () => {
  const context = { awsRequestId: 'req-1' } as Context;

  it('squares a decimal number given as text', async () => {
    await expect(handler({ number: '-1.5' }, context)).resolves.toEqual({ square: 2.25 });
  });

  it('throws BadRequest for anything Number() would read loosely', async () => {
    for (const number of ['four', '', ' 3', '1e3', '0x10', 'Infinity']) {
      await expect(handler({ number }, context), number).rejects.toThrow(/^BadRequest: number must be a decimal number/);
    }
  });

  it('fails on purpose with mode=fail', async () => {
    await expect(handler({ number: '3', mode: 'fail' }, context)).rejects.toThrow('Failed on purpose: mode=fail (request req-1)');
  });
});
