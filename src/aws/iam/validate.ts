/**
 * IAM's member constraints (service model, iam-sts-rds-wire §1), its policy document checks and
 * its quotas (IAM and AWS STS quotas page; the LimitExceeded texts are IAM's own).
 */
import { MalformedPolicyDocumentError, parsePolicy } from '../../iam/policy/index.js';
import { AWS_ACCOUNT } from '../../iam/store/model.js';
import { MalformedPolicyDocument, quotaExceeded, ValidationError } from './errors.js';

const NAME = String.raw`[\w+=,.@-]+`;

export const rules = {
  roleName: { required: true, min: 1, max: 64, pattern: NAME },
  policyName: { required: true, min: 1, max: 128, pattern: NAME },
  path: { min: 1, max: 512, pattern: String.raw`((/[A-Za-z0-9\.,\+@=_-]+)*)/` },
  pathPrefix: { min: 1, max: 512, pattern: String.raw`\u002F[\u0021-\u007F]*` },
  policyArn: { required: true, min: 20, max: 2048 },
  document: { required: true, min: 1, max: 131072, pattern: String.raw`[\u0009\u000A\u000D\u0020-\u00FF]+` },
  description: { max: 1000, pattern: String.raw`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*` },
  versionId: { required: true, pattern: String.raw`v[1-9][0-9]*(\.[A-Za-z0-9-]*)?` },
  marker: { min: 1, max: 320, pattern: String.raw`[\u0020-\u00FF]+` },
  maxItems: { type: 'int', min: 1, max: 1000 },
} as const;

export const QUOTAS = {
  rolesPerAccount: 1000,
  policiesPerRole: 10,
  versionsPerPolicy: 5,
  /** Characters, not counting whitespace, as IAM counts them. */
  managedPolicySize: 6144,
  inlinePolicySizePerRole: 10240,
  trustPolicySize: 2048,
} as const;

/** IAM does not count whitespace toward a policy's size. */
export const policySize = (doc: string) => doc.replace(/[ \t\n\r]/g, '').length;

/** Parses a document as IAM would accept it; a refusal carries IAM's MalformedPolicyDocument text. */
export function checkDocument(doc: string, kind: 'identity' | 'trust', managed = false): void {
  try {
    parsePolicy(doc, kind, { managed });
  } catch (err) {
    if (err instanceof MalformedPolicyDocumentError) throw new MalformedPolicyDocument(err.message);
    throw err;
  }
}

export function checkManagedDocument(doc: string): void {
  checkDocument(doc, 'identity', true);
  if (policySize(doc) > QUOTAS.managedPolicySize) throw quotaExceeded('PolicySize', QUOTAS.managedPolicySize);
}

export function checkTrustDocument(doc: string): void {
  checkDocument(doc, 'trust');
  if (policySize(doc) > QUOTAS.trustPolicySize) throw quotaExceeded('ACLSizePerRole', QUOTAS.trustPolicySize);
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/|\/.*\/)[\w+=,.@-]+$/;

/**
 * Whether a PolicyArn names a policy this account could see. Text that is no ARN at all is refused
 * as IAM does; anything else that is not one of ours or AWS's is simply not found.
 */
export function isVisiblePolicyArn(arn: string, accountId: string): boolean {
  if (!/^arn:[^:]*:[^:]*:[^:]*:[^:]*:./.test(arn)) throw new ValidationError('Invalid ARN:  Could not be parsed!');
  const m = POLICY_ARN.exec(arn);
  return m !== null && (m[1] === accountId || m[1] === AWS_ACCOUNT);
}
