import { describe, expect, it } from 'vitest';
import { arnField, functionNameOf } from '../../../local/lambda/destinations.js';

describe('arnField', () => {
  it("reads a field as arn.split(':')[index] does", () => {
    const arns = [
      'arn:aws:lambda:us-east-1:000000000000:function:fn',
      'arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST',
      'arn:aws:events:us-east-1:000000000000:event-bus/bus',
      'arn:aws:sqs:us-east-1:000000000000:queue',
      'arn::::',
      'not-an-arn',
      '',
    ];
    for (const arn of arns) {
      for (let index = 0; index < 9; index++) expect(arnField(arn, index)).toBe(arn.split(':')[index]);
    }
  });

  it('names the function of a function ARN, or keeps what is not one', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST')).toBe('fn');
    expect(functionNameOf('fn')).toBe('fn');
  });
});
