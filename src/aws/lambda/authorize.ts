/**
 * Lambda's IAM check, made before every operation runs: the caller (an account's root or a role
 * session, by its access key) against the route's action on its resource, with the caller's role
 * policies and the function's resource policy (IAM: policy evaluation logic). Within an account
 * either policy may allow; across accounts both must. An explicit Deny anywhere refuses, even the
 * root. Denials carry AWS's AccessDeniedException wording, which Aurora quotes to SQL callers.
 *
 * Decisions are cached by caller, action and resource while IAM and the resource policies stay as
 * they were (`generation`), so a warm invoke evaluates no policy and any change applies to the next
 * request. A decision that read the request time (aws:CurrentTime, aws:EpochTime) is not cached.
 */
import { evaluate, parsePolicy, type AuthorizationRequest, type ParsedPolicy } from '../../iam/policy/index.js';
import { accountRootArn } from '../../iam/store/model.js';
import type { RolePolicies } from '../../iam/store/role-policies.js';
import { functionArn, type FunctionKey } from '../../lambda/model.js';
import { passRoleContext, resourceTags } from '../identity-policies.js';
import type { Route, RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest } from '../request.js';
import { callerView, type Identities, type Identity } from '../sts/identity.js';
import { ROUTE_ACTIONS, type RouteAction } from './actions.js';
import { AccessDeniedException } from './errors.js';
import { parseFunctionRef, type FunctionRef } from './identifiers.js';

/** Where a function's (or one version's or alias's) resource policy is kept. */
export interface ResourcePolicies {
  documentFor(ref: { accountId: string; region: string; name: string }, qualifier: string | undefined): Promise<string | undefined>;
}

export interface AuthorizerDeps {
  identities: Identities;
  roles: Pick<RolePolicies, 'forSession' | 'forRole'>;
  policies: ResourcePolicies;
  /** A function's tags, for policies that read `aws:ResourceTag`; undefined when it does not exist. */
  tagsOf(fn: FunctionKey): Promise<Record<string, string> | undefined>;
  /** Moves on every change of IAM, of any resource policy, or of any function (its tags). */
  generation(): number;
}

interface Target {
  arn: string;
  accountId: string;
  fn?: FunctionRef;
}

const PARSED_LIMIT = 1000;
const DECISIONS_LIMIT = 10_000;

export class LambdaAuthorizer {
  private readonly parsed = new Map<string, ParsedPolicy | null>();
  /** Denial text ('' for allowed) per caller, action, resource and extra context, at `decidedAt`. */
  private readonly decisions = new Map<string, string>();
  private decidedAt = -1;

  constructor(private readonly deps: AuthorizerDeps) {}

  /** Wraps each route's handler with the check of its action (see actions.ts). */
  guard(routes: Route[]): Route[] {
    return routes.map((route) => {
      const entry = ROUTE_ACTIONS[`${route.method} ${route.path}`];
      if (!entry) throw new Error(`no IAM action is declared for ${route.method} ${route.path}`);
      if (entry === 'public') return route;
      return {
        ...route,
        handler: async (req, params) => {
          await this.check(req, entry, params);
          return route.handler(req, params);
        },
      };
    });
  }

  async check(req: AwsRequest, entry: RouteAction, params: RouteParams): Promise<void> {
    const { action, passesRole } = entry;
    const identity = await this.deps.identities.callerOf(req.caller);
    let target = targetOf(req, entry, params);
    if (!target) {
      // A name that does not parse is the operation's to refuse with AWS's validation error; only a
      // caller allowed the action on every resource gets that far.
      if (identity.type === 'root') return;
      target = { arn: rawName(req, params) ?? '*', accountId: req.caller.accountId };
    }
    await this.authorizeTarget(identity, action, target);
    if (passesRole) await this.checkPassRole(req, identity, target.accountId);
  }

  /**
   * The check of `check` for a caller already known and a function already parsed, as the bridge
   * invokes in-process: the resource is the qualified ARN where the action honours a qualifier.
   */
  async authorizeFunction(identity: Identity, { action, qualified }: RouteAction, fn: FunctionRef): Promise<void> {
    const ref = qualified ? fn : { ...fn, qualifier: undefined };
    await this.authorizeTarget(identity, action, { arn: functionArn(ref, ref.qualifier), accountId: ref.accountId, fn: ref });
  }

  private async authorizeTarget(identity: Identity, action: string, target: Target): Promise<void> {
    const denial = await this.denial(identity, action, target);
    if (denial)
      throw new AccessDeniedException(`User: ${identity.arn} is not authorized to perform: ${action} on resource: ${target.arn} ${denial}`);
  }

  /** IAM: "Granting a user permissions to pass a role to an AWS service", with the condition key IAM sets for it. */
  private async checkPassRole(req: AwsRequest, identity: Identity, functionAccount: string): Promise<void> {
    const role = bodyMember(req, 'Role');
    if (typeof role !== 'string' || !role.startsWith('arn:')) return;
    const roleAccount = role.split(':')[4] ?? '';
    if (roleAccount !== functionAccount) throw new AccessDeniedException('Cross-account pass role is not allowed.');
    const denial = await this.denial(
      identity,
      'iam:PassRole',
      { arn: role, accountId: roleAccount },
      await passRoleContext(this.deps.roles, role, 'lambda.amazonaws.com'),
    );
    if (denial)
      throw new AccessDeniedException(`User: ${identity.arn} is not authorized to perform: iam:PassRole on resource: ${role} ${denial}`);
  }

  /** Why the request is refused, in AWS's words, or undefined when it is allowed. */
  private async denial(
    identity: Identity,
    action: string,
    target: Target,
    extraContext: Record<string, string> = {},
  ): Promise<string | undefined> {
    // Read the generation before the policies, so a change committed meanwhile leaves the entry stale.
    const generation = this.deps.generation();
    if (generation !== this.decidedAt) {
      this.decisions.clear();
      this.decidedAt = generation;
    }
    const key = `${identity.arn}\u0000${identity.roleId ?? ''}\u0000${action}\u0000${target.arn}\u0000${JSON.stringify(extraContext)}`;
    const known = this.decisions.get(key);
    if (known !== undefined) return known || undefined;
    const { denial, timed } = await this.decide(identity, action, target, extraContext);
    if (!timed && this.decidedAt === generation) {
      if (this.decisions.size >= DECISIONS_LIMIT) this.decisions.clear();
      this.decisions.set(key, denial ?? '');
    }
    return denial;
  }

  private async decide(
    identity: Identity,
    action: string,
    target: Target,
    extraContext: Record<string, string>,
  ): Promise<{ denial: string | undefined; timed: boolean }> {
    const noIdentityAllow = `because no identity-based policy allows the ${action} action`;
    const { role, principal, context } = await callerView(this.deps.roles, identity);
    // A session outlives neither its role nor the role's replacement by a new one of the same name.
    if (identity.type === 'assumed-role' && !role) return { denial: noIdentityAllow, timed: false };
    const identityPolicies = role?.permissions ?? [];
    const request: AuthorizationRequest = { action, resource: target.arn, principal, context: { ...context, ...extraContext } };
    const resourcePolicies = target.fn ? await this.resourcePolicy(target.fn) : [];
    const policies = [...identityPolicies, ...resourcePolicies];
    // A version or alias has no tags of its own: its function's count, as on AWS. A function being
    // made has none yet (one of that name already there is CreateFunction's to refuse).
    if (target.fn && action !== 'lambda:CreateFunction' && policies.some(readsResourceTags))
      Object.assign(request.context, resourceTags(Object.entries((await this.deps.tagsOf(target.fn)) ?? {})));
    const timed = policies.some(readsRequestTime);
    return { denial: this.verdict(identity, request, identityPolicies, resourcePolicies, target, noIdentityAllow), timed };
  }

  private verdict(
    identity: Identity,
    request: AuthorizationRequest,
    identityPolicies: ParsedPolicy[],
    resourcePolicies: ParsedPolicy[],
    target: Target,
    noIdentityAllow: string,
  ): string | undefined {
    const { action } = request;

    const byIdentityPolicies = evaluate(request, { identity: identityPolicies });
    if (byIdentityPolicies === 'ExplicitDeny') return `with an explicit deny in an identity-based policy`;
    const byResource = evaluate(request, { identity: [], resource: resourcePolicies });
    if (byResource === 'ExplicitDeny') return `with an explicit deny in a resource-based policy`;
    // The root user holds every permission of its own account; its own policies are not documents.
    const byIdentity = identity.type === 'root' || byIdentityPolicies === 'Allow';
    if (identity.accountId === target.accountId) {
      return byIdentity || byResource === 'Allow' ? undefined : noIdentityAllow;
    }
    // Across accounts the resource policy must name the caller or its account, and the caller's own policies must allow.
    const viaAccount = { ...request, principal: { type: 'AWS', id: accountRootArn(identity.accountId) } as const };
    const resourceAllows = byResource === 'Allow' || evaluate(viaAccount, { identity: [], resource: resourcePolicies }) === 'Allow';
    if (!resourceAllows) return `because no resource-based policy allows the ${action} action`;
    return byIdentity ? undefined : noIdentityAllow;
  }

  private async resourcePolicy(fn: FunctionRef): Promise<ParsedPolicy[]> {
    const text = await this.deps.policies.documentFor(fn, fn.qualifier);
    if (text === undefined) return [];
    let policy = this.parsed.get(text);
    if (policy === undefined) {
      policy = parseOrNull(text);
      if (this.parsed.size >= PARSED_LIMIT) this.parsed.clear();
      this.parsed.set(text, policy);
    }
    return policy ? [policy] : [];
  }
}

/** Whether a policy names a key `pattern` matches, remembered per parsed policy. */
function naming(pattern: RegExp): (policy: ParsedPolicy) => boolean {
  const known = new WeakMap<ParsedPolicy, boolean>();
  return (policy) => {
    let reads = known.get(policy);
    if (reads === undefined) {
      reads = pattern.test(JSON.stringify(policy));
      known.set(policy, reads);
    }
    return reads;
  };
}

/** A decision that can change with the clock alone is not cached. */
const readsRequestTime = naming(/aws:(currenttime|epochtime)/i);
/** Only a decision that reads the function's tags looks them up. */
const readsResourceTags = naming(/aws:resourcetag\//i);

/** Lambda built and validated every stored statement; one that no longer parses grants nothing. */
function parseOrNull(text: string): ParsedPolicy | null {
  try {
    return parsePolicy(text, 'resource');
  } catch {
    return null;
  }
}

function targetOf(req: AwsRequest, { resource, qualified }: RouteAction, params: RouteParams): Target | undefined {
  if (resource === 'any') return { arn: '*', accountId: req.caller.accountId };
  // Another resource's ARN (an event source mapping's, say) would read as a function named after its type.
  if (resource === 'arn' && params.Resource?.split(':')[5] !== 'function') return undefined;
  const fn = functionOf(req, resource === 'arn' ? params.Resource : rawName(req, params), qualified === true);
  if (!fn) return undefined;
  if (resource === 'log-group') {
    return { arn: `arn:aws:logs:${fn.region}:${fn.accountId}:log-group:/aws/lambda/${fn.name}:log-stream:*`, accountId: fn.accountId };
  }
  return { arn: functionArn(fn, fn.qualifier), accountId: fn.accountId, fn };
}

/** A member of the JSON body, read leniently: a malformed body is the operation's to refuse. */
function bodyMember(req: AwsRequest, member: string): unknown {
  try {
    const body: unknown = JSON.parse(req.body.toString('utf8'));
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[member] : undefined;
  } catch {
    return undefined;
  }
}

/** The function name a request carries: in its path, or in CreateFunction's body. */
function rawName(req: AwsRequest, params: RouteParams): string | undefined {
  const name: unknown = params.FunctionName ?? bodyMember(req, 'FunctionName');
  return typeof name === 'string' ? name : undefined;
}

/** The function as the operation will resolve it, with its qualifier only where the operation acts on one. */
function functionOf(req: AwsRequest, name: string | undefined, qualified: boolean): FunctionRef | undefined {
  if (name === undefined) return undefined;
  try {
    // A Qualifier the model refuses is the operation's to report; the resource is read as given.
    const qualifier = qualified ? req.query.get('Qualifier') : undefined;
    const ref = parseFunctionRef(name, req.caller, { qualifier, checkQualifier: false });
    return qualified ? ref : { ...ref, qualifier: undefined };
  } catch {
    return undefined;
  }
}
