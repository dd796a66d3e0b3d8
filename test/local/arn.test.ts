import { describe, expect, it } from 'vitest';
import { arnField, parseArn, type ArnField } from '../../local/arn.js';

const FIELDS: ArnField[] = ['partition', 'service', 'region', 'account', 'resource'];

describe('parseArn', () => {
  it('reads the five fields of an ARN', () => {
    expect(parseArn('arn:aws:sns:eu-west-1:123456789012:Orders')).toEqual({
      partition: 'aws',
      service: 'sns',
      region: 'eu-west-1',
      account: '123456789012',
      resource: 'Orders',
    });
  });

  it('keeps the colons of the resource', () => {
    expect(parseArn('arn:aws:lambda:us-east-1:123456789012:function:name:qualifier')?.resource).toBe('function:name:qualifier');
    expect(parseArn('arn:aws:lambda:us-east-1:123456789012:function:name:$LATEST')?.resource).toBe('function:name:$LATEST');
    expect(parseArn('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*')).toMatchObject({
      service: 'logs',
      region: 'us-east-1',
      resource: 'log-group:/aws/lambda/fn:*',
    });
  });

  it('reads an empty region and account (IAM, S3)', () => {
    expect(parseArn('arn:aws:iam::123456789012:role/x')).toEqual({ partition: 'aws', service: 'iam', region: '', account: '123456789012', resource: 'role/x' });
    expect(parseArn('arn:aws:s3:::bucket/key')).toEqual({ partition: 'aws', service: 's3', region: '', account: '', resource: 'bucket/key' });
    expect(parseArn('arn:aws:iam::aws:policy/AdministratorAccess')?.account).toBe('aws');
  });

  it('reads other partitions', () => {
    expect(parseArn('arn:aws-cn:sqs:cn-north-1:123456789012:q')?.partition).toBe('aws-cn');
    expect(parseArn('arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/default')).toMatchObject({ partition: 'aws-us-gov', resource: 'event-bus/default' });
  });

  it('reads as undefined what is not an ARN: names, URLs, ARNs of fewer than six fields', () => {
    for (const text of [
      '',
      'my-function',
      'my-function:prod',
      '123456789012:function:name',
      'https://sqs.us-east-1.amazonaws.com/123456789012/q',
      'ARN:aws:sns:us-east-1:123456789012:t',
      ' arn:aws:sns:us-east-1:123456789012:t',
      'arn',
      'arn:',
      'arn:aws',
      'arn:aws:sns:us-east-1',
      'arn:aws:sns:us-east-1:123456789012',
    ]) {
      expect(parseArn(text), text).toBeUndefined();
    }
  });

  it('reads an ARN whose fields are empty as an ARN with empty fields', () => {
    expect(parseArn('arn:::::')).toEqual({ partition: '', service: '', region: '', account: '', resource: '' });
    expect(parseArn('arn:aws:sns:us-east-1:123456789012:')?.resource).toBe('');
  });

  it('agrees with splitting on colons for the first five fields of an ARN', () => {
    for (const arn of [
      'arn:aws:lambda:us-east-1:123456789012:function:name:qualifier',
      'arn:aws:iam::123456789012:role/x',
      'arn:aws:s3:::bucket',
      'arn:aws:sqs:eu-west-1:123456789012:q.fifo',
    ]) {
      const [, partition, service, region, account, ...resource] = arn.split(':');
      expect(parseArn(arn)).toEqual({ partition, service, region, account, resource: resource.join(':') });
    }
  });
});

describe('arnField', () => {
  it('reads each field as parseArn does, for ARNs and for what is not one', () => {
    for (const text of [
      'arn:aws:lambda:us-east-1:123456789012:function:name:qualifier',
      'arn:aws:logs:us-east-1:123456789012:log-group:name:*',
      'arn:aws:iam::123456789012:role/x',
      'arn:aws:s3:::bucket/key',
      'arn:::::',
      'arn:aws:sns:us-east-1:123456789012',
      'arn:aws:sns',
      'name',
      'name:with:five:colons:in:it',
      '',
    ]) {
      for (const field of FIELDS) expect(arnField(text, field), `${field} of ${text}`).toBe(parseArn(text)?.[field]);
    }
  });

  it('reads an empty field as empty, not absent', () => {
    expect(arnField('arn:aws:iam::123456789012:role/x', 'region')).toBe('');
    expect(arnField('arn:aws:s3:::bucket', 'account')).toBe('');
  });
});
