/**
 * Who may call the endpoint: every request must be signed (SigV4) with a key the endpoint knows and
 * that key's secret; a session key must also carry its session token and be unexpired. With
 * verification off, requests are identified by their access key id alone, as before pglambda
 * checked signatures (for tools that sign with a made-up secret).
 */
import { AuthFailure, expiredToken } from './failures.js';
import type { SignedRequest } from './signed-request.js';
import { verifySignature, type RequestToVerify, type SigningSecret } from './verify.js';

export interface KeySecret extends SigningSecret {
  /** When a session key stops working. */
  expiresAt?: Date;
}

/** The secret behind an access key id, or undefined for a key nobody issued. */
export type SecretOf = (accessKeyId: string) => Promise<KeySecret | undefined>;

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export class Authenticator {
  constructor(
    private readonly secretOf: SecretOf,
    readonly verifying: boolean,
  ) {}

  /** Throws AuthFailure unless the request is signed as AWS requires; does nothing when not verifying. */
  async authenticate(req: RequestToVerify, signed: SignedRequest | undefined, skewMinutes: number, now = new Date()): Promise<void> {
    if (!this.verifying) return;
    if (!signed) throw new AuthFailure('missing', 'Missing Authentication Token');
    const key = await this.secretOf(signed.accessKeyId);
    if (!key) throw new AuthFailure('unknown-key', INVALID_TOKEN);
    if (key.sessionToken !== undefined && signed.sessionToken !== key.sessionToken) throw new AuthFailure('unknown-key', INVALID_TOKEN);
    if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) throw expiredToken();
    await verifySignature(req, signed, key, { skewMinutes, now });
  }
}

/**
 * The root keys: `test`, and any 12-digit key naming an account (the convention LocalStack set, which
 * tests use for several accounts), all signed with one configured secret (`test` by default).
 */
export function rootKeySecret(accessKeyId: string, rootSecret: string): KeySecret | undefined {
  return accessKeyId === 'test' || /^\d{12}$/.test(accessKeyId) ? { secretAccessKey: rootSecret } : undefined;
}
