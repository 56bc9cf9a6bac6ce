/**
 * CloudWatch Logs' IAM check, made before every operation runs, by the caller's identity-based
 * policies (the log groups used here have no resource policies). Denials carry AWS's
 * AccessDeniedException wording, e.g. "User: … is not authorized to perform: logs:DescribeLogGroups
 * on resource: arn:aws:logs:us-east-1:…:log-group::log-stream: because no identity-based policy
 * allows the logs:DescribeLogGroups action".
 */
import { refusals, requestTags, type IdentityPolicyDeps } from '../identity-policies.js';
import type { CallerContext } from '../request.js';
import { AccessDeniedException } from './errors.js';
import type { LogsOperation } from './operation.js';

export type LogsAuthorizerDeps = IdentityPolicyDeps;

export class LogsAuthorizer {
  constructor(private readonly deps: LogsAuthorizerDeps) {}

  async check(caller: CallerContext, op: LogsOperation, input: unknown): Promise<void> {
    const identity = await this.deps.identities.callerOf(caller);
    const refused = await refusals(this.deps, identity);
    const resource = op.resource(input, caller);
    const tags = op.requestTags?.(input);
    const removed = op.removedTagKeys?.(input);
    const context = tags ? requestTags(Object.entries(tags)) : removed && { 'aws:TagKeys': removed };
    const why = refused(op.action, resource, { context });
    if (why) throw new AccessDeniedException(why);
    if (!op.taggingActions || !tags) return;
    if (op.taggingActions.some((action) => !refused(action, resource, { context }))) return;
    // As AWS answers it (quoted in public reports of CreateLogGroup with tags).
    throw new AccessDeniedException(
      `User with accountId: ${identity.accountId} is not authorized to perform ${op.action.slice('logs:'.length)} with Tags. An additional permission "${op.taggingActions[0]}" is required.`,
    );
  }
}
