/**
 * What a SigV4-signed request says about its signing, read from the Authorization header or, for a
 * presigned URL, from the `X-Amz-*` query parameters. Only reads: verify.ts checks the signature.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { REGION_NAME } from '../caller.js';
import { AuthFailure } from './failures.js';

export interface SignedRequest {
  form: 'header' | 'query';
  accessKeyId: string;
  /** The credential scope: `YYYYMMDD/region/service/aws4_request`. */
  scopeDate: string;
  region: string;
  service: string;
  /** Lower-case names, as listed in SignedHeaders. */
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Date`: `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** The session token sent with the request, if any. */
  sessionToken?: string;
  /** A presigned URL's lifetime in seconds. */
  expiresIn?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The request's signing, or undefined when it carries none. */
export function readSigning(headers: IncomingHttpHeaders, query: URLSearchParams): SignedRequest | undefined {
  const authorization = one(headers.authorization);
  if (authorization !== undefined) return fromHeader(authorization, headers);
  if (query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential') || query.has('X-Amz-Signature')) return fromQuery(query);
  return undefined;
}

function fromHeader(authorization: string, headers: IncomingHttpHeaders): SignedRequest {
  const space = authorization.indexOf(' ');
  const algorithm = space === -1 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) throw new AuthFailure('incomplete', `Unsupported AWS 'algorithm': '${algorithm}'`);
  const parts = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  // AWS lists every missing part in one message.
  const amzDate = one(headers['x-amz-date']);
  const problems = ['Credential', 'Signature', 'SignedHeaders']
    .filter((k) => !parts.get(k))
    .map((k) => `Authorization header requires '${k}' parameter.`);
  if (!amzDate || !AMZ_DATE.test(amzDate))
    problems.push(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
  if (problems.length) throw new AuthFailure('incomplete', `${problems.join(' ')} Authorization=${authorization}`);
  return {
    form: 'header',
    ...scope(parts.get('Credential')!),
    signedHeaders: parts.get('SignedHeaders')!.split(';'),
    signature: parts.get('Signature')!,
    amzDate: amzDate!,
    sessionToken: one(headers['x-amz-security-token']),
  };
}

function fromQuery(query: URLSearchParams): SignedRequest {
  const names = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const missing = names.filter((n) => !query.get(n));
  if (missing.length) {
    throw new AuthFailure(
      'incomplete',
      `AWS query-string parameters must include ${missing.map((n) => `'${n}'`).join(', ')}. Re-examine the query-string parameters.`,
    );
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM || !AMZ_DATE.test(query.get('X-Amz-Date')!)) {
    throw new AuthFailure('incomplete', `Unsupported AWS 'algorithm': '${query.get('X-Amz-Algorithm')}'`);
  }
  const expires = Number(query.get('X-Amz-Expires') ?? '');
  return {
    form: 'query',
    ...scope(query.get('X-Amz-Credential')!),
    signedHeaders: query.get('X-Amz-SignedHeaders')!.split(';'),
    signature: query.get('X-Amz-Signature')!,
    amzDate: query.get('X-Amz-Date')!,
    sessionToken: query.get('X-Amz-Security-Token') ?? undefined,
    expiresIn: Number.isInteger(expires) && expires > 0 ? expires : undefined,
  };
}

function scope(credential: string): Pick<SignedRequest, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const m = SCOPE.exec(credential);
  if (!m) {
    throw new AuthFailure(
      'incomplete',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const region = m[3]!;
  if (!REGION_NAME.test(region)) throw new AuthFailure('signature', `Credential should be scoped to a valid region, not '${region}'. `);
  return { accessKeyId: m[1]!, scopeDate: m[2]!, region, service: m[4]! };
}
