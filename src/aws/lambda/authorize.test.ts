import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../iam/policy/index.js';
import type { RolePolicySet } from '../../iam/store/role-policies.js';
import { sessionIdentity } from '../sts/identity.js';
import type { Identities } from '../sts/identity.js';
import { ROUTE_ACTIONS, type RouteAction } from './actions.js';
import { LambdaAuthorizer } from './authorize.js';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cluster-role`;
const INVOKE = ROUTE_ACTIONS['POST /2015-03-31/functions/{FunctionName}/invocations'] as RouteAction;
const session = sessionIdentity(
  { accountId: ACCOUNT, roleArn: ROLE, roleId: 'AROAEXAMPLE', sessionName: 'my-db-cluster', expiresAt: new Date(Date.now() + 3_600_000) },
  new Date(),
);
const fn = (name: string, qualifier?: string) => ({ accountId: ACCOUNT, region: 'us-west-2', name, qualifier });

/** An authorizer over one role whose permission statements the test sets, counting how often they are read. */
function setup(statements: object[]) {
  const state = { generation: 0, reads: 0, statements, tags: {} as Record<string, string>, tagReads: 0 };
  const roleSet = (): RolePolicySet => ({
    role: { roleId: 'AROAEXAMPLE' } as RolePolicySet['role'],
    trust: [],
    permissions: [parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: state.statements }), 'identity')],
  });
  const authorizer = new LambdaAuthorizer({
    identities: {} as Identities,
    roles: {
      forRole: async () => undefined,
      forSession: async () => {
        state.reads++;
        return roleSet();
      },
    },
    policies: { documentFor: async () => undefined },
    tagsOf: async () => {
      state.tagReads++;
      return state.tags;
    },
    generation: () => state.generation,
  });
  const check = (name: string, qualifier?: string) => authorizer.authorizeFunction(session, INVOKE, fn(name, qualifier));
  return { state, check };
}

const allow = (resource: string, extra: object = {}) => ({
  Effect: 'Allow',
  Action: 'lambda:InvokeFunction',
  Resource: resource,
  ...extra,
});

test('a decision is made once and then answered from the cache, allowed or denied', async () => {
  const { state, check } = setup([allow(`arn:aws:lambda:us-west-2:${ACCOUNT}:function:open`)]);
  await check('open');
  await check('open');
  await assert.rejects(
    check('closed'),
    /is not authorized to perform: lambda:InvokeFunction on resource: .*:function:closed because no identity-based policy allows/,
  );
  await assert.rejects(check('closed'), /because no identity-based policy allows/);
  assert.equal(state.reads, 2, 'one evaluation per distinct resource');
});

test('the qualified ARN is its own resource', async () => {
  const { state, check } = setup([allow(`arn:aws:lambda:us-west-2:${ACCOUNT}:function:f`)]);
  await check('f');
  await assert.rejects(check('f', '1'), /on resource: arn:aws:lambda:us-west-2:123456789012:function:f:1 /);
  assert.equal(state.reads, 2);
});

test('a change of generation (IAM or a resource policy changed) applies to the very next call', async () => {
  const { state, check } = setup([allow('*')]);
  await check('f');
  state.statements = [allow('*'), { Effect: 'Deny', Action: 'lambda:InvokeFunction', Resource: '*' }];
  await check('f');
  state.generation++;
  await assert.rejects(check('f'), /with an explicit deny in an identity-based policy/);
});

test('a decision that reads the request time is made anew every time', async () => {
  const { state, check } = setup([allow('*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } } })]);
  await check('f');
  await check('f');
  await check('f');
  assert.equal(state.reads, 3);
});

test("aws:ResourceTag reads the function's tags (a version's too), only for a policy that names it", async () => {
  const { state, check } = setup([
    allow('*'),
    { Effect: 'Deny', Action: 'lambda:InvokeFunction', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/Stage': 'prod' } } },
  ]);
  await check('f');
  state.tags = { stage: 'prod' };
  state.generation++;
  await assert.rejects(check('f'), /on resource: .*:function:f with an explicit deny in an identity-based policy/);
  await assert.rejects(check('f', '1'), /on resource: .*:function:f:1 with an explicit deny/);
  state.tags = { stage: 'dev' };
  state.generation++;
  await check('f');

  const plain = setup([allow('*')]);
  await plain.check('f');
  assert.equal(plain.state.tagReads, 0);
});
