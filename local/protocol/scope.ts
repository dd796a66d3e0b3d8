import type { HttpRequest } from './http.js';

/** What a request says about where it is served, apart from its operation's input. */
export interface RequestScope {
  /**
   * Region of the SigV4 credential scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`,
   * in the Authorization header or a presigned URL's `X-Amz-Credential`): AWS serves a request in the
   * region it is signed for. Absent for an unsigned request.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
   */
  readonly region?: string;
}

export function requestScope(req: HttpRequest): RequestScope {
  const region = credentialRegion(req);
  return region === undefined ? {} : { region };
}

/** The region of a request's SigV4 credential scope. */
export function credentialRegion(req: HttpRequest): string | undefined {
  const auth = req.headers.authorization;
  const credential =
    typeof auth === 'string' ? /Credential=([^,\s]+)/.exec(auth)?.[1] : new URLSearchParams(req.rawQuery).get('X-Amz-Credential') ?? undefined;
  const region = credential === undefined ? undefined : /^[^/]+\/[^/]+\/([^/]+)\/[^/]+\//.exec(credential)?.[1];
  return region && /^[a-z0-9-]+$/.test(region) ? region : undefined;
}
