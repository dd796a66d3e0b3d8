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
  const region = signedCredential(req)?.region;
  return region && /^[a-z0-9-]+$/.test(region) ? region : undefined;
}

/** A SigV4 credential, `<access key>/<date>/<region>/<service>/aws4_request`, split; parts past the key are absent when malformed. */
export interface SignedCredential {
  readonly accessKeyId: string;
  readonly region?: string;
  readonly service?: string;
}

/** The credential a request is signed with: the Authorization header's, else a presigned URL's `X-Amz-Credential`. */
export function signedCredential(req: HttpRequest): SignedCredential | undefined {
  const auth = req.headers.authorization;
  const credential =
    typeof auth === 'string' ? /Credential=([^,\s]+)/.exec(auth)?.[1] : new URLSearchParams(req.rawQuery).get('X-Amz-Credential') ?? undefined;
  return credential === undefined ? undefined : parseCredential(credential);
}

/** A SigV4 credential (`Credential=` of the header, or `X-Amz-Credential`) split into its parts. */
export function parseCredential(credential: string): SignedCredential | undefined {
  const parts = credential.split('/');
  if (parts.length < 2 || !parts[0]) return undefined;
  const scoped = parts.length >= 5;
  return { accessKeyId: parts[0], ...(scoped && parts[2] ? { region: parts[2] } : {}), ...(scoped && parts[3] ? { service: parts[3] } : {}) };
}
