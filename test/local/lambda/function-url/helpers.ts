import type { HttpRequest } from '../../../../local/protocol/http.js';
import type { FunctionUrlConfig } from '../../../../local/lambda/function-url/config.js';

/** A request as the function URL's server hands it over. */
export function request(parts: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', path: '/', rawQuery: '', headers: { host: '127.0.0.1:3001', 'user-agent': 'test-agent' }, body: Buffer.alloc(0), sourceIp: '127.0.0.1', ...parts };
}

/** A function URL of `fn` in TestStack, us-east-1. */
export function urlConfig(overrides: Partial<FunctionUrlConfig> = {}): FunctionUrlConfig {
  return {
    key: 'TestStack/FnUrl',
    logicalId: 'FnUrl',
    stackName: 'TestStack',
    functionName: 'fn',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    authType: 'NONE',
    urlId: 'abcdefghijklmnopqrstuvwxyz012345',
    domainName: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws',
    region: 'us-east-1',
    account: '000000000000',
    ...overrides,
  };
}
