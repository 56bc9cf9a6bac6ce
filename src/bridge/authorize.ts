/**
 * Whether a cluster may invoke a function. Until IAM roles exist, a cluster holds grants of Lambda
 * resource patterns (the start's starter grant: `my-function` and `my-function:*`), matched with
 * IAM's rules: `*` and `?` wildcards over the whole ARN, so `function:f` does not cover `function:f:1`.
 */
import { InvokeApiFailed } from './errors.js';
import type { Target } from './target.js';

export const STARTER_ROLE = 'pglambda-starter';

function matches(pattern: string, arn: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(arn);
}

/** Throws Lambda's AccessDeniedException text, as Aurora reports it, unless a grant covers the call. */
export function authorize(grants: string[], target: Target, cluster: { identifier: string; accountId: string }): void {
  const resource = target.qualifier ? `${target.arn}:${target.qualifier}` : target.arn;
  if (grants.some((g) => matches(g, resource))) return;
  throw new InvokeApiFailed(
    `User: arn:aws:sts::${cluster.accountId}:assumed-role/${STARTER_ROLE}/${cluster.identifier} is not authorized to perform: ` +
      `lambda:InvokeFunction on resource: ${resource} because no identity-based policy allows the lambda:InvokeFunction action`,
  );
}
