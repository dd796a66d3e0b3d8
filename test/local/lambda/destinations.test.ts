import { describe, expect, it } from 'vitest';
import { recordText } from '../../../local/lambda/destinations.js';
import { functionNameOf } from '../../../local/lambda/function-ref.js';
import { buildInvocationRecord } from '../../../local/lambda/invocation-record.js';

describe('functionNameOf', () => {
  it('names the function of a function ARN, or keeps what is not one', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST')).toBe('fn');
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:fn')).toBe('fn');
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:fn:live')).toBe('fn');
    expect(functionNameOf('fn')).toBe('fn');
    expect(functionNameOf('arn:aws:sqs:us-east-1:000000000000:queue')).toBe('arn:aws:sqs:us-east-1:000000000000:queue');
  });
});

describe('recordText', () => {
  it('writes what JSON.stringify writes, with the request put in as its text', () => {
    const requests = [{ Records: [{ Sns: { Message: '{"a":1}', Subject: null, MessageAttributes: {} } }] }, [1, 'two', { '3': 'x', é: '\u2028' }], 'text', 0, null];
    const outcomes = [undefined, { ok: true, payload: '{"done":true}' }, { ok: false, payload: '{"errorMessage":"no"}' }, { ok: true, payload: 'not json' }];
    for (const request of requests) {
      for (const outcome of outcomes) {
        const record = buildInvocationRecord({
          requestId: 'r-1',
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
          condition: outcome?.ok === false ? 'RetriesExhausted' : 'Success',
          approximateInvokeCount: 2,
          requestPayload: JSON.stringify(request),
          ...(outcome ? { outcome } : {}),
          time: 1_700_000_000_123,
          requestValue: request,
        });
        expect(recordText(record, JSON.stringify(request))).toBe(JSON.stringify(record));
        expect(recordText(record, undefined)).toBe(JSON.stringify(record));
      }
    }
  });
});
