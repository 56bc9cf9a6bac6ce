/**
 * GetFunction's `Code.Location`. On AWS it is an S3 URL presigned for ten minutes: whoever holds it
 * may download the package, nobody else. Here the URL carries an expiry and an HMAC of the package
 * and the expiry under a key this process made at start, so a package cannot be fetched by its hash
 * alone (CodeSha256 is public to anyone who may list functions). A restart invalidates earlier URLs;
 * replicas sharing state would need to share the key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VALID_SECONDS = 600;

export class CodeUrls {
  private readonly key = randomBytes(32);

  /** The path and query of a presigned download of the package `codeId`. */
  presign(codeId: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + VALID_SECONDS;
    return `/_pglambda/code/${codeId}.zip?Expires=${expires}&Signature=${this.signature(codeId, expires)}`;
  }

  /** Why the request may not have the package, in S3's words, or undefined when it may. */
  refusal(codeId: string, query: URLSearchParams, now = Date.now()): string | undefined {
    const expires = Number(query.get('Expires'));
    const given = Buffer.from(query.get('Signature') ?? '');
    const expected = Buffer.from(this.signature(codeId, expires));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return 'The request signature we calculated does not match the signature you provided.';
    }
    if (expires * 1000 < now) return 'Request has expired';
    return undefined;
  }

  private signature(codeId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${codeId}\n${expires}`).digest('base64url');
  }
}
