/**
 * AWS's decision for a request within one account (IAM policy reference: Policy evaluation logic):
 * an explicit Deny in any policy wins; otherwise an Allow in an identity policy or in the resource's
 * policy allows ("If either the identity-based policy or the resource-based policy within the same
 * account allows the request and the other doesn't, the request is still allowed"); otherwise the
 * request is implicitly denied. Permissions boundaries, session policies, SCPs and cross-account
 * requests are outside it.
 *
 * A statement applies when its Action, Resource, Principal and Condition all match. Nothing here knows
 * Lambda: which ARNs a Resource covers (`function:f` but not `function:f:1`) follows from the matching
 * rules alone.
 */
import { conditionsHold } from './conditions.js';
import { RequestContext } from './context.js';
import { principalMatch, type PrincipalMatch } from './principals.js';
import type { AuthorizationRequest, Decision, PolicySet, PolicyStatement, PolicyVersion } from './types.js';
import { expand, UnresolvedVariable, type VariableLookup } from './variables.js';
import { matchesPattern, piecesMatch } from './wildcard.js';

export function evaluate(request: AuthorizationRequest, policies: PolicySet): Decision {
  const context = new RequestContext(request.context);
  let allowed = false;
  for (const policy of [...policies.identity, ...(policies.resource ?? [])]) {
    for (const statement of policy.Statement) {
      const match = statementMatch(statement, policy.Version, request, context);
      if (match === 'none') continue;
      if (statement.Effect === 'Deny') return 'ExplicitDeny';
      // An Allow reaching the caller only through its account leaves the decision to identity policies.
      if (match === 'direct') allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

export const isAllowed = (request: AuthorizationRequest, policies: PolicySet): boolean => evaluate(request, policies) === 'Allow';

function statementMatch(
  statement: PolicyStatement,
  version: PolicyVersion,
  request: AuthorizationRequest,
  context: RequestContext,
): PrincipalMatch {
  // "If you do not include the Version element … policy variables … are treated as literal strings."
  const variables = version === '2012-10-17' ? context.variable : undefined;
  try {
    if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource, variables)) return 'none';
    const principal = principalMatch(statement, request.principal, context);
    if (principal === 'none' || !conditionsHold(statement.Condition ?? {}, context, variables !== undefined)) return 'none';
    return principal;
  } catch (err) {
    if (err instanceof UnresolvedVariable) return 'none';
    throw err;
  }
}

/** "The prefix and the action name are case insensitive." */
function actionMatches(statement: PolicyStatement, action: string): boolean {
  const listed = (patterns: string[]) => patterns.some((p) => matchesPattern(p, action, 'free', true));
  if (statement.Action !== undefined) return listed(statement.Action);
  return statement.NotAction !== undefined && !listed(statement.NotAction);
}

/** A statement without Resource or NotResource (trust and resource policies) is about the resource it is attached to. */
function resourceMatches(statement: PolicyStatement, resource: string, variables: VariableLookup | undefined): boolean {
  const listed = (patterns: string[]) => patterns.some((p) => piecesMatch(expand(p, variables), resource, 'resource', false));
  if (statement.Resource !== undefined) return listed(statement.Resource);
  return statement.NotResource === undefined || !listed(statement.NotResource);
}
