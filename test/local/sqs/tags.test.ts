import { CreateQueueCommand, ListQueueTagsCommand, TagQueueCommand, UntagQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsService } from '../../../local/sqs/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { fakeStack } from '../../support/fake-stack.js';
import { servedSqs } from './served.js';

const ACCOUNT = '000000000000';
const urlOf = (name: string) => `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`;
const manyTags = (count: number, prefix = 'key') => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}-${i}`, `value-${i}`]));

/** A queue the stack declares with Tags, as CDK writes them. */
const declaredResource = {
  logicalId: 'Declared',
  type: 'AWS::SQS::Queue',
  ref: urlOf('declared'),
  arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:declared`,
  attributes: {},
  metadata: {},
  properties: { QueueName: 'declared', Tags: [{ Key: 'team', Value: 'orders' }, { Key: 'cost-centre', Value: '42' }] },
};

describe('SQS queue tags', () => {
  const service = SqsService.fromStack(fakeStack([declaredResource, { logicalId: 'Bare', type: 'AWS::SQS::Queue', ref: urlOf('bare'), properties: { QueueName: 'bare' } }]));
  const served = servedSqs(service);

  const create = async (QueueName: string, tags?: Record<string, string>) =>
    (await served.sqs.send(new CreateQueueCommand({ QueueName, ...(tags ? { tags } : {}) }))).QueueUrl!;
  const list = async (QueueUrl: string) => (await served.sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags;
  const tag = (QueueUrl: string, Tags: Record<string, string>) => served.sqs.send(new TagQueueCommand({ QueueUrl, Tags }));
  const untag = (QueueUrl: string, TagKeys: string[]) => served.sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys }));

  it('keeps the tags CreateQueue gives, adds, overwrites and removes them, and answers no Tags for none', async () => {
    const QueueUrl = await create('tagged', { team: 'orders', stage: 'dev' });
    expect(await list(QueueUrl)).toEqual({ team: 'orders', stage: 'dev' });
    expect(await tag(QueueUrl, { stage: 'prod', owner: 'ana' })).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(await list(QueueUrl)).toEqual({ team: 'orders', stage: 'prod', owner: 'ana' });
    // A key the queue does not have is no error.
    expect(await untag(QueueUrl, ['team', 'nobody'])).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(await list(QueueUrl)).toEqual({ stage: 'prod', owner: 'ana' });
    await untag(QueueUrl, ['stage', 'owner']);
    expect(await list(QueueUrl)).toBeUndefined();
    expect(await list(await create('untagged'))).toBeUndefined();
    // Tags are case-sensitive; an empty value is a value.
    await tag(QueueUrl, { Stage: '', stage: 'x' });
    expect(await list(QueueUrl)).toEqual({ Stage: '', stage: 'x' });
  });

  it('holds a queue to 50 tags: a request that would go past them is refused and changes nothing', async () => {
    const QueueUrl = await create('crowded', manyTags(49));
    await expect(tag(QueueUrl, { 'one-more': 'fits' })).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    // New values for keys already there add no tag.
    await expect(tag(QueueUrl, { 'key-0': 'changed', 'one-more': 'again' })).resolves.toBeDefined();
    await expect(tag(QueueUrl, { 'fifty-first': 'x' })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Too many tags added for queue crowded.',
      $metadata: { httpStatusCode: 400 },
    });
    const tags = await list(QueueUrl);
    expect(Object.keys(tags ?? {})).toHaveLength(50);
    expect(tags).toMatchObject({ 'key-0': 'changed', 'one-more': 'again' });
    expect(tags).not.toHaveProperty('fifty-first');
    // CreateQueue with 51 tags makes no queue.
    await expect(create('overtagged', manyTags(51))).rejects.toMatchObject({ name: 'InvalidParameterValue', message: 'Too many tags added for queue overtagged.' });
    expect(service.findQueue('overtagged')).toBeUndefined();
  });

  it('refuses keys and values beyond the documented lengths and characters, and empty requests', async () => {
    const QueueUrl = await create('checked', { kept: 'yes' });
    await expect(tag(QueueUrl, { ['k'.repeat(128)]: 'v'.repeat(256) })).resolves.toBeDefined();
    const cases: [Record<string, string>, string, string][] = [
      [{ ['k'.repeat(129)]: 'v' }, 'InvalidParameterValue', 'Tag keys must be between 1 and 128 characters in length.'],
      [{ '': 'v' }, 'InvalidParameterValue', 'Tag keys must be between 1 and 128 characters in length.'],
      [{ k: 'v'.repeat(257) }, 'InvalidParameterValue', 'Tag values must be between 0 and 256 characters in length.'],
      [{ 'semi;colon': 'v' }, 'InvalidParameterValue', 'Tag keys may only contain unicode letters, digits, whitespace, or one of these symbols: _ . : / = + - @'],
      [{ 'aws:owner': 'v' }, 'InvalidParameterValue', 'Tag keys cannot start with the reserved prefix aws:.'],
      [{}, 'MissingParameter', 'The request must contain the parameter Tags.'],
    ];
    for (const [Tags, name, message] of cases) {
      await expect(tag(QueueUrl, Tags), JSON.stringify(Tags).slice(0, 40)).rejects.toMatchObject({ name, message, $metadata: { httpStatusCode: 400 } });
    }
    await expect(untag(QueueUrl, [])).rejects.toMatchObject({ name: 'InvalidParameterValue', message: 'Tag keys must be between 1 and 128 characters in length.' });
    await expect(untag(QueueUrl, ['k'.repeat(129)])).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    // Unicode letters count as one character each.
    await expect(tag(QueueUrl, { ['é'.repeat(128)]: 'ü' })).resolves.toBeDefined();
    expect(Object.keys((await list(QueueUrl)) ?? {})).toHaveLength(3);
  });

  it('answers the Tags of a queue the stack declares, and refuses to change them, naming the queue and saying why', async () => {
    expect(await list(urlOf('declared'))).toEqual({ team: 'orders', 'cost-centre': '42' });
    expect(await list(urlOf('bare'))).toBeUndefined();
    for (const call of [() => tag(urlOf('declared'), { stage: 'dev' }), () => untag(urlOf('declared'), ['team'])]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'UnsupportedOperation', $metadata: { httpStatusCode: 400 } });
      expect((error as Error).message).toContain('does not change the tags of declared: the stack declares it (AWS::SQS::Queue), whose template sets its Tags');
    }
    expect(await list(urlOf('declared'))).toEqual({ team: 'orders', 'cost-centre': '42' });
  });

  it('answers QueueDoesNotExist for a queue there is not', async () => {
    await expect(list(urlOf('missing'))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(tag(urlOf('missing'), { a: 'b' })).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

describe('tags of a queue CreateQueue made, across restarts on the same state', () => {
  it('come back as they were last set', () => {
    const state = new MemoryStateStore();
    const first = SqsService.fromStack(fakeStack([]), { state });
    const queue = first.createQueueFromApi('tagged-kept', {}, undefined, { team: 'orders', stage: 'dev' });
    first.tagQueue(queue.url, { owner: 'ana' });
    first.untagQueue(queue.url, ['stage']);

    const second = SqsService.fromStack(fakeStack([]), { state });
    expect(second.listQueueTags(queue.url)).toEqual({ team: 'orders', owner: 'ana' });
    second.untagQueue(queue.url, ['team', 'owner']);

    const third = SqsService.fromStack(fakeStack([]), { state });
    expect(third.listQueueTags(queue.url)).toEqual({});
  });
});
