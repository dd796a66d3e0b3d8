/**
 * Stack Outputs point at the deployed API (`https://<id>.execute-api...`);
 * locally that API is served by the runtime, so such URLs are rewritten to
 * the local address and `DescribeStacks` hands out a URL that works.
 */

const EXECUTE_API = /https:\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/([^/\s?#]+)([^\s]*)/g;

/**
 * Rewrite every execute-api URL of one of `restApiIds` in `text`:
 * `<localEndpoint>/<stage>/<path>` when the stack has exactly one REST API,
 * else `<localEndpoint>/restapis/<apiId>/<stage>/_user_request_/<path>`.
 * URLs of APIs outside the stack are left alone.
 */
export function rewriteExecuteApiUrls(text: string, localEndpoint: string, restApiIds: readonly string[]): string {
  const base = localEndpoint.replace(/\/+$/, '');
  return text.replace(EXECUTE_API, (url, apiId: string, stage: string, rest: string) => {
    if (!restApiIds.includes(apiId)) return url;
    if (restApiIds.length === 1) return `${base}/${stage}${rest}`;
    return `${base}/restapis/${apiId}/${stage}/_user_request_${rest.startsWith('/') ? rest : `/${rest}`}`;
  });
}
