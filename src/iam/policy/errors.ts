/**
 * IAM's refusals of a policy document, in IAM's words so an endpoint can return them as they are.
 *
 * IAM speaks two dialects. Identity policies (CreatePolicy, PutRolePolicy) go through IAM's policy
 * grammar, which answers almost every structural fault with "Syntax errors in policy.". Role trust
 * policies (CreateRole, UpdateAssumeRolePolicy) go through the older access-policy parser, which names
 * the field at fault ("Missing required field Principal") — the same texts S3 and SQS give for their
 * resource policies, so resource policies use that dialect too.
 */
import type { PolicyKind } from './types.js';

export class MalformedPolicyDocumentError extends Error {
  readonly code = 'MalformedPolicyDocument';

  constructor(message: string) {
    super(message);
    this.name = 'MalformedPolicyDocumentError';
  }
}

export const SYNTAX_ERRORS = 'Syntax errors in policy.';

export interface Dialect {
  invalidJson: string;
  invalidVersion: string;
  missingStatement: string;
  emptyStatement: string;
  missingEffect: string;
  invalidEffect: (effect: string) => string;
  /** The policy grammar takes `allow` at first and fails it later as legacy; the old parser never does. */
  effectIgnoresCase: boolean;
  missingActions: string;
}

const policyGrammar: Dialect = {
  invalidJson: SYNTAX_ERRORS,
  invalidVersion: SYNTAX_ERRORS,
  missingStatement: SYNTAX_ERRORS,
  emptyStatement: SYNTAX_ERRORS,
  missingEffect: SYNTAX_ERRORS,
  invalidEffect: () => SYNTAX_ERRORS,
  effectIgnoresCase: true,
  missingActions: 'Policy statement must contain actions.',
};

const accessPolicyParser: Dialect = {
  invalidJson: 'This policy contains invalid Json',
  invalidVersion: 'The policy must contain a valid version string',
  missingStatement: 'Missing required field Statement',
  emptyStatement: 'Could not parse the policy: Statement is empty!',
  missingEffect: 'Missing required field Effect',
  invalidEffect: (effect) => `Invalid effect: ${effect}`,
  effectIgnoresCase: false,
  missingActions: 'Missing required field Action',
};

export const dialectFor = (kind: PolicyKind): Dialect => (kind === 'identity' ? policyGrammar : accessPolicyParser);
