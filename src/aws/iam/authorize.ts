/**
 * IAM's check of its own API, made before each action runs: the caller's identity-based policies
 * must allow `iam:<Action>` on the role or policy the action names (an account's root may do
 * everything in its account). Without it any role session, and every function process holds one,
 * could rewrite its own role's policies or another role's trust. Denials are IAM's `AccessDenied`,
 * which names a role as `role NAME` and a new policy as `policy NAME` (AWS output quoted in public
 * issues); list actions are checked on the path they list, e.g. `arn:aws:iam::ACCT:role/`. A role's
 * tags are there for conditions (`aws:ResourceTag/KEY`, `iam:ResourceTag/KEY`).
 */
import type { IamStore } from '../../iam/store/iam-store.js';
import { policyArn, roleArn } from '../../iam/store/model.js';
import { queryAuthorizer, roleTags, withTags, type IdentityPolicyDeps, type QueryTarget } from '../identity-policies.js';
import type { QueryCall } from '../protocols/query-xml.js';
import { AccessDenied } from './errors.js';

const ROLE_ACTIONS = [
  'GetRole',
  'DeleteRole',
  'UpdateAssumeRolePolicy',
  'PutRolePolicy',
  'GetRolePolicy',
  'DeleteRolePolicy',
  'ListRolePolicies',
  'ListAttachedRolePolicies',
];
const POLICY_ACTIONS = [
  'GetPolicy',
  'DeletePolicy',
  'CreatePolicyVersion',
  'GetPolicyVersion',
  'ListPolicyVersions',
  'DeletePolicyVersion',
  'SetDefaultPolicyVersion',
];

export function iamAuthorizer(deps: IdentityPolicyDeps, store: IamStore, actions: readonly string[]) {
  const account = (call: QueryCall) => call.caller.accountId;
  const path = (call: QueryCall, name: string) => call.params.get(name) || '/';
  /** The role's ARN with its path and its tags (for aws:ResourceTag) when it exists; otherwise the ARN it would have. */
  const role = async (call: QueryCall): Promise<QueryTarget> => {
    const name = call.params.get('RoleName') ?? '';
    const found = await store.roleByName(account(call), name);
    return {
      arn: found?.arn ?? roleArn(account(call), '/', name),
      shown: `role ${name}`,
      context: roleTags(found),
    };
  };
  /** On the role, naming the policy for conditions on iam:PolicyARN (e.g. "never attach AdministratorAccess"). */
  const roleAndPolicy = async (call: QueryCall): Promise<QueryTarget> => {
    const target = await role(call);
    return { ...target, context: { ...target.context, 'iam:PolicyARN': call.params.get('PolicyArn') ?? '' } };
  };
  const policy = (call: QueryCall): QueryTarget => {
    const arn = call.params.get('PolicyArn') ?? '';
    return { arn, shown: `policy ${arn}` };
  };
  /** A new role or policy: the ARN its name and path give, and the tagging action too when it is made with tags. */
  const created =
    (kind: 'role' | 'policy') =>
    (call: QueryCall): QueryTarget[] => {
      const [arnOf, nameParam, tagAction] =
        kind === 'role' ? [roleArn, 'RoleName', 'iam:TagRole'] : [policyArn, 'PolicyName', 'iam:TagPolicy'];
      const name = call.params.get(nameParam) ?? '';
      return withTags({ arn: arnOf(account(call), path(call, 'Path'), name), shown: `${kind} ${name}` }, call.params.tags(), tagAction);
    };
  const targets: Parameters<typeof queryAuthorizer>[3] = {
    ...Object.fromEntries(ROLE_ACTIONS.map((a) => [a, role])),
    ...Object.fromEntries(POLICY_ACTIONS.map((a) => [a, policy])),
    AttachRolePolicy: roleAndPolicy,
    DetachRolePolicy: roleAndPolicy,
    CreateRole: created('role'),
    CreatePolicy: created('policy'),
    ListRoles: (call) => ({ arn: roleArn(account(call), path(call, 'PathPrefix'), '') }),
    ListPolicies: (call) => ({ arn: policyArn(account(call), path(call, 'PathPrefix'), '') }),
  };
  return queryAuthorizer(deps, 'iam', actions, targets, (message) => new AccessDenied(message));
}
