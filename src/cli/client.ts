/**
 * How the CLI calls pglambda's own API: the official SDK for AWS operations, and `signedFetch` for
 * pglambda's additive routes under `/_pglambda/` (`cliFetch`); both sign with the caller's credentials from the
 * environment (the root key `test` by default), as the endpoint verifies every signature.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { signedFetch, type SignedFetchOptions } from '../aws/auth/signed-fetch.js';
import { cliRegion, defaultEndpoint } from './options.js';

const credentials = () => ({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
});

/** The SDK's Lambda client, loaded only by the commands that call Lambda (not by cliFetch's callers). */
export async function lambdaClient(endpoint = defaultEndpoint()): Promise<LambdaClient> {
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  return new LambdaClient({ endpoint, region: cliRegion(), credentials: credentials() });
}

/** A SigV4-signed request to one of pglambda's own routes, as the CLI's caller. */
export const cliFetch = (url: URL, opts: Omit<SignedFetchOptions, 'credentials'>) =>
  signedFetch(url, { ...opts, credentials: credentials() });
