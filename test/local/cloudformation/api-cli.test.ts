import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationApi } from '../../../local/cloudformation/api.js';
import { buildStackModel } from '../../../local/cloudformation/model.js';
import { serveApis, type Served } from '../../support/serve.js';

/**
 * The AWS CLI's request shape for CloudFormation: a SigV4-signed form POST
 * to `/` whose credential scope names `cloudformation`, answered in XML.
 */
const stack = buildStackModel(
  {
    assemblyDir: '/x',
    artifactId: 'CliStack',
    stackName: 'CliStack',
    templateFile: '/x/t.json',
    template: {
      Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: {} } },
      Outputs: { TopicArn: { Value: { Ref: 'Topic' }, Description: 'a <topic> & more' } },
    },
  },
  { localEndpoint: 'http://127.0.0.1:3000' },
);

let server: Served;

beforeAll(async () => {
  server = await serveApis({ query: [cloudFormationApi(stack)] });
});

afterAll(async () => {
  await server.close();
});

function cli(params: Record<string, string>) {
  return fetch(`${server.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: 'AWS4-HMAC-SHA256 Credential=x/20261126/us-east-1/cloudformation/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00',
      'x-amz-date': '20261126T010000Z',
    },
    body: new URLSearchParams({ Version: '2010-05-15', ...params }).toString(),
  });
}

describe('CloudFormation through the AWS CLI request shape', () => {
  it('answers describe-stacks with the Outputs in XML, escaped', async () => {
    const response = await cli({ Action: 'DescribeStacks', StackName: 'CliStack' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml');
    const xml = await response.text();
    expect(xml).toContain('<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>');
    expect(xml).toContain(
      `<Outputs><member><OutputKey>TopicArn</OutputKey><OutputValue>${stack.resources.get('Topic')!.ref}</OutputValue><Description>a &lt;topic&gt; &amp; more</Description></member></Outputs>`,
    );
  });

  it('answers list-stack-resources with one member per resource', async () => {
    const xml = await (await cli({ Action: 'ListStackResources', StackName: 'CliStack' })).text();
    expect(xml.match(/<member><LogicalResourceId>/g)).toHaveLength(1);
    expect(xml).toContain('<ResourceType>AWS::SNS::Topic</ResourceType>');
  });

  it('answers an unknown stack with ValidationError 400 and an unknown action with InvalidAction 400', async () => {
    const missing = await cli({ Action: 'DescribeStacks', StackName: 'Nope' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/<Error><Type>Sender<\/Type><Code>ValidationError<\/Code><Message>Stack with id Nope does not exist<\/Message><\/Error>/);
    const unknown = await cli({ Action: 'CreateStack', StackName: 'x' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
  });
});
