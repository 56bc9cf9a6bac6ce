/**
 * One SigV4-signed HTTP request with fetch, for calls the SDK has no command for (pglambda's own
 * routes under `/_pglambda/`) or must not shape itself (a test's deliberately odd request).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256.js';

export interface SignedFetchOptions {
  method: string;
  /** The credential scope's service and region. */
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  body?: string;
  headers?: Record<string, string>;
}

export async function signedFetch(url: URL, opts: SignedFetchOptions): Promise<Response> {
  const headers: Record<string, string> = { host: url.host, ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const signer = new SignatureV4({
    credentials: opts.credentials,
    region: opts.region,
    service: opts.service,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: opts.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: opts.body,
  });
  // fetch sets Host itself, to the same value.
  const sent = { ...signed.headers };
  delete sent.host;
  return fetch(url, { method: opts.method, headers: sent, body: opts.body });
}
