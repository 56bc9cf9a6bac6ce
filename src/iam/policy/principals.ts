/**
 * Principal and NotPrincipal against the caller.
 *
 * Naming an account (`"123456789012"` or `arn:aws:iam::123456789012:root`) trusts the account, which
 * then decides through its own identity policies: it does not grant its users anything by itself
 * (the KMS "Enable IAM User Permissions" statement relies on exactly this), whereas naming a user,
 * role or session, or `*`, grants directly.
 *
 * A caller is several principals at once: its own ARN, its role (for a session) and its account.
 * AWS warns that NotPrincipal "might deny access to the entire account containing the principal"
 * unless it lists the account too; so a caller escapes a NotPrincipal only when every one of them is
 * listed.
 */
import type { RequestContext } from './context.js';
import type { PolicyStatement, PrincipalElement, RequestPrincipal } from './types.js';

/** `account`: covered only by naming the caller's account, which delegates instead of granting. */
export type PrincipalMatch = 'none' | 'account' | 'direct';

interface Caller {
  type: RequestPrincipal['type'];
  /** The caller's own ARN or service name, and its role's ARN for a session (aws:PrincipalArn). */
  names: string[];
  account?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;

export function principalMatch(
  statement: PolicyStatement,
  principal: RequestPrincipal | undefined,
  context: RequestContext,
): PrincipalMatch {
  const caller = callerOf(principal, context);
  if (statement.Principal !== undefined) return matchElement(statement.Principal, caller);
  if (statement.NotPrincipal !== undefined) return escapes(statement.NotPrincipal, caller) ? 'none' : 'direct';
  return 'direct';
}

function callerOf(principal: RequestPrincipal | undefined, context: RequestContext): Caller {
  if (principal === undefined || principal.type === '*') return { type: '*', names: [] };
  if (principal.type !== 'AWS') return { type: principal.type, names: [principal.id] };
  const [roleArn] = context.values('aws:PrincipalArn');
  const names = roleArn === undefined || roleArn === principal.id ? [principal.id] : [principal.id, roleArn];
  const account = IAM_ARN.exec(principal.id)?.[1] ?? context.values('aws:PrincipalAccount')[0];
  return { type: 'AWS', names, account };
}

/** The account an AWS principal value names, when it names a whole account. */
const accountNamed = (value: string): string | undefined => (ACCOUNT_ID.test(value) ? value : ROOT_ARN.exec(value)?.[1]);

/** The values listed under the caller's kind of principal. */
const listedFor = (element: Exclude<PrincipalElement, '*'>, type: Exclude<Caller['type'], '*'>): string[] => element[type] ?? [];

function matchElement(element: PrincipalElement, caller: Caller): PrincipalMatch {
  if (element === '*' || element.AWS?.includes('*')) return 'direct';
  if (caller.type === '*') return 'none';
  const listed = listedFor(element, caller.type);
  if (caller.names.some((name) => listed.includes(name))) return 'direct';
  if (caller.type !== 'AWS' || caller.account === undefined) return 'none';
  // The account root is the account itself, so naming the account names it directly.
  const root = caller.names.some((name) => ROOT_ARN.test(name));
  return listed.some((value) => accountNamed(value) === caller.account) ? (root ? 'direct' : 'account') : 'none';
}

function escapes(element: PrincipalElement, caller: Caller): boolean {
  if (element === '*' || element.AWS?.includes('*')) return true;
  if (caller.type === '*') return false;
  const listed = listedFor(element, caller.type);
  // The root user's own name is its account, which the account test below covers.
  const namesListed = caller.names.every((name) => listed.includes(name) || ROOT_ARN.test(name));
  if (caller.type !== 'AWS') return namesListed;
  return namesListed && caller.account !== undefined && listed.some((value) => accountNamed(value) === caller.account);
}
