import type { SignedRequest } from './auth/signed-request.js';
import type { CallerContext } from './request.js';

export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
/**
 * What a Region name a request gives is made of (`us-west-2`, `us-gov-east-1`): a region becomes part
 * of ARNs, where a `:` or `/` in it could make one ARN another's.
 */
export const REGION_NAME = /^[a-z0-9-]+$/;

/**
 * The region is the one the request was signed for, as on AWS, and a 12-digit access key id selects
 * that account (LocalStack's convention), so tests can use several accounts with one endpoint.
 */
export function callerOf(requestId: string, signed: SignedRequest | undefined): CallerContext {
  const accessKeyId = signed?.accessKeyId ?? '';
  return {
    requestId,
    accessKeyId,
    accountId: /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT,
    region: signed?.region ?? DEFAULT_REGION,
    signedService: signed?.service,
  };
}
