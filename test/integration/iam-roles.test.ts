/**
 * IAM roles through the official SDK: CreateRole, GetRole, ListRoles, DeleteRole and
 * UpdateAssumeRolePolicy; managed policy attachments and inline policies with their quotas; and the
 * store that enforcement reads, including the DeleteRole hook RDS uses.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type CreateRoleCommandInput,
} from '@aws-sdk/client-iam';
import pg from 'pg';
import { iamService } from '../../src/aws/iam/index.js';
import { Authenticator, rootKeySecret } from '../../src/aws/auth/authenticate.js';
import { AwsEndpoint } from '../../src/aws/server.js';
import { IamStore } from '../../src/iam/store/iam-store.js';
import { refused } from '../helpers/aws-assert.js';
import { testLogger } from '../helpers/logger.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { REFERENCE_TRUST as TRUST } from '../fixtures/reference-iam.js';

let svc: TestService;
let iam: IAMClient;
let db: pg.Pool;
const clientFor = (endpoint: string) =>
  new IAMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
before(async () => {
  svc = await startTestService({ grantAll: false, executionRole: false });
  iam = clientFor(svc.endpoint);
  // end() resolves before its connections are gone, and the service's stop then cuts them: no trouble.
  db = new pg.Pool({ connectionString: svc.postgres.url }).on('error', () => undefined);
});
after(async () => {
  iam.destroy();
  await db.end();
  await svc.close();
});

const ACCT = '123456789012';
const allow = (resource: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: resource }] });
const LAMBDA_ROLE = 'arn:aws:iam::aws:policy/service-role/AWSLambdaRole';
const createRole = (name: string, extra: Partial<CreateRoleCommandInput> = {}) =>
  iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, ...extra }));
const createPolicy = async (name: string) =>
  (
    await iam.send(
      new CreatePolicyCommand({ PolicyName: name, PolicyDocument: allow(`arn:aws:lambda:us-east-1:${ACCT}:function:${name}`) }),
    )
  ).Policy!.Arn!;

test('CreateRole answers what IAM answers (no MaxSessionDuration); GetRole adds it and an empty RoleLastUsed', async () => {
  const created = (await createRole('rds-lambda-role')).Role!;
  assert.equal(created.RoleName, 'rds-lambda-role');
  assert.equal(created.Arn, `arn:aws:iam::${ACCT}:role/rds-lambda-role`);
  assert.equal(created.Path, '/');
  assert.match(created.RoleId!, /^AROA[A-Z2-7]{17}$/);
  assert.ok(created.CreateDate instanceof Date);
  assert.equal(created.MaxSessionDuration, undefined);
  assert.equal(created.AssumeRolePolicyDocument, encodeURIComponent(TRUST));
  assert.equal(decodeURIComponent(created.AssumeRolePolicyDocument!), TRUST);

  const got = (await iam.send(new GetRoleCommand({ RoleName: 'rds-lambda-role' }))).Role!;
  assert.equal(got.RoleId, created.RoleId);
  assert.equal(got.MaxSessionDuration, 3600);
  assert.deepEqual(got.RoleLastUsed, {});
  assert.equal(got.Description, undefined);

  const pathed = (
    await createRole('pathed', {
      Path: '/service-role/aurora/',
      Description: 'd',
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'k', Value: 'v' }],
    })
  ).Role!;
  assert.equal(pathed.Arn, `arn:aws:iam::${ACCT}:role/service-role/aurora/pathed`);
  assert.deepEqual([pathed.Description, pathed.Tags], ['d', [{ Key: 'k', Value: 'v' }]]);
  assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'pathed' }))).Role!.MaxSessionDuration, 7200);
});

test('role refusals: unknown, duplicate in any case, malformed or oversized trust policies, model constraints', async () => {
  await refused(
    iam.send(new GetRoleCommand({ RoleName: 'nope' })),
    'NoSuchEntityException',
    404,
    'The role with name nope cannot be found.',
  );
  await refused(createRole('RDS-Lambda-Role'), 'EntityAlreadyExistsException', 409, 'Role with name RDS-Lambda-Role already exists.');
  await refused(
    createRole('bad-trust', { AssumeRolePolicyDocument: '{not json' }),
    'MalformedPolicyDocumentException',
    400,
    'This policy contains invalid Json',
  );
  const many = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: Array.from({ length: 60 }, (_, i) => `arn:aws:iam::${ACCT}:role/some-long-role-name-${i}`) },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  await refused(
    createRole('big-trust', { AssumeRolePolicyDocument: JSON.stringify(many) }),
    'LimitExceededException',
    409,
    'Cannot exceed quota for ACLSizePerRole: 2048',
  );
  await refused(
    createRole('r'.repeat(65)),
    'ValidationError',
    400,
    `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
  );
  await refused(
    createRole('short-session', { MaxSessionDuration: 60 }),
    'ValidationError',
    400,
    "1 validation error detected: Value 60 at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
  );
  await refused(
    iam.send(new CreateRoleCommand({ RoleName: 'no-trust' } as CreateRoleCommandInput)),
    'ValidationError',
    400,
    "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
  );
});

test('ListRoles pages in name order, filters by path, and leaves out RoleLastUsed and Tags', async () => {
  const all = await iam.send(new ListRolesCommand({}));
  // pglambda-default: the execution role every start makes.
  assert.deepEqual(
    all.Roles!.map((r) => r.RoleName),
    ['pathed', 'pglambda-default', 'rds-lambda-role'],
  );
  assert.equal(all.IsTruncated, false);
  const listed = all.Roles![0]!;
  assert.equal(listed.MaxSessionDuration, 7200);
  assert.deepEqual([listed.Tags, listed.RoleLastUsed], [undefined, undefined]);
  assert.equal(decodeURIComponent(listed.AssumeRolePolicyDocument!), TRUST);
  assert.deepEqual(
    (await iam.send(new ListRolesCommand({ PathPrefix: '/service-role/' }))).Roles!.map((r) => r.RoleName),
    ['pathed'],
  );
  const first = await iam.send(new ListRolesCommand({ MaxItems: 2 }));
  assert.deepEqual([first.Roles!.map((r) => r.RoleName), first.IsTruncated], [['pathed', 'pglambda-default'], true]);
  const second = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: first.Marker }));
  assert.deepEqual([second.Roles!.map((r) => r.RoleName), second.IsTruncated, second.Marker], [['rds-lambda-role'], false, undefined]);
});

test('UpdateAssumeRolePolicy replaces the trust policy, validated as one', async () => {
  const next = TRUST.replace('rds.amazonaws.com', 'lambda.amazonaws.com');
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'pathed', PolicyDocument: next }));
  assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'pathed' }))).Role!.AssumeRolePolicyDocument!), next);
  await refused(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'pathed', PolicyDocument: '[' })),
    'MalformedPolicyDocumentException',
    400,
    'This policy contains invalid Json',
  );
  await refused(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'nope', PolicyDocument: next })),
    'NoSuchEntityException',
    404,
    'The role with name nope cannot be found.',
  );
});

test('attachments: customer and AWS managed policies, idempotent, counted, at most 10 per role', async () => {
  const mine = await createPolicy('rds-lambda-policy');
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyArn: mine }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyArn: mine }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyArn: LAMBDA_ROLE }));
  const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'rds-lambda-role' }));
  assert.deepEqual(listed.AttachedPolicies, [
    { PolicyName: 'AWSLambdaRole', PolicyArn: LAMBDA_ROLE },
    { PolicyName: 'rds-lambda-policy', PolicyArn: mine },
  ]);
  assert.equal(listed.IsTruncated, false);
  assert.deepEqual(
    (
      await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'rds-lambda-role', PathPrefix: '/service-role/' }))
    ).AttachedPolicies!.map((a) => a.PolicyName),
    ['AWSLambdaRole'],
  );
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: mine }))).Policy!.AttachmentCount, 1);

  const unknown = `arn:aws:iam::${ACCT}:policy/missing`;
  await refused(
    iam.send(new AttachRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyArn: unknown })),
    'NoSuchEntityException',
    404,
    `Policy ${unknown} does not exist or is not attachable.`,
  );
  await refused(
    iam.send(new AttachRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyArn: 'rds-lambda-policy-by-name' })),
    'ValidationError',
    400,
    'Invalid ARN:  Could not be parsed!',
  );
  await refused(
    iam.send(new AttachRolePolicyCommand({ RoleName: 'nope', PolicyArn: mine })),
    'NoSuchEntityException',
    404,
    'The role with name nope cannot be found.',
  );
  await refused(
    iam.send(new DetachRolePolicyCommand({ RoleName: 'pathed', PolicyArn: mine })),
    'NoSuchEntityException',
    404,
    `Policy ${mine} was not found.`,
  );
  await refused(
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'nope' })),
    'NoSuchEntityException',
    404,
    'The role with name nope cannot be found.',
  );

  for (let i = 0; i < 10; i++)
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'pathed', PolicyArn: await createPolicy(`quota-${i}`) }));
  await refused(
    iam.send(new AttachRolePolicyCommand({ RoleName: 'pathed', PolicyArn: mine })),
    'LimitExceededException',
    409,
    'Cannot exceed quota for PoliciesPerRole: 10',
  );
  const page1 = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'pathed', MaxItems: 6 }));
  const page2 = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'pathed', MaxItems: 6, Marker: page1.Marker }));
  assert.deepEqual([page1.IsTruncated, page2.IsTruncated], [true, false]);
  assert.deepEqual(
    [...page1.AttachedPolicies!, ...page2.AttachedPolicies!].map((a) => a.PolicyName),
    Array.from({ length: 10 }, (_, i) => `quota-${i}`),
  );
  for (let i = 0; i < 10; i++)
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'pathed', PolicyArn: `arn:aws:iam::${ACCT}:policy/quota-${i}` }));
});

test('inline policies: put (replacing), get URL-encoded, list, delete; 10,240 characters per role without whitespace', async () => {
  const doc = allow('*');
  await iam.send(new PutRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'invoke-all', PolicyDocument: doc }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'pathed',
      PolicyName: 'invoke-one',
      PolicyDocument: allow('arn:aws:lambda:us-east-1:123456789012:function:one'),
    }),
  );
  const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'invoke-all' }));
  assert.deepEqual([got.RoleName, got.PolicyName, got.PolicyDocument], ['pathed', 'invoke-all', encodeURIComponent(doc)]);
  const replaced = allow('arn:aws:lambda:us-east-1:123456789012:function:*');
  await iam.send(new PutRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'invoke-all', PolicyDocument: replaced }));
  assert.equal(
    decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'invoke-all' }))).PolicyDocument!),
    replaced,
  );
  assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'pathed' }))).PolicyNames, ['invoke-all', 'invoke-one']);
  const paged = await iam.send(new ListRolePoliciesCommand({ RoleName: 'pathed', MaxItems: 1 }));
  assert.deepEqual([paged.PolicyNames, paged.IsTruncated], [['invoke-all'], true]);

  await refused(
    iam.send(new GetRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'nope' })),
    'NoSuchEntityException',
    404,
    'The role policy with name nope cannot be found.',
  );
  await refused(
    iam.send(new DeleteRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'nope' })),
    'NoSuchEntityException',
    404,
    'The role policy with name nope cannot be found.',
  );
  await refused(
    iam.send(new PutRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'bad', PolicyDocument: '{}' })),
    'MalformedPolicyDocumentException',
    400,
    /./,
  );
  await refused(
    iam.send(new PutRolePolicyCommand({ RoleName: 'nope', PolicyName: 'p', PolicyDocument: doc })),
    'NoSuchEntityException',
    404,
    'The role with name nope cannot be found.',
  );

  // Each of these is about 5,200 characters: two fit beside the small ones only until the sum passes 10,240.
  const big = (n: number) =>
    JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: Array.from({ length: 50 }, (_, i) => ({
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: `arn:aws:lambda:us-east-1:123456789012:function:fn-${n}-${i}`,
        })),
      },
      null,
      2,
    );
  await iam.send(new PutRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'big-1', PolicyDocument: big(1) }));
  await refused(
    iam.send(new PutRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'big-2', PolicyDocument: big(2) })),
    'LimitExceededException',
    409,
    'Maximum policy size of 10240 bytes exceeded for role pathed',
  );
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'pathed', PolicyName: 'big-1' }));
  assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'pathed' }))).PolicyNames, ['invoke-all', 'invoke-one']);
});

test('DeleteRole: not while policies are attached or inline; then gone', async () => {
  await createRole('doomed');
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'doomed', PolicyArn: LAMBDA_ROLE }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'inline', PolicyDocument: allow('*') }));
  await refused(
    iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must detach all policies first.',
  );
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'doomed', PolicyArn: LAMBDA_ROLE }));
  await refused(
    iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must delete policies first.',
  );
  await iam.send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'inline' }));
  await iam.send(new DeleteRoleCommand({ RoleName: 'doomed' }));
  await refused(
    iam.send(new GetRoleCommand({ RoleName: 'doomed' })),
    'NoSuchEntityException',
    404,
    'The role with name doomed cannot be found.',
  );
  await refused(
    iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })),
    'NoSuchEntityException',
    404,
    'The role with name doomed cannot be found.',
  );
});

test('an account holds at most 1,000 roles', async () => {
  const account = '444455556666';
  await db.query(
    `insert into iam.roles (account_id, arn, name, path, role_id, assume_role_policy)
     select $1, 'arn:aws:iam::' || $1 || ':role/filler-' || n, 'filler-' || n, '/', 'AROAFILLER' || lpad(n::text, 11, '0'), '{}'
     from generate_series(1, 1000) n`,
    [account],
  );
  const other = new IAMClient({
    endpoint: svc.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: account, secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    await refused(
      other.send(new CreateRoleCommand({ RoleName: 'one-too-many', AssumeRolePolicyDocument: TRUST })),
      'LimitExceededException',
      409,
      'Cannot exceed quota for RolesPerAccount: 1000',
    );
  } finally {
    other.destroy();
  }
});

test('the store enforcement reads: roles, attached and inline documents, default documents, a change generation', async () => {
  const store = new IamStore(db);
  const role = (await store.roleByName(ACCT, 'RDS-LAMBDA-ROLE'))!;
  assert.equal(role.name, 'rds-lambda-role');
  assert.equal(role.assumeRolePolicyDocument, TRUST);
  assert.deepEqual(await store.roleByArn(role.arn), role);
  assert.equal(await store.roleByName('111122223333', 'rds-lambda-role'), undefined);
  const attached = await store.attachedPolicies(role);
  assert.deepEqual(
    attached.map((a) => a.arn),
    [LAMBDA_ROLE, `arn:aws:iam::${ACCT}:policy/rds-lambda-policy`],
  );
  assert.match(attached[0]!.document, /"lambda:InvokeFunction"/);
  assert.deepEqual(await store.inlinePolicies((await store.roleByName(ACCT, 'pathed'))!), [
    { name: 'invoke-all', document: allow('arn:aws:lambda:us-east-1:123456789012:function:*') },
    { name: 'invoke-one', document: allow('arn:aws:lambda:us-east-1:123456789012:function:one') },
  ]);
  assert.equal(
    await store.policyDefaultDocument(`arn:aws:iam::${ACCT}:policy/rds-lambda-policy`),
    allow(`arn:aws:lambda:us-east-1:${ACCT}:function:rds-lambda-policy`),
  );
  assert.equal(await store.policyDefaultDocument(`arn:aws:iam::${ACCT}:policy/none`), undefined);

  let changes = 0;
  store.onChange(() => changes++);
  const before = store.generation;
  await store.write((tx) => tx.roles.putInline(role, 'noted', allow('*')));
  assert.deepEqual([store.generation, changes], [before + 1, 1]);
  await assert.rejects(
    store.write(async () => {
      throw new Error('rolled back');
    }),
  );
  assert.deepEqual([store.generation, changes], [before + 1, 1], 'a failed write changes nothing');
  await store.write((tx) => tx.roles.deleteInline(role, 'noted'));
});

test('DeleteRole asks the registered checks (RDS: the role is associated with a DB cluster)', async () => {
  const store = new IamStore(db);
  const asked: string[] = [];
  store.addDeleteRoleCheck(async (role) => {
    asked.push(role.arn);
    return role.name === 'in-use' ? 'Cannot delete entity, the role is associated with DB cluster my-db-cluster.' : undefined;
  });
  const authenticator = new Authenticator(async (key) => rootKeySecret(key, 'test'), true);
  const endpoint = new AwsEndpoint({
    host: '127.0.0.1',
    port: 0,
    services: [iamService(store, undefined)],
    authenticator,
    logger: testLogger().logger,
  });
  const port = await endpoint.listen();
  const client = clientFor(`http://127.0.0.1:${port}`);
  try {
    await client.send(new CreateRoleCommand({ RoleName: 'in-use', AssumeRolePolicyDocument: TRUST }));
    await refused(
      client.send(new DeleteRoleCommand({ RoleName: 'in-use' })),
      'DeleteConflictException',
      409,
      'Cannot delete entity, the role is associated with DB cluster my-db-cluster.',
    );
    assert.deepEqual(asked, [`arn:aws:iam::${ACCT}:role/in-use`]);
    await client.send(new CreateRoleCommand({ RoleName: 'free', AssumeRolePolicyDocument: TRUST }));
    await client.send(new DeleteRoleCommand({ RoleName: 'free' }));
  } finally {
    client.destroy();
    await endpoint.close();
  }
});
