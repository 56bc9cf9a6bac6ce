/**
 * CloudWatch Logs' IAM check, made before every operation runs: the caller (an account's root, or a
 * role session by its access key) against the operation's action on its resource, with the role's
 * policies (the log groups used here have no resource policies). The root may do everything in its
 * account. Denials carry AWS's AccessDeniedException wording, e.g. "User: … is not authorized to
 * perform: logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:…:log-group::log-stream:
 * because no identity-based policy allows the logs:DescribeLogGroups action".
 */
import { evaluate } from '../../iam/policy/index.js';
import type { RolePolicies } from '../../iam/store/role-policies.js';
import { QueryError } from '../protocols/query-xml.js';
import type { CallerContext } from '../request.js';
import { policyView, type Identities } from '../sts/identity.js';
import { AccessDeniedException, ExpiredTokenException } from './errors.js';

export interface LogsAuthorizerDeps {
  identities: Identities;
  roles: Pick<RolePolicies, 'forSession'>;
}

export class LogsAuthorizer {
  constructor(private readonly deps: LogsAuthorizerDeps) {}

  async check(caller: CallerContext, action: string, resource: string): Promise<void> {
    const identity = await this.deps.identities.callerOf(caller).catch((err: unknown) => {
      if (err instanceof QueryError && err.code === 'ExpiredToken') throw new ExpiredTokenException(err.message);
      throw err;
    });
    if (identity.type === 'root') return;
    const role = await this.deps.roles.forSession(identity.roleArn!, identity.roleId!);
    const { principal, context } = policyView(identity);
    const decision = role ? evaluate({ action, resource, principal, context }, { identity: role.permissions }) : 'ImplicitDeny';
    if (decision === 'Allow') return;
    const why = decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
    throw new AccessDeniedException(`User: ${identity.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`);
  }
}
