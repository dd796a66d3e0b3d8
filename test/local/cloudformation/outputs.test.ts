import { describe, expect, it } from 'vitest';
import { rewriteExecuteApiUrls } from '../../../local/cloudformation/outputs.js';

describe('execute-api URL rewriting', () => {
  const url = 'https://abcde12345.execute-api.us-east-1.amazonaws.com/prod/SendEvent';
  it('uses the short /<stage>/<path> form with one REST API', () => {
    expect(rewriteExecuteApiUrls(url, 'http://127.0.0.1:3000/', ['abcde12345'])).toBe('http://127.0.0.1:3000/prod/SendEvent');
    expect(rewriteExecuteApiUrls('https://abcde12345.execute-api.us-east-1.amazonaws.com/prod/', 'http://127.0.0.1:3000', ['abcde12345'])).toBe(
      'http://127.0.0.1:3000/prod/',
    );
  });

  it('uses the /restapis/ form with several REST APIs', () => {
    expect(rewriteExecuteApiUrls(url, 'http://127.0.0.1:3000', ['abcde12345', 'zzzzz00000'])).toBe(
      'http://127.0.0.1:3000/restapis/abcde12345/prod/_user_request_/SendEvent',
    );
    expect(rewriteExecuteApiUrls('https://abcde12345.execute-api.us-east-1.amazonaws.com/prod', 'http://h:1', ['abcde12345', 'x'])).toBe(
      'http://h:1/restapis/abcde12345/prod/_user_request_/',
    );
  });

  it('leaves URLs of APIs outside the stack and other text alone', () => {
    expect(rewriteExecuteApiUrls(url, 'http://127.0.0.1:3000', ['other00000'])).toBe(url);
    expect(rewriteExecuteApiUrls('not a url', 'http://127.0.0.1:3000', ['abcde12345'])).toBe('not a url');
  });
});
