/**
 * The parts of an AWS Signature Version 4 signed request, from its
 * `Authorization` header or its presigned query string
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html).
 * The runtime checks a signature's form and who made it; it cannot check
 * the signature itself, having no caller's secret key.
 */
import { headerValue, type HttpRequest } from './http.js';

export interface SigV4Parts {
  readonly accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** Lower-cased names, in the order signed. */
  readonly signedHeaders: readonly string[];
  /** 64 hex digits. */
  readonly signature: string;
  /** `YYYYMMDDTHHMMSSZ` of X-Amz-Date. */
  readonly amzDate: string;
}

export type SigV4Parse = { readonly ok: true; readonly parts: SigV4Parts } | { readonly ok: false; readonly reason: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** Whether the request carries a signature at all (header or presigned URL). */
export function isSigned(req: HttpRequest): boolean {
  return headerValue(req, 'authorization') !== undefined || /(?:^|&)X-Amz-Signature=/i.test(req.rawQuery);
}

/** Parse and check the form of a request's SigV4 signature. */
export function parseSigV4(req: HttpRequest): SigV4Parse {
  const auth = headerValue(req, 'authorization');
  if (auth !== undefined) {
    if (!auth.startsWith(`${ALGORITHM} `)) return { ok: false, reason: `the Authorization header is not ${ALGORITHM}` };
    const fields = new Map<string, string>();
    for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    return checked(fields.get('Credential'), fields.get('SignedHeaders'), fields.get('Signature'), headerValue(req, 'x-amz-date'));
  }
  const query = new URLSearchParams(req.rawQuery);
  if (!query.has('X-Amz-Signature')) return { ok: false, reason: 'the request is not signed' };
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return { ok: false, reason: `X-Amz-Algorithm is not ${ALGORITHM}` };
  return checked(query.get('X-Amz-Credential') ?? undefined, query.get('X-Amz-SignedHeaders') ?? undefined, query.get('X-Amz-Signature') ?? undefined, query.get('X-Amz-Date') ?? undefined);
}

function checked(credential: string | undefined, signedHeaders: string | undefined, signature: string | undefined, amzDate: string | undefined): SigV4Parse {
  if (!credential || !signedHeaders || !signature) return { ok: false, reason: 'Credential, SignedHeaders and Signature are all required' };
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!) || !scope[0] || !scope[2] || !scope[3]) {
    return { ok: false, reason: `Credential ${credential} is not <access key>/<YYYYMMDD>/<region>/<service>/aws4_request` };
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'Signature is not 64 lower-case hex digits' };
  const headers = signedHeaders.split(';');
  if (!headers.includes('host')) return { ok: false, reason: 'SignedHeaders does not include host' };
  if (!amzDate || !AMZ_DATE.test(amzDate)) return { ok: false, reason: 'X-Amz-Date is missing or not YYYYMMDDTHHMMSSZ' };
  if (!amzDate.startsWith(scope[1]!)) return { ok: false, reason: `X-Amz-Date ${amzDate} is not on the credential's date ${scope[1]}` };
  return {
    ok: true,
    parts: { accessKeyId: scope[0], scopeDate: scope[1]!, region: scope[2], service: scope[3], signedHeaders: headers, signature, amzDate },
  };
}

/** Epoch ms of an X-Amz-Date (`YYYYMMDDTHHMMSSZ`). */
export function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
