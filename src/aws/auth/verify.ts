/**
 * Checks a request's SigV4 signature by signing it again with the key's secret, with the signer the
 * AWS SDK uses (`@smithy/signature-v4`), over exactly the headers the client listed as signed, and
 * comparing in constant time. Also the request's age: the signing time may be a few minutes from
 * now either way (Lambda 5, the query services 15), for presigned URLs too: only S3 honours their
 * `X-Amz-Expires`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AuthFailure } from './failures.js';
import { headerSignature } from './header-signature.js';
import { Sha256 } from './sha256.js';
import type { SignedRequest } from './signed-request.js';

export interface RequestToVerify {
  method: string;
  /** Percent-encoded, as sent. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigningSecret {
  secretAccessKey: string;
  /** A session key's token, which the request must carry. */
  sessionToken?: string;
}

export function amzDateOf(amzDate: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
}

export interface VerifyOptions {
  /** How far from now the signing time may be. */
  skewMinutes: number;
  now?: Date;
}

export async function verifySignature(
  req: RequestToVerify,
  signed: SignedRequest,
  secret: SigningSecret,
  opts: VerifyOptions,
): Promise<void> {
  const signingDate = amzDateOf(signed.amzDate);
  checkAge(signed.amzDate, signingDate, opts.now ?? new Date(), opts.skewMinutes);
  const headers: Record<string, string> = {};
  for (const name of signed.signedHeaders) {
    const v = req.headers[name];
    if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  const contentHash = headers['x-amz-content-sha256'];
  if (contentHash !== undefined && contentHash !== createHash('sha256').update(req.body).digest('hex')) {
    throw new AuthFailure('signature', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const credentials = (sessionToken: string | undefined) => ({
    accessKeyId: signed.accessKeyId,
    secretAccessKey: secret.secretAccessKey,
    sessionToken,
  });
  const query = queryRecord(req.query);
  const request = { method: req.method, protocol: 'http:', hostname: 'endpoint', path: req.rawPath, query, headers, body: req.body };
  const signableHeaders = new Set(signed.signedHeaders);
  let expected: string;
  if (signed.form === 'header') {
    // The signer adds the token as a header: given only when the client signed it (authenticate.ts checks it anyway).
    const token = signableHeaders.has('x-amz-security-token') ? secret.sessionToken : undefined;
    expected = await headerSignature(request, signableHeaders, signingDate, credentials(token), signed.region, signed.service);
  } else {
    // presign writes the X-Amz-* parameters itself, from the same values.
    for (const k of Object.keys(query)) if (k.startsWith('X-Amz-')) delete query[k];
    const signer = new SignatureV4({
      credentials: credentials(secret.sessionToken),
      region: signed.region,
      service: signed.service,
      sha256: Sha256,
      // Not to add an x-amz-content-sha256 header the client did not send (S3's habit).
      applyChecksum: false,
    });
    const again = await signer.presign(request, {
      signingDate,
      expiresIn: signed.expiresIn,
      signableHeaders,
      unhoistableHeaders: signableHeaders,
    });
    expected = String(again.query?.['X-Amz-Signature'] ?? '');
  }
  if (!sameText(expected, signed.signature)) {
    throw new AuthFailure(
      'signature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
}

function checkAge(amzDate: string, signingDate: Date, now: Date, minutes: number): void {
  const skew = signingDate.getTime() - now.getTime();
  if (Math.abs(skew) <= minutes * 60_000) return;
  const early = skew < 0;
  const limit = new Date(now.getTime() + (early ? -1 : 1) * minutes * 60_000);
  throw new AuthFailure(
    'expired-signature',
    early
      ? `Signature expired: ${amzDate} is now earlier than ${compact(limit)} (${compact(now)} - ${minutes} min.)`
      : `Signature not yet current: ${amzDate} is still later than ${compact(limit)} (${compact(now)} + ${minutes} min.)`,
  );
}

const compact = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
