/**
 * Payload compression of REST APIs: API Gateway decodes a gzip or deflate
 * request body before mapping it (always), and with MinimumCompressionSize
 * encodes a response of at least that many bytes in a coding (gzip,
 * deflate) the client's Accept-Encoding allows.
 */
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import type { HttpResponse } from '../protocol/http.js';

const CODINGS = ['gzip', 'deflate'] as const;
type Coding = (typeof CODINGS)[number];

/** The coding to answer with for an Accept-Encoding value; undefined for identity. */
export function chooseCoding(acceptEncoding: string | undefined): Coding | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((x) => /^\s*q=([\d.]+)\s*$/.exec(x)?.[1]).find((x) => x !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (coding: string) => accepted.get(coding) ?? accepted.get('*') ?? 0;
  let best: Coding | undefined;
  for (const coding of CODINGS) if (weight(coding) > 0 && (best === undefined || weight(coding) > weight(best))) best = coding;
  return best;
}

/** The response compressed as the API's MinimumCompressionSize and the client allow; unchanged otherwise. */
export function compressResponse(response: HttpResponse, minimumSize: number | undefined, acceptEncoding: string | undefined): HttpResponse {
  if (minimumSize === undefined) return response;
  // A backend's own encoding (HTTP_PROXY) is passed on as it is.
  if (Object.keys(response.headers).some((k) => k.toLowerCase() === 'content-encoding')) return response;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  if (body.length < minimumSize) return response;
  const coding = chooseCoding(acceptEncoding);
  if (!coding) return response;
  const encoded = coding === 'gzip' ? gzipSync(body) : deflateSync(body);
  return { ...response, headers: { ...response.headers, 'content-encoding': coding }, body: encoded };
}

/** Thrown for a request body that does not decode in its Content-Encoding. */
export class BadEncodingError extends Error {}

/** The request body decoded from its Content-Encoding (gzip, deflate, identity); other codings stay as sent. */
export function decodeRequestBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  try {
    if (coding === 'gzip') return gunzipSync(body);
    if (coding === 'deflate') return inflateSync(body);
  } catch (error) {
    throw new BadEncodingError(`request body is not valid ${coding}: ${(error as Error).message}`);
  }
  return body;
}
