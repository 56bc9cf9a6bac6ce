/**
 * What Lambda's IAM check costs one invoke, part by part: the endpoint's own classes, run in this
 * process on the enforcing start's state (its role, session and function), with their caches warm
 * as a busy endpoint has them. Whole invokes on a shared machine vary by far more than the parts
 * take, so the parts are timed here, in long batches, rather than read off invoke times.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ROUTE_ACTIONS, type RouteAction } from '../../src/aws/lambda/actions.js';
import { LambdaAuthorizer } from '../../src/aws/lambda/authorize.js';
import { DEFAULT_ACCOUNT } from '../../src/aws/caller.js';
import type { AwsRequest } from '../../src/aws/request.js';
import { createSts } from '../../src/aws/sts/index.js';
import { policyView } from '../../src/aws/sts/identity.js';
import { APP_DATABASE } from '../../src/db/cluster.js';
import { evaluate } from '../../src/iam/policy/index.js';
import { matchesPattern } from '../../src/iam/policy/wildcard.js';
import { IamStore } from '../../src/iam/store/iam-store.js';
import type { FunctionKey } from '../../src/lambda/model.js';
import { FunctionStore } from '../../src/lambda/store/function-store.js';
import { FunctionPolicyStore } from '../../src/lambda/store/policy-store.js';
import { median } from '../harness.js';
import { REGION, ROOT_KEY } from './role-session.js';

/** Microseconds per call. */
export interface CheckCost {
  rootCheck: number;
  /** Evaluated on every call, as before decisions were cached (a generation that moves each time). */
  sessionCheck: number;
  /** The same check answered from the decision cache, as a warm invoke now meets it. */
  sessionCheckCached: number;
  /** The session's key to its record (authorize.ts identityOf). */
  identity: number;
  /** The session's role's parsed policies, cached (RolePolicies.forSession). */
  rolePolicies: number;
  /** The function's resource policy (FunctionPolicyStore.documentFor; `noop` has none). */
  resourcePolicy: number;
  /** Evaluating the role's policy for the invoke (evaluate in src/iam/policy/evaluate.ts). */
  roleEvaluation: number;
  /** Within it, matching the statement's Resource and Action against the request's (src/iam/policy/wildcard.ts). */
  resourceMatch: number;
  actionMatch: number;
  /** The endpoint's lookup of an ASIA key's account before routing (server.ts), made with enforcement on or off. */
  accountLookup: number;
}

export async function checkCost(superuserUrl: string, fn: string, sessionKey: string): Promise<CheckCost> {
  const url = new URL(superuserUrl);
  url.pathname = `/${APP_DATABASE}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    const iam = new IamStore(pool);
    const sts = createSts(pool, iam);
    const policies = new FunctionPolicyStore(pool);
    let generation = 0;
    const functions = new FunctionStore(pool);
    const deps = {
      identities: sts.identities,
      roles: sts.roles,
      policies,
      tagsOf: async (fn: FunctionKey) => (await functions.get(fn))?.tags,
    };
    const authorizer = new LambdaAuthorizer({ ...deps, generation: () => generation++ });
    const cached = new LambdaAuthorizer({ ...deps, generation: () => 0 });
    const invoke = ROUTE_ACTIONS['POST /2015-03-31/functions/{FunctionName}/invocations'] as RouteAction;
    const request = (accessKeyId: string): AwsRequest => ({
      method: 'POST',
      rawPath: `/2015-03-31/functions/${fn}/invocations`,
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from('{}'),
      caller: { requestId: 'bench', accountId: DEFAULT_ACCOUNT, region: REGION, accessKeyId },
    });
    const asRoot = request(ROOT_KEY);
    const asSession = request(sessionKey);
    const params = { FunctionName: fn };
    const ref = { accountId: DEFAULT_ACCOUNT, region: REGION, name: fn };
    const identity = await sts.identities.callerOf(asSession.caller);
    const rolePolicies = () => sts.roles.forSession(identity.roleArn!, identity.roleId!);
    const permissions = (await rolePolicies())?.permissions ?? [];
    const resource = `arn:aws:lambda:${REGION}:${DEFAULT_ACCOUNT}:function:${fn}`;
    const authorization = { action: invoke.action, resource, ...policyView(identity) };
    return await perCall({
      rootCheck: () => authorizer.check(asRoot, invoke, params),
      sessionCheck: () => authorizer.check(asSession, invoke, params),
      sessionCheckCached: () => cached.check(asSession, invoke, params),
      identity: () => sts.identities.callerOf(asSession.caller),
      rolePolicies,
      resourcePolicy: () => policies.documentFor(ref, undefined),
      roleEvaluation: () => evaluate(authorization, { identity: permissions }),
      resourceMatch: () => matchesPattern(resource, resource, 'resource', false),
      actionMatch: () => matchesPattern(invoke.action, invoke.action, 'free', true),
      accountLookup: () => sts.identities.resolveAccessKey(sessionKey),
    });
  } finally {
    await pool.end();
  }
}

/**
 * Microseconds per call of each part: batches of about `ms`, the parts taking turns, so a slow
 * stretch of the machine slows every part rather than one; the median of the batches, after one
 * unmeasured turn that fills the caches and warms the JIT.
 */
async function perCall<K extends string>(parts: Record<K, () => unknown>, turns = 15, ms = 100): Promise<Record<K, number>> {
  const names = Object.keys(parts) as K[];
  const us = new Map(names.map((k) => [k, [] as number[]]));
  for (let turn = 0; turn <= turns; turn++) {
    for (const k of names) {
      const start = performance.now();
      let now = start;
      let n = 0;
      // The clock is read every 100 calls, so reading it costs the fastest parts little.
      for (; now - start < ms; now = performance.now()) {
        for (let i = 0; i < 100; i++) await parts[k]();
        n += 100;
      }
      if (turn > 0) us.get(k)!.push(((now - start) * 1000) / n);
    }
  }
  return Object.fromEntries(names.map((k) => [k, median(us.get(k)!)])) as Record<K, number>;
}
