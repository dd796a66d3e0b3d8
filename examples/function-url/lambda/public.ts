import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

/** A 1x1 transparent PNG: a binary body the function returns base64-encoded. */
const PIXEL_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/**
 * The public URL's handler. Each path shows one of Lambda's response rules
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html):
 * - `/` returns a plain object: Lambda answers 200 with it as JSON;
 * - `/custom` returns statusCode, headers and cookies: Lambda honours them;
 * - `/pixel.png` returns a base64 body: Lambda decodes it;
 * - `/echo` returns what the request looked like to the function (method, path, query, cookies, body, request id);
 * - `/fail` throws: Lambda answers 502.
 */
export const handler = async (event: LambdaFunctionURLEvent, context: Context): Promise<LambdaFunctionURLResult | Record<string, unknown>> => {
  switch (event.rawPath) {
    case '/':
      return { message: 'Hello from a function URL', method: event.requestContext.http.method };
    case '/custom':
      return {
        statusCode: 201,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': event.requestContext.requestId },
        cookies: ['session=abc123; Path=/; HttpOnly', 'theme=dark; Max-Age=3600'],
        body: 'created',
      };
    case '/pixel.png':
      return { statusCode: 200, headers: { 'content-type': 'image/png' }, body: PIXEL_PNG_BASE64, isBase64Encoded: true };
    case '/echo': {
      const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      return {
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: event.queryStringParameters ?? {},
        cookies: event.cookies ?? [],
        isBase64Encoded: event.isBase64Encoded,
        body,
        // The URL's request id is the invocation's: the one in the function's log lines.
        sameRequestId: event.requestContext.requestId === context.awsRequestId,
      };
    }
    case '/fail':
      throw new Error('This path fails on purpose');
    default:
      return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `No route ${event.rawPath}` }) };
  }
};
