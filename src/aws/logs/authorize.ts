/**
 * CloudWatch Logs' IAM check, made before every operation runs, by the caller's identity-based
 * policies (the log groups used here have no resource policies). Denials carry AWS's
 * AccessDeniedException wording, e.g. "User: … is not authorized to perform: logs:DescribeLogGroups
 * on resource: arn:aws:logs:us-east-1:…:log-group::log-stream: because no identity-based policy
 * allows the logs:DescribeLogGroups action".
 */
import { refusal, type IdentityPolicyDeps } from '../identity-policies.js';
import type { CallerContext } from '../request.js';
import { AccessDeniedException } from './errors.js';

export type LogsAuthorizerDeps = IdentityPolicyDeps;

export class LogsAuthorizer {
  constructor(private readonly deps: LogsAuthorizerDeps) {}

  async check(caller: CallerContext, action: string, resource: string): Promise<void> {
    const identity = await this.deps.identities.callerOf(caller);
    const refused = await refusal(this.deps, identity, action, resource);
    if (refused) throw new AccessDeniedException(refused);
  }
}
