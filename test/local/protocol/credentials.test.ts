import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationApi } from '../../../local/cloudformation/api.js';
import { buildStackModel } from '../../../local/cloudformation/model.js';
import { logsApi } from '../../../local/logs/api.js';
import { LogStore } from '../../../local/logs/store.js';
import { serveApis, type Served } from '../../support/serve.js';

const stack = buildStackModel(
  { assemblyDir: '/x', artifactId: 'Creds', stackName: 'Creds', templateFile: '/x/t.json', template: { Resources: {} } },
  { localEndpoint: 'http://127.0.0.1:3000' },
);
const store = new LogStore();
store.ensureLogGroup('/aws/lambda/any');

let server: Served;

beforeAll(async () => {
  server = await serveApis({ json: [logsApi(store)], query: [cloudFormationApi(stack)] });
});

afterAll(async () => {
  await server.close();
});

/** Temporary, long-term and odd-looking keys, in regions other than the stack's: all are well-formed SigV4. */
const identities = [
  { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } },
  { region: 'eu-central-2', credentials: { accessKeyId: 'ASIAEXAMPLE123', secretAccessKey: 's/e+c=r', sessionToken: 'FwoGZXIvYXdzEXAMPLE//token==' } },
  { region: 'ap-southeast-4', credentials: { accessKeyId: 'AKIA0000000000000000', secretAccessKey: 'a'.repeat(40) } },
];

describe('credentials', () => {
  it.each(identities)('accepts $credentials.accessKeyId in $region on awsJson and Query alike', async (identity) => {
    const logs = new CloudWatchLogsClient({ endpoint: server.endpoint, maxAttempts: 1, ...identity });
    const cfn = new CloudFormationClient({ endpoint: server.endpoint, maxAttempts: 1, ...identity });
    try {
      const groups = await logs.send(new DescribeLogGroupsCommand({}));
      expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/lambda/any']);
      const stacks = await cfn.send(new DescribeStacksCommand({ StackName: 'Creds' }));
      expect(stacks.Stacks?.[0]?.StackName).toBe('Creds');
    } finally {
      logs.destroy();
      cfn.destroy();
    }
  });
});
