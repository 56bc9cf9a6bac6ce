import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CallerContext } from './request.js';

export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';

// Credential=AKID/20260101/us-west-2/lambda/aws4_request
const CREDENTIAL = /Credential=([^/\s,]+)\/\d{8}\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/;

/**
 * The region is the one the request was signed for, as on AWS, and a 12-digit access key id selects
 * that account (LocalStack's convention), so tests can use several accounts with one endpoint.
 */
export function callerFrom(headers: IncomingHttpHeaders, query: URLSearchParams): CallerContext {
  const auth = typeof headers.authorization === 'string' ? headers.authorization : '';
  let m = CREDENTIAL.exec(auth);
  const presigned = query.get('X-Amz-Credential');
  if (!m && presigned) m = CREDENTIAL.exec(`Credential=${presigned}`);
  const accessKeyId = m?.[1] ?? '';
  return {
    requestId: randomUUID(),
    accessKeyId,
    accountId: /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT,
    region: m?.[2] ?? DEFAULT_REGION,
    signedService: m?.[3],
  };
}
