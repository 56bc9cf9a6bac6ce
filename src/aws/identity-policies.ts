/**
 * The IAM check of services whose resources carry no resource policies (CloudWatch Logs, RDS, IAM
 * itself): the caller (an account's root, or a role session) against an action on a resource, with
 * the role's policies. The root may do everything in its account. Each service throws its own
 * AccessDenied.
 */
import { evaluate, type ContextValue } from '../iam/policy/index.js';
import type { RoleRecord } from '../iam/store/model.js';
import type { RolePolicies } from '../iam/store/role-policies.js';
import type { QueryCall } from './protocols/query-xml.js';
import { callerView, type CallerView, type Identities, type Identity } from './sts/identity.js';

export interface IdentityPolicyDeps {
  identities: Identities;
  roles: Pick<RolePolicies, 'forSession' | 'forRole'>;
}

/** How a check reads beyond its action and resource. */
interface CheckOptions {
  /** How the denial names the resource, where the service names it otherwise than by its ARN (IAM: `role NAME`). */
  shown?: string;
  /** Condition keys the request sets, e.g. `iam:PassedToService`. */
  context?: Record<string, ContextValue>;
}

/**
 * The identity's check, its role and policy view read once for every check of one request: AWS's
 * AccessDenied message when the identity may not do `action` on `resource`, e.g. "User: … is not
 * authorized to perform: … because no identity-based policy allows the … action"; undefined when
 * it may. The root may do everything in its account.
 */
export type Refusal = (action: string, resource: string, options?: CheckOptions) => string | undefined;

export async function refusals(deps: IdentityPolicyDeps, identity: Identity): Promise<Refusal> {
  if (identity.type === 'root') return () => undefined;
  const view = await callerView(deps.roles, identity);
  return (action, resource, options = {}) => refusalBy(identity, view, action, resource, options);
}

function refusalBy(
  identity: Identity,
  { role, principal, context: own }: CallerView,
  action: string,
  resource: string,
  { shown = resource, context: extra }: CheckOptions,
): string | undefined {
  const context = extra ? { ...own, ...extra } : own;
  const decision = role ? evaluate({ action, resource, principal, context }, { identity: role.permissions }) : 'ImplicitDeny';
  if (decision === 'Allow') return undefined;
  const why =
    decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${identity.arn} is not authorized to perform: ${action} on resource: ${shown} ${why}`;
}

/** One check a query action needs: its resource's ARN, and another action than the one called, if any (iam:PassRole). */
export interface QueryTarget extends CheckOptions {
  arn: string;
  action?: string;
}

/**
 * The check of a query service (IAM, RDS): every action it serves must have a target here, so an
 * action added without one fails at the start rather than going unchecked.
 */
export function queryAuthorizer(
  deps: IdentityPolicyDeps,
  service: string,
  actions: readonly string[],
  targets: Record<string, (call: QueryCall) => Promise<QueryTarget | QueryTarget[]> | QueryTarget | QueryTarget[]>,
  denied: (message: string) => Error,
): (action: string, call: QueryCall) => Promise<void> {
  const unchecked = actions.filter((a) => !Object.hasOwn(targets, a));
  if (unchecked.length) throw new Error(`${service} actions without an IAM check: ${unchecked.join(', ')}`);
  return async (action, call) => {
    const identity = await deps.identities.callerOf(call.caller);
    if (identity.type === 'root') return;
    const refused = await firstRefusal(deps, identity, `${service}:${action}`, [await targets[action]!(call)].flat());
    if (refused) throw denied(refused);
  };
}

/** The first of the checks `action` needs that the identity fails, in AWS's words; undefined when it passes them all. */
export async function firstRefusal(
  deps: IdentityPolicyDeps,
  identity: Identity,
  action: string,
  targets: QueryTarget[],
): Promise<string | undefined> {
  const refused = await refusals(deps, identity);
  for (const target of targets) {
    const why = refused(target.action ?? action, target.arn, target);
    if (why) return why;
  }
  return undefined;
}

/** What a check of iam:PassRole reads: the service the role is passed to, and the role's tags. */
export async function passRoleContext(
  roles: IdentityPolicyDeps['roles'],
  roleArn: string,
  service: string,
): Promise<Record<string, string>> {
  return { 'iam:PassedToService': service, ...roleTags((await roles.forRole(roleArn))?.role) };
}

/** Passing a role to RDS, which then assumes it (AddRoleToDBCluster, binding a cluster to an AWS role). */
export const passToRds = async (deps: IdentityPolicyDeps, roleArn: string): Promise<QueryTarget> => ({
  action: 'iam:PassRole',
  arn: roleArn,
  context: await passRoleContext(deps.roles, roleArn, 'rds.amazonaws.com'),
});

/**
 * A resource's tags as the condition keys that read them: `aws:ResourceTag/KEY`, and the service's
 * own spellings where it has them (IAM's `iam:ResourceTag/KEY`, RDS's `rds:cluster-tag/KEY`).
 */
export function resourceTags(tags: Iterable<readonly [string, string]>, ...prefixes: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [key, value] of tags) for (const prefix of ['aws:ResourceTag/', ...prefixes]) context[`${prefix}${key}`] = value;
  return context;
}

/** Tags a request sets, as the condition keys that read them: `aws:RequestTag/KEY` and `aws:TagKeys`. */
export function requestTags(tags: Iterable<readonly [string, string]>): Record<string, ContextValue> {
  const keys: string[] = [];
  const context: Record<string, ContextValue> = { 'aws:TagKeys': keys };
  for (const [key, value] of tags) {
    context[`aws:RequestTag/${key}`] = value;
    keys.push(key);
  }
  return context;
}

/** Tags as IAM and RDS keep them, as `resourceTags` takes them. */
export const tagPairs = (tags: ReadonlyArray<{ Key: string; Value: string }> = []) => tags.map((t) => [t.Key, t.Value] as const);

/** An existing role's tags in a check on it (any IAM action on it, iam:PassRole, sts:AssumeRole). */
export const roleTags = (role: Pick<RoleRecord, 'tags'> | undefined) => resourceTags(tagPairs(role?.tags), 'iam:ResourceTag/');

/**
 * A create that also tags: the tags' condition keys (`aws:RequestTag/KEY`, `aws:TagKeys`) on its
 * check, and the tagging action checked too, as AWS asks for both ("To create a role with tags, you
 * must have iam:TagRole permissions").
 */
export function withTags(target: QueryTarget, tags: Array<{ Key: string; Value: string }>, tagAction: string): QueryTarget[] {
  if (tags.length === 0) return [target];
  const context = { ...target.context, ...requestTags(tagPairs(tags)) };
  return [
    { ...target, context },
    { ...target, action: tagAction, context },
  ];
}
