/**
 * The IAM check of services whose resources carry no resource policies (CloudWatch Logs, RDS): the
 * caller (an account's root, or a role session) against an action on a resource, with the role's
 * policies. The root may do everything in its account. Each service throws its own AccessDenied.
 */
import { evaluate } from '../iam/policy/index.js';
import type { RolePolicies } from '../iam/store/role-policies.js';
import { policyView, type Identities, type Identity } from './sts/identity.js';

export interface IdentityPolicyDeps {
  identities: Identities;
  roles: Pick<RolePolicies, 'forSession'>;
}

/** AWS's AccessDenied message when the identity may not, e.g. "User: … is not authorized to perform: … because no identity-based policy allows the … action"; undefined when it may. */
export async function refusal(deps: IdentityPolicyDeps, identity: Identity, action: string, resource: string): Promise<string | undefined> {
  if (identity.type === 'root') return undefined;
  const role = await deps.roles.forSession(identity.roleArn!, identity.roleId!);
  const { principal, context } = policyView(identity);
  const decision = role ? evaluate({ action, resource, principal, context }, { identity: role.permissions }) : 'ImplicitDeny';
  if (decision === 'Allow') return undefined;
  const why =
    decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${identity.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}
