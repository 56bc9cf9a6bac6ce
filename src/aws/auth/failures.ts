/**
 * Why a request's authentication failed, before any service looked at it. Each protocol names these
 * its own way (Lambda `InvalidSignatureException`, the query services `SignatureDoesNotMatch`, …):
 * see `restJsonAuthError` and `queryAuthError`.
 */
export type AuthFailureKind =
  /** Neither an Authorization header nor presigned query parameters. */
  | 'missing'
  /** An Authorization header or presigned query that lacks a part, or names another algorithm. */
  | 'incomplete'
  /** An access key this endpoint does not know, or a session key with a missing or wrong token. */
  | 'unknown-key'
  /** A session key past its expiry. */
  | 'expired-token'
  /** The signature is not the one the key's secret gives. */
  | 'signature'
  /** Signed more than 15 minutes away from now, or a presigned URL past its expiry. */
  | 'expired-signature';

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}
