/**
 * The Query protocol's JSON answer (Accept: application/json), byte for byte:
 * API Gateway service integrations read it with `$input.path`.
 */
import { describe, expect, it } from 'vitest';
import { handleQuery, type QueryService } from '../../../local/protocol/query.js';

const service: QueryService = {
  version: '2010-03-31',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  signingName: 'sns',
  operations: {
    Publish: () => ({ MessageId: 'm-1' }),
    Nothing: () => undefined,
  },
};

describe('Query JSON answers', () => {
  it('put the result before the response metadata, and leave out an empty result', async () => {
    const published = await handleQuery(new Map([['Action', 'Publish']]), service, 'application/json');
    const id = published.headers['x-amzn-requestid']!;
    expect(published.body).toBe(`{"PublishResponse":{"PublishResult":{"MessageId":"m-1"},"ResponseMetadata":{"RequestId":"${id}"}}}`);
    expect(published.headers['content-type']).toBe('application/json');
    const nothing = await handleQuery(new Map([['Action', 'Nothing']]), service, 'application/json');
    expect(nothing.body).toBe(`{"NothingResponse":{"ResponseMetadata":{"RequestId":"${nothing.headers['x-amzn-requestid']!}"}}}`);
  });

  it('answer an unknown action with the JSON error', async () => {
    const response = await handleQuery(new Map([['Action', 'toString']]), service, 'application/json');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body)).Error.Code).toBe('InvalidAction');
  });
});
