import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, isAllowed, parsePolicy, type AuthorizationRequest, type Decision, type PolicyKind } from './index.js';

const ACCOUNT = '123456789012';
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`;
const CLUSTER = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:db1`;
const INVOKE = 'lambda:InvokeFunction';
const RDS = { type: 'Service', id: 'rds.amazonaws.com' } as const;

const allow = (extra: object = {}) => ({ Effect: 'Allow', Action: INVOKE, Resource: FN, ...extra });
const deny = (extra: object = {}) => ({ Effect: 'Deny', Action: INVOKE, Resource: FN, ...extra });
const on = (resource: string) => ({ resource });

interface Row {
  name: string;
  /** Each statement is its own identity policy. */
  identity?: object[];
  /** The statements of the resource's policy. */
  resource?: object[];
  version?: string;
  request?: Partial<AuthorizationRequest>;
  expect: Decision;
}

const rows: Row[] = [
  { name: 'no policy allows it: implicit deny', expect: 'ImplicitDeny' },
  { name: 'an identity policy Allow allows', identity: [allow()], expect: 'Allow' },
  { name: 'an explicit Deny in one policy wins over an Allow in another', identity: [allow(), deny()], expect: 'ExplicitDeny' },
  {
    name: "a Deny in the resource's policy wins over an identity Allow",
    identity: [allow()],
    resource: [deny({ Principal: '*' })],
    expect: 'ExplicitDeny',
  },
  { name: 'a Deny for another action denies nothing', identity: [allow(), deny({ Action: 'lambda:DeleteFunction' })], expect: 'Allow' },
  {
    name: 'NotAction with Allow grants every action except those listed',
    identity: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    expect: 'Allow',
  },
  {
    name: 'NotAction with Allow does not grant a listed action',
    identity: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    request: { action: 'iam:CreateUser', resource: ROOT },
    expect: 'ImplicitDeny',
  },
  {
    name: 'NotResource with Deny denies every resource except those listed',
    identity: [allow({ Resource: '*' }), { Effect: 'Deny', Action: '*', NotResource: `${FN}2` }],
    expect: 'ExplicitDeny',
  },
  {
    name: 'NotResource with Deny spares a listed resource',
    identity: [allow({ Resource: '*' }), { Effect: 'Deny', Action: '*', NotResource: FN }],
    expect: 'Allow',
  },

  { name: 'lambda:Invoke* covers lambda:InvokeFunction', identity: [allow({ Action: 'lambda:Invoke*' })], expect: 'Allow' },
  { name: 'lambda:* covers every Lambda action', identity: [allow({ Action: 'lambda:*' })], expect: 'Allow' },
  { name: '* covers every action', identity: [allow({ Action: '*' })], expect: 'Allow' },
  { name: '? stands for exactly one character', identity: [allow({ Action: 'lambda:Invoke?unction' })], expect: 'Allow' },
  { name: 'an action pattern must cover the whole action', identity: [allow({ Action: 'lambda:Invoke' })], expect: 'ImplicitDeny' },
  { name: 'lambda:Get* does not cover lambda:InvokeFunction', identity: [allow({ Action: 'lambda:Get*' })], expect: 'ImplicitDeny' },
  { name: 'actions match without regard to case (policy side)', identity: [allow({ Action: 'Lambda:invokefunction' })], expect: 'Allow' },
  {
    name: 'actions match without regard to case (request side)',
    identity: [allow()],
    request: { action: 'LAMBDA:INVOKEFUNCTION' },
    expect: 'Allow',
  },
  { name: 'resources match with regard to case', identity: [allow({ Resource: FN.replace(':f', ':F') })], expect: 'ImplicitDeny' },
  { name: 'Resource * covers every resource', identity: [allow({ Resource: '*' })], expect: 'Allow' },

  // Lambda's qualifier rule, from plain ARN matching.
  { name: 'function:f does not cover version f:1', identity: [allow()], request: on(`${FN}:1`), expect: 'ImplicitDeny' },
  { name: 'function:f:* covers version f:1', identity: [allow({ Resource: `${FN}:*` })], request: on(`${FN}:1`), expect: 'Allow' },
  { name: 'function:f:* covers f:$LATEST', identity: [allow({ Resource: `${FN}:*` })], request: on(`${FN}:$LATEST`), expect: 'Allow' },
  { name: 'function:f:* covers alias f:prod', identity: [allow({ Resource: `${FN}:*` })], request: on(`${FN}:prod`), expect: 'Allow' },
  { name: 'function:f:* does not cover the unqualified f', identity: [allow({ Resource: `${FN}:*` })], expect: 'ImplicitDeny' },
  { name: 'function:f* covers the unqualified f', identity: [allow({ Resource: `${FN}*` })], expect: 'Allow' },
  { name: 'function:f* covers version f:1', identity: [allow({ Resource: `${FN}*` })], request: on(`${FN}:1`), expect: 'Allow' },
  { name: 'function:f* covers another function f2 too', identity: [allow({ Resource: `${FN}*` })], request: on(`${FN}2`), expect: 'Allow' },
  {
    name: 'a * inside an ARN segment stays inside it',
    identity: [allow({ Resource: `arn:aws:lambda:u*1:function:f` })],
    expect: 'ImplicitDeny',
  },
  {
    name: 'a * ending an ARN segment can expand beyond the colon boundaries',
    identity: [allow({ Resource: 'arn:aws:lambda:us-*:function:f' })],
    expect: 'Allow',
  },
  {
    name: 'a region wildcard covers the region',
    identity: [allow({ Resource: `arn:aws:lambda:*:${ACCOUNT}:function:f` })],
    expect: 'Allow',
  },

  // Principals in the resource's policy.
  {
    name: "the resource's policy alone allows a service principal whose aws:SourceArn matches",
    resource: [
      allow({
        Principal: { Service: 'rds.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:*` } },
      }),
    ],
    request: { principal: RDS, context: { 'aws:SourceArn': CLUSTER } },
    expect: 'Allow',
  },
  {
    name: 'a service principal from another source is not allowed',
    resource: [
      allow({
        Principal: { Service: 'rds.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:*` } },
      }),
    ],
    request: { principal: RDS, context: { 'aws:SourceArn': `arn:aws:rds:us-east-1:${ACCOUNT}:db:db1` } },
    expect: 'ImplicitDeny',
  },
  {
    name: 'a service principal without aws:SourceArn fails an ArnLike on it',
    resource: [
      allow({
        Principal: { Service: 'rds.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:rds:*:${ACCOUNT}:cluster:*` } },
      }),
    ],
    request: { principal: RDS },
    expect: 'ImplicitDeny',
  },
  {
    name: 'another service is not the service named',
    resource: [allow({ Principal: { Service: 'rds.amazonaws.com' } })],
    request: { principal: { type: 'Service', id: 's3.amazonaws.com' } },
    expect: 'ImplicitDeny',
  },
  {
    name: 'naming the user in the resource policy allows it without an identity policy',
    resource: [allow({ Principal: { AWS: ALICE } })],
    expect: 'Allow',
  },
  { name: 'naming another user allows nothing', resource: [allow({ Principal: { AWS: BOB } })], expect: 'ImplicitDeny' },
  {
    name: 'naming the account delegates to identity policies: none, no access',
    resource: [allow({ Principal: { AWS: ACCOUNT } })],
    expect: 'ImplicitDeny',
  },
  {
    name: 'naming the account delegates to identity policies: one allows',
    identity: [allow()],
    resource: [allow({ Principal: { AWS: ROOT } })],
    expect: 'Allow',
  },
  {
    name: 'naming the account reaches its root user directly',
    resource: [allow({ Principal: { AWS: ACCOUNT } })],
    request: { principal: { type: 'AWS', id: ROOT } },
    expect: 'Allow',
  },
  {
    name: 'a Deny naming the account denies its users',
    identity: [allow()],
    resource: [deny({ Principal: { AWS: ROOT } })],
    expect: 'ExplicitDeny',
  },
  {
    name: 'naming the role covers its sessions (aws:PrincipalArn)',
    resource: [allow({ Principal: { AWS: ROLE } })],
    request: { principal: { type: 'AWS', id: SESSION }, context: { 'aws:PrincipalArn': ROLE } },
    expect: 'Allow',
  },
  {
    name: 'Principal * allows even an anonymous caller',
    resource: [allow({ Principal: '*' })],
    request: { principal: undefined },
    expect: 'Allow',
  },
  {
    name: 'Principal {"AWS": "*"} is the same as *',
    resource: [allow({ Principal: { AWS: '*' } })],
    request: { principal: RDS },
    expect: 'Allow',
  },
  {
    name: 'an anonymous caller is no named principal',
    resource: [allow({ Principal: { AWS: ACCOUNT } })],
    request: { principal: { type: '*', id: '' } },
    expect: 'ImplicitDeny',
  },
  {
    name: 'NotPrincipal with Deny denies whoever is not listed',
    identity: [allow()],
    resource: [deny({ NotPrincipal: { AWS: [BOB, ROOT] } })],
    expect: 'ExplicitDeny',
  },
  {
    name: 'NotPrincipal with Deny spares a user listed with its account',
    identity: [allow()],
    resource: [deny({ NotPrincipal: { AWS: [ALICE, ROOT] } })],
    expect: 'Allow',
  },
  {
    name: 'NotPrincipal with Deny still denies a user listed without its account',
    identity: [allow()],
    resource: [deny({ NotPrincipal: { AWS: [ALICE] } })],
    expect: 'ExplicitDeny',
  },
  {
    name: 'NotPrincipal spares a session listed with its role and account',
    identity: [allow()],
    resource: [deny({ NotPrincipal: { AWS: [SESSION, ROLE, ROOT] } })],
    request: { principal: { type: 'AWS', id: SESSION }, context: { 'aws:PrincipalArn': ROLE } },
    expect: 'Allow',
  },
  {
    name: 'NotPrincipal with Deny spares a listed service',
    resource: [allow({ Principal: '*' }), deny({ NotPrincipal: { Service: 'rds.amazonaws.com' } })],
    request: { principal: RDS },
    expect: 'Allow',
  },

  // Policy variables.
  {
    name: '${aws:username} in Resource is the caller',
    identity: [allow({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${aws:username}' })],
    request: { resource: `${FN.slice(0, -1)}alice`, context: { 'aws:username': 'alice' } },
    expect: 'Allow',
  },
  {
    name: '${aws:username} in Resource is no one else',
    identity: [allow({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${aws:username}' })],
    request: { resource: `${FN.slice(0, -1)}alice`, context: { 'aws:username': 'bob' } },
    expect: 'ImplicitDeny',
  },
  {
    name: 'variable keys are case-insensitive',
    identity: [allow({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${AWS:UserName}' })],
    request: { context: { 'aws:username': 'f' } },
    expect: 'Allow',
  },
  {
    name: 'an Allow whose variable cannot be resolved matches nothing',
    identity: [allow({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${aws:username}' })],
    expect: 'ImplicitDeny',
  },
  {
    name: 'a Deny whose variable cannot be resolved matches nothing either',
    identity: [allow(), deny({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${aws:username}' })],
    expect: 'Allow',
  },
  {
    name: 'a variable default applies when the key is missing',
    identity: [allow({ Resource: "arn:aws:lambda:us-east-1:123456789012:function:${aws:username, 'f'}" })],
    expect: 'Allow',
  },
  {
    name: 'a multivalued key is no variable',
    identity: [allow({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${aws:username}' })],
    request: { context: { 'aws:username': ['f'] } },
    expect: 'ImplicitDeny',
  },
  {
    name: '${aws:PrincipalAccount} in a condition value',
    identity: [allow({ Condition: { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } } })],
    request: { context: { 'aws:SourceAccount': ACCOUNT, 'aws:PrincipalAccount': ACCOUNT } },
    expect: 'Allow',
  },
  {
    name: '${aws:SourceAccount} in a condition value, not matching',
    identity: [allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': '${aws:SourceAccount}' } } })],
    request: { context: { 'aws:SourceAccount': '210987654321', 'aws:PrincipalAccount': ACCOUNT } },
    expect: 'ImplicitDeny',
  },
  {
    name: '${*} is a literal asterisk, not a wildcard',
    identity: [allow({ Condition: { StringLike: { 'aws:UserAgent': 'a${*}b' } } })],
    request: { context: { 'aws:UserAgent': 'axxb' } },
    expect: 'ImplicitDeny',
  },
  {
    name: '${*} matches an asterisk',
    identity: [allow({ Condition: { StringLike: { 'aws:UserAgent': 'a${*}b${?}${$}' } } })],
    request: { context: { 'aws:UserAgent': 'a*b?$' } },
    expect: 'Allow',
  },
  {
    name: 'a substituted value is literal: its * is no wildcard',
    identity: [allow({ Condition: { StringLike: { 'aws:UserAgent': '${aws:username}' } } })],
    request: { context: { 'aws:UserAgent': 'anything', 'aws:username': '*' } },
    expect: 'ImplicitDeny',
  },
  {
    name: 'in a 2008-10-17 policy a variable is literal text',
    version: '2008-10-17',
    identity: [allow({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:${aws:username}' })],
    request: { resource: `${FN.slice(0, -1)}\${aws:username}`, context: { 'aws:username': 'f' } },
    expect: 'Allow',
  },
];

function policiesOf(row: Row) {
  const parse = (statements: object[], kind: PolicyKind) =>
    parsePolicy(JSON.stringify({ Version: row.version ?? '2012-10-17', Statement: statements }), kind);
  return {
    identity: (row.identity ?? []).map((s) => parse([s], 'identity')),
    resource: row.resource === undefined ? undefined : [parse(row.resource, 'resource')],
  };
}

for (const row of rows) {
  test(row.name, () => {
    const request: AuthorizationRequest = {
      action: INVOKE,
      resource: FN,
      principal: { type: 'AWS', id: ALICE },
      context: {},
      ...row.request,
    };
    assert.equal(evaluate(request, policiesOf(row)), row.expect);
  });
}

test('a trust policy lets the service it names assume the role, and no other', () => {
  const trust = parsePolicy(
    JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    'trust',
  );
  const assume = (id: string): AuthorizationRequest => ({
    action: 'sts:AssumeRole',
    resource: ROLE,
    principal: { type: 'Service', id },
    context: {},
  });
  assert.equal(isAllowed(assume('lambda.amazonaws.com'), { identity: [], resource: [trust] }), true);
  assert.equal(isAllowed(assume('ec2.amazonaws.com'), { identity: [], resource: [trust] }), false);
});
