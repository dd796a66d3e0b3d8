import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../../local/sns/message.js';
import { lambdaEvent, sqsEnvelope, type Notification, type Recipient } from '../../../local/sns/notification.js';

const env = { account: '000000000000', region: 'eu-west-1', partition: 'aws', urlSuffix: 'amazonaws.com' };
const topicArn = 'arn:aws:sns:eu-west-1:000000000000:orders';
const subscriptionArn = `${topicArn}:6f1c8e0a-1b2c-4d5e-8f90-123456789abc`;

function notification(input: Parameters<typeof validateMessage>[0]): Notification {
  return { messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', topicArn, timestamp: '2026-01-02T12:45:07.000Z', content: validateMessage(input) };
}

const lambdaRecipient: Recipient = { subscriptionArn, protocol: 'lambda', signatureVersion: '2' };
const sqsRecipient: Recipient = { subscriptionArn, protocol: 'sqs', signatureVersion: '1' };

describe('lambdaEvent', () => {
  it('has exactly the keys, order and types of the event SNS gives Lambda', () => {
    const event = JSON.parse(
      lambdaEvent(
        notification({
          Message: 'hello',
          MessageAttributes: {
            mode: { DataType: 'String', StringValue: 'fail' },
            count: { DataType: 'Number', StringValue: '3' },
            blob: { DataType: 'Binary', BinaryValue: new Uint8Array([104, 105]) },
          },
        }),
        lambdaRecipient,
        env,
      ),
    );
    expect(Object.keys(event)).toEqual(['Records']);
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0];
    expect(Object.keys(record)).toEqual(['EventSource', 'EventVersion', 'EventSubscriptionArn', 'Sns']);
    expect(record.EventSource).toBe('aws:sns');
    expect(record.EventVersion).toBe('1.0');
    expect(record.EventSubscriptionArn).toBe(subscriptionArn);
    const sns = record.Sns;
    expect(Object.keys(sns)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertUrl',
      'UnsubscribeUrl',
      'MessageAttributes',
    ]);
    expect(sns.Type).toBe('Notification');
    expect(sns.MessageId).toBe('95df01b4-ee98-5cb9-9903-4c221d41eb5e');
    expect(sns.TopicArn).toBe(topicArn);
    expect(sns.Subject).toBeNull();
    expect(sns.Message).toBe('hello');
    expect(sns.Timestamp).toBe('2026-01-02T12:45:07.000Z');
    // Lambda always gets "1", whatever the topic's SignatureVersion.
    expect(sns.SignatureVersion).toBe('1');
    expect(Buffer.from(sns.Signature, 'base64')).toHaveLength(256);
    expect(sns.SigningCertUrl).toMatch(/^https:\/\/sns\.eu-west-1\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
    expect(sns.UnsubscribeUrl).toBe(`https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`);
    expect(sns.MessageAttributes).toEqual({
      mode: { Type: 'String', Value: 'fail' },
      count: { Type: 'Number', Value: '3' },
      blob: { Type: 'Binary', Value: 'aGk=' },
    });
  });

  it('carries the subject and an empty attribute map, and picks the lambda body of a json structure', () => {
    const sns = JSON.parse(
      lambdaEvent(notification({ Message: '{"default":"d","lambda":"L"}', MessageStructure: 'json', Subject: 'Hi' }), lambdaRecipient, env),
    ).Records[0].Sns;
    expect(sns.Subject).toBe('Hi');
    expect(sns.Message).toBe('L');
    expect(sns.MessageAttributes).toEqual({});
  });
});

describe('sqsEnvelope', () => {
  it('is the JSON notification with URL casing, optional Subject and MessageAttributes', () => {
    const body = sqsEnvelope(notification({ Message: 'hello' }), sqsRecipient, env);
    const parsed = JSON.parse(body);
    expect(Object.keys(parsed)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
    ]);
    expect(parsed.SignatureVersion).toBe('1');
    expect(parsed.UnsubscribeURL).toBe(`https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`);
    expect(body.startsWith('{\n  "Type" : "Notification",\n  "MessageId" : ')).toBe(true);
  });

  it('adds Subject after TopicArn and MessageAttributes at the end when present', () => {
    const body = sqsEnvelope(
      notification({ Message: 'line1\n"quoted"', Subject: 'Hi', MessageAttributes: { tags: { DataType: 'String.Array', StringValue: '["a","b"]' } } }),
      { ...sqsRecipient, signatureVersion: '2' },
      env,
    );
    const parsed = JSON.parse(body);
    expect(Object.keys(parsed)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
      'MessageAttributes',
    ]);
    expect(parsed.Message).toBe('line1\n"quoted"');
    expect(parsed.SignatureVersion).toBe('2');
    expect(parsed.MessageAttributes).toEqual({ tags: { Type: 'String.Array', Value: '["a","b"]' } });
    expect(body).toContain('"MessageAttributes" : {\n    "tags" : {"Type":"String.Array","Value":"[\\"a\\",\\"b\\"]"}\n  }\n}');
  });

  it('uses the sqs body of a json structure', () => {
    const parsed = JSON.parse(sqsEnvelope(notification({ Message: '{"default":"d","sqs":"Q"}', MessageStructure: 'json' }), sqsRecipient, env));
    expect(parsed.Message).toBe('Q');
  });
});
