/**
 * @module
 * IAM policy documents: parsing and validating them as IAM does, and AWS's Allow / Deny decision for a
 * request within one account.
 */
export { parsePolicy } from './document.js';
export type { ParseOptions } from './document.js';
export { evaluate, isAllowed } from './evaluate.js';
export { MalformedPolicyDocumentError } from './errors.js';
export type {
  AuthorizationRequest,
  ConditionElement,
  ContextValue,
  Decision,
  Effect,
  ParsedPolicy,
  PolicyKind,
  PolicySet,
  PolicyStatement,
  PolicyVersion,
  PrincipalElement,
  PrincipalKey,
  RequestPrincipal,
} from './types.js';
