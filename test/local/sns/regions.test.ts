/**
 * SNS across regions and accounts: a topic is served in its own region, a
 * subscription from another region (its `Region` set to the topic's) is
 * delivered, and the notification carries the topic's region.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsApiHandler } from '../../../local/aws-api.js';
import { createClock } from '../../../local/clock.js';
import type { InvocationType, InvokeCaller, Sinks } from '../../../local/contracts.js';
import { servingRegion } from '../../../local/cloudformation/environments.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { snsApi } from '../../../local/sns/api.js';
import { SnsService } from '../../../local/sns/service.js';
import { repoRoot } from '../../support/local-runtime.js';
import { serve, type Served } from '../../support/serve.js';
import { waitForValue } from '../../support/wait-for.js';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'multi-env', 'assembly');
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:env-east-topic';
const WEST_FUNCTION = 'arn:aws:lambda:us-west-2:222222222222:function:env-west-fn';

const invoked: { ref: string; payload: string; caller?: InvokeCaller }[] = [];
const sinks = {
  lambda: {
    invoke: async (ref: string, payload: string, _type: InvocationType, caller?: InvokeCaller) => {
      invoked.push({ ref, payload, ...(caller ? { caller } : {}) });
      return { statusCode: 202, requestId: 'r', payload: '', executedVersion: '$LATEST' };
    },
  },
} as unknown as Sinks;
const build = (dir = fixture) => {
  const stack = loadStack(dir, { localEndpoint: 'http://127.0.0.1:1' });
  return { stack, service: SnsService.fromStack(stack, { sinks, matcher: matchesPattern, clock: createClock(1) }) };
};

describe('SNS topics and subscriptions across regions', () => {
  const { stack, service } = build();
  let server: Served;
  const client = (region: string) => new SNSClient({ endpoint: server.endpoint, region, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });

  beforeAll(async () => {
    server = await serve(awsApiHandler({ json: [], query: [snsApi(service)] }, (signed) => servingRegion(stack, signed)));
  });

  afterAll(async () => {
    service.dispose();
    await server?.close();
  });

  it("serves a topic to clients of its own region only, with SNS's error elsewhere", async () => {
    expect((await client('us-east-1').send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toEqual([TOPIC]);
    expect((await client('us-west-2').send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    await expect(client('us-west-2').send(new PublishCommand({ TopicArn: TOPIC, Message: 'm' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: TopicArn',
    });
  });

  it("delivers to a function of another region and account, with the topic's region in the notification", async () => {
    await client('us-east-1').send(new PublishCommand({ TopicArn: TOPIC, Message: 'across' }));
    const delivery = await waitForValue(() => invoked.find((i) => i.ref === WEST_FUNCTION), 'the delivery to the us-west-2 function');
    expect(delivery.caller).toEqual({ principal: 'sns.amazonaws.com', sourceArn: TOPIC });
    const record = (JSON.parse(delivery.payload) as { Records: { EventSubscriptionArn: string; Sns: Record<string, string> }[] }).Records[0]!;
    expect(record.EventSubscriptionArn.startsWith(`${TOPIC}:`)).toBe(true);
    expect(record.Sns['TopicArn']).toBe(TOPIC);
    expect(record.Sns['SigningCertUrl']).toMatch(/^https:\/\/sns\.us-east-1\.amazonaws\.com\//);
    expect(record.Sns['UnsubscribeUrl']).toMatch(/^https:\/\/sns\.us-east-1\.amazonaws\.com\/\?Action=Unsubscribe/);
  });

  it("refuses a subscription whose Region is not its topic's (it defaults to the subscription stack's region)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'multi-env-sns-'));
    cpSync(fixture, dir, { recursive: true });
    const westPath = path.join(dir, 'EnvWest.template.json');
    const west = JSON.parse(readFileSync(westPath, 'utf8'));
    delete west.Resources.WestSubscription.Properties.Region;
    writeFileSync(westPath, JSON.stringify(west));
    expect(() => build(dir)).toThrow(
      /WestSubscription: Properties\.Region: topic arn:aws:sns:us-east-1:111111111111:env-east-topic is in us-east-1, not in us-west-2: set Region to the topic's region/,
    );
  });
});
