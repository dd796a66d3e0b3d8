/**
 * API Gateway's own answers (gateway responses): the status, the
 * `x-amzn-errortype` header and the exact body text AWS sends.
 */
import type { HttpResponse } from '../protocol/http.js';

/** A gateway response API Gateway answers with itself. */
export interface GatewayError {
  readonly statusCode: number;
  readonly errorType: string;
  /** Exact body text, spacing included: AWS is not consistent and clients compare it. */
  readonly body: string;
  /** Gateway response type an `AWS::ApiGateway::GatewayResponse` customizes, e.g. `THROTTLED`. */
  readonly responseType: string;
  /** `$context.error.message`. */
  readonly message: string;
}

/** Unknown resource, method or stage (API Gateway's answer to any unrouted request). */
export const MISSING_AUTH_TOKEN: GatewayError = {
  statusCode: 403,
  errorType: 'MissingAuthenticationTokenException',
  body: '{"message":"Missing Authentication Token"}',
  responseType: 'MISSING_AUTHENTICATION_TOKEN',
  message: 'Missing Authentication Token',
};

/** Throttled by the stage or method limit. */
export const TOO_MANY_REQUESTS: GatewayError = {
  statusCode: 429,
  errorType: 'TooManyRequestsException',
  body: '{"message":"Too Many Requests"}',
  responseType: 'THROTTLED',
  message: 'Too Many Requests',
};

/** No request template for the Content-Type and passthrough not allowed. */
export const UNSUPPORTED_MEDIA_TYPE: GatewayError = {
  statusCode: 415,
  errorType: 'UnsupportedMediaTypeException',
  body: '{"message": "Unsupported Media Type"}',
  responseType: 'UNSUPPORTED_MEDIA_TYPE',
  message: 'Unsupported Media Type',
};

/** Integration failure, template failure, no integration response for the result. */
export const INTERNAL_SERVER_ERROR: GatewayError = {
  statusCode: 500,
  errorType: 'InternalServerErrorException',
  body: '{"message": "Internal server error"}',
  responseType: 'API_CONFIGURATION_ERROR',
  message: 'Internal server error',
};

/** The integration's backend could not be called. */
export const INTEGRATION_FAILURE: GatewayError = { ...INTERNAL_SERVER_ERROR, responseType: 'INTEGRATION_FAILURE' };

/** Lambda proxy: the function failed or answered something API Gateway cannot read. */
export const BAD_GATEWAY: GatewayError = {
  statusCode: 502,
  errorType: 'InternalServerErrorException',
  body: '{"message": "Internal server error"}',
  responseType: 'INTEGRATION_FAILURE',
  message: 'Internal server error',
};

/** The integration did not answer within its TimeoutInMillis. */
export const INTEGRATION_TIMEOUT: GatewayError = {
  statusCode: 504,
  errorType: 'InternalServerErrorException',
  body: '{"message": "Endpoint request timed out"}',
  responseType: 'INTEGRATION_TIMEOUT',
  message: 'Endpoint request timed out',
};

/** A request line API Gateway cannot read (malformed percent-encoding). */
export const BAD_REQUEST: GatewayError = {
  statusCode: 400,
  errorType: 'BadRequestException',
  body: '{"message":"Bad Request"}',
  responseType: 'DEFAULT_4XX',
  message: 'Bad Request',
};

/** Payload over the 10 MB quota. */
export const REQUEST_TOO_LARGE: GatewayError = {
  statusCode: 413,
  errorType: 'RequestTooLargeException',
  body: '{"message":"Request Too Long"}',
  responseType: 'REQUEST_TOO_LARGE',
  message: 'Request Too Long',
};

/** URL over the endpoint type's length quota. */
export const URI_TOO_LONG: GatewayError = {
  statusCode: 414,
  errorType: 'RequestTooLargeException',
  body: '{"message":"Request-URI Too Long"}',
  responseType: 'REQUEST_TOO_LARGE',
  message: 'Request-URI Too Long',
};

/** The body does not match the method's request model. */
export const INVALID_BODY: GatewayError = {
  statusCode: 400,
  errorType: 'BadRequestException',
  body: '{"message": "Invalid request body"}',
  responseType: 'BAD_REQUEST_BODY',
  message: 'Invalid request body',
};

/** A Lambda authorizer refused the caller, or the identity source is missing or invalid. */
export const UNAUTHORIZED: GatewayError = {
  statusCode: 401,
  errorType: 'UnauthorizedException',
  body: '{"message":"Unauthorized"}',
  responseType: 'UNAUTHORIZED',
  message: 'Unauthorized',
};

/** A Lambda authorizer's policy explicitly denies the method. */
export const EXPLICIT_DENY: GatewayError = {
  statusCode: 403,
  errorType: 'AccessDeniedException',
  body: '{"Message":"User is not authorized to access this resource with an explicit deny"}',
  responseType: 'ACCESS_DENIED',
  message: 'User is not authorized to access this resource with an explicit deny',
};

/** A Lambda authorizer's policy allows nothing that covers the method. */
export const NOT_ALLOWED: GatewayError = {
  statusCode: 403,
  errorType: 'AccessDeniedException',
  body: '{"Message":"User is not authorized to access this resource"}',
  responseType: 'ACCESS_DENIED',
  message: 'User is not authorized to access this resource',
};

/** A Lambda authorizer failed or answered something that is not an authorizer result. */
export const AUTHORIZER_FAILURE: GatewayError = {
  statusCode: 500,
  errorType: 'AuthorizerConfigurationException',
  body: '{"message":null}',
  responseType: 'AUTHORIZER_CONFIGURATION_ERROR',
  message: 'Authorizer error',
};

/** A request validator found required parameters missing. */
export function missingParameters(names: readonly string[]): GatewayError {
  return {
    statusCode: 400,
    errorType: 'BadRequestException',
    body: `{"message": "Missing required request parameters: [${names.join(', ')}]"}`,
    responseType: 'BAD_REQUEST_PARAMETERS',
    message: `Missing required request parameters: [${names.join(', ')}]`,
  };
}

/** The HTTP response for a gateway error. */
export function gatewayResponse(error: GatewayError, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.errorType, ...headers },
    body: error.body,
  };
}
