/**
 * Why a request's authentication failed. Each protocol names these its own way (Lambda
 * `InvalidSignatureException`, the query services `SignatureDoesNotMatch`, …), in its
 * `ServiceAuthentication.refuse`, also for one a service's handler throws.
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

/**
 * A session key past its expiry: refused when its request is authenticated, and again by a service
 * that looks the caller up later (the session may expire in between, or signatures go unchecked).
 */
export const expiredToken = () => new AuthFailure('expired-token', 'The security token included in the request is expired');
