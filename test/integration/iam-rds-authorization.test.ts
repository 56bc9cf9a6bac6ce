/**
 * IAM's and RDS's own APIs authorize every action by who signed it, as the Lambda API does: the
 * account's root may do everything; a role session (every function process holds one) only what its
 * role's policies allow, on the role, policy or cluster the action names, whose tags count for
 * conditions. Without this a session could give its own role every permission. Switched off, anyone
 * may do anything.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddRoleToDBClusterCommand,
  CreateDBClusterCommand,
  DeleteDBClusterCommand,
  DescribeDBClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { accountRootArn } from '../../src/iam/store/model.js';
import { policyDocument } from '../../src/service/policy-documents.js';
import { EXPLICIT_DENY, notAuthorized, refused } from '../helpers/aws-assert.js';
import { ensureRole, TRUSTS_LAMBDA } from '../helpers/iam.js';
import { allows, roleSession, trustsAccount, type RoleSession } from '../helpers/role-session.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ACCT = '123456789012';
const EVERYTHING = allows('*', '*');
let svc: TestService;
const clients: Array<{ destroy(): void }> = [];

const config = (credentials: RoleSession['credentials'] | { accessKeyId: string; secretAccessKey: string }) => ({
  endpoint: svc.endpoint,
  region: 'us-west-2',
  credentials,
  maxAttempts: 1,
});
function iamAs(credentials: Parameters<typeof config>[0]): IAMClient {
  const c = new IAMClient(config(credentials));
  clients.push(c);
  return c;
}
function rdsAs(credentials: Parameters<typeof config>[0]): RDSClient {
  const c = new RDSClient(config(credentials));
  clients.push(c);
  return c;
}
const root = () => iamAs({ accessKeyId: ACCT, secretAccessKey: 'test' });
/** A cluster the account's root creates, with tags if given. */
const createCluster = (DBClusterIdentifier: string, Tags?: Array<{ Key: string; Value: string }>) =>
  rdsAs({ accessKeyId: ACCT, secretAccessKey: 'test' }).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier,
      Engine: 'aurora-postgresql',
      MasterUsername: 'postgres',
      MasterUserPassword: 'secret-password',
      Tags,
    }),
  );
before(async () => {
  svc = await startTestService({ grantAll: false, executionRole: false });
});
after(async () => {
  for (const c of clients) c.destroy();
  await svc.close();
});

test("a role session may not change IAM beyond its policies: not its own role's policies, not another role's trust", async () => {
  const s = await roleSession(svc.endpoint, 'app', allows('lambda:InvokeFunction', '*'));
  const iam = iamAs(s.credentials);
  await refused(
    iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'all', PolicyDocument: EVERYTHING })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:PutRolePolicy', 'role app'),
  );
  await refused(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app', PolicyDocument: EVERYTHING })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:UpdateAssumeRolePolicy', 'role app'),
  );
  await refused(
    iam.send(new ListRolesCommand({})),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:ListRoles', `arn:aws:iam::${ACCT}:role/`),
  );
  await refused(
    iam.send(new CreatePolicyCommand({ PolicyName: 'all', PolicyDocument: EVERYTHING })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:CreatePolicy', 'policy all'),
  );
  // Nothing changed.
  const kept = await root().send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'p' }));
  assert.equal(JSON.parse(decodeURIComponent(kept.PolicyDocument!)).Statement[0].Action, 'lambda:InvokeFunction');
  await refused(root().send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'all' })), 'NoSuchEntityException', 404, /all/);
});

test('a role session may do in IAM what its policies allow, on exactly the role they name', async () => {
  const s = await roleSession(svc.endpoint, 'admin-of-one', allows('iam:PutRolePolicy', `arn:aws:iam::${ACCT}:role/target`));
  await root().send(new PutRolePolicyCommand({ RoleName: 'admin-of-one', PolicyName: 'q', PolicyDocument: allows('iam:GetRole', '*') }));
  for (const name of ['target', 'other']) await ensureRole(svc.endpoint, name, trustsAccount(ACCT), ACCT);
  const iam = iamAs(s.credentials);
  await iam.send(new PutRolePolicyCommand({ RoleName: 'target', PolicyName: 'more', PolicyDocument: allows('lambda:ListFunctions', '*') }));
  await refused(
    iam.send(new PutRolePolicyCommand({ RoleName: 'other', PolicyName: 'more', PolicyDocument: EVERYTHING })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:PutRolePolicy', 'role other'),
  );
});

test('conditions on the policy a role session attaches apply (iam:PolicyARN)', async () => {
  const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const basic = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
  const policy = policyDocument(
    { Effect: 'Allow', Action: 'iam:AttachRolePolicy', Resource: `arn:aws:iam::${ACCT}:role/self-service` },
    { Effect: 'Deny', Action: 'iam:AttachRolePolicy', Resource: '*', Condition: { ArnEquals: { 'iam:PolicyARN': admin } } },
  );
  const s = await roleSession(svc.endpoint, 'self-service', policy);
  const iam = iamAs(s.credentials);
  await refused(
    iam.send(new AttachRolePolicyCommand({ RoleName: 'self-service', PolicyArn: admin })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:AttachRolePolicy', 'role self-service', EXPLICIT_DENY),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'self-service', PolicyArn: basic }));
});

test('creating a tagged role also needs iam:TagRole, and conditions on the request tags apply', async () => {
  const s = await roleSession(svc.endpoint, 'role-maker', allows('iam:CreateRole', `arn:aws:iam::${ACCT}:role/made-*`));
  const iam = iamAs(s.credentials);
  await iam.send(new CreateRoleCommand({ RoleName: 'made-plain', AssumeRolePolicyDocument: TRUSTS_LAMBDA }));
  const tagged = (RoleName: string, team: string) =>
    new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUSTS_LAMBDA, Tags: [{ Key: 'team', Value: team }] });
  await refused(iam.send(tagged('made-a', 'a')), 'AccessDenied', 403, notAuthorized(s.arn, 'iam:TagRole', 'role made-a'));
  const tagTeamA = policyDocument({
    Effect: 'Allow',
    Action: 'iam:TagRole',
    Resource: `arn:aws:iam::${ACCT}:role/made-*`,
    Condition: { StringEquals: { 'aws:RequestTag/team': 'a' } },
  });
  await root().send(new PutRolePolicyCommand({ RoleName: 'role-maker', PolicyName: 'tag', PolicyDocument: tagTeamA }));
  await iam.send(tagged('made-a', 'a'));
  await refused(iam.send(tagged('made-b', 'b')), 'AccessDenied', 403, notAuthorized(s.arn, 'iam:TagRole', 'role made-b'));
});

test('RDS: a role session may list clusters, or associate a role it may pass to RDS with one, only as its policies allow', async () => {
  await createCluster('db1');
  const cluster = `arn:aws:rds:us-west-2:${ACCT}:cluster:db1`;
  const s = await roleSession(svc.endpoint, 'dba', allows('rds:DescribeDBClusters', cluster));
  const rds = rdsAs(s.credentials);
  assert.equal((await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'db1' }))).DBClusters?.[0]?.DBClusterArn, cluster);
  await refused(
    rds.send(new DescribeDBClustersCommand({})),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'rds:DescribeDBClusters', `arn:aws:rds:us-west-2:${ACCT}:cluster:*`),
  );
  // By its ARN as by its identifier: a Deny on the cluster holds either way.
  const reader = await roleSession(
    svc.endpoint,
    'reader',
    policyDocument(
      { Effect: 'Allow', Action: 'rds:DescribeDBClusters', Resource: `arn:aws:rds:us-west-2:${ACCT}:cluster:*` },
      { Effect: 'Deny', Action: 'rds:DescribeDBClusters', Resource: cluster },
    ),
  );
  for (const DBClusterIdentifier of ['DB1', cluster.toUpperCase().replace('ARN:AWS:RDS', 'arn:aws:rds')]) {
    await refused(
      rdsAs(reader.credentials).send(new DescribeDBClustersCommand({ DBClusterIdentifier })),
      'AccessDenied',
      403,
      notAuthorized(reader.arn, 'rds:DescribeDBClusters', cluster, EXPLICIT_DENY),
    );
  }
  const associate = new AddRoleToDBClusterCommand({
    DBClusterIdentifier: 'db1',
    RoleArn: `arn:aws:iam::${ACCT}:role/dba`,
    FeatureName: 'Lambda',
  });
  await refused(rds.send(associate), 'AccessDenied', 403, notAuthorized(s.arn, 'rds:AddRoleToDBCluster', cluster));
  // Allowed on the cluster, it still needs to pass the role to RDS.
  const iam = root();
  await iam.send(
    new PutRolePolicyCommand({ RoleName: 'dba', PolicyName: 'associate', PolicyDocument: allows('rds:AddRoleToDBCluster', cluster) }),
  );
  await refused(rds.send(associate), 'AccessDenied', 403, notAuthorized(s.arn, 'iam:PassRole', `arn:aws:iam::${ACCT}:role/dba`));
  const passToRds = policyDocument({
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: `arn:aws:iam::${ACCT}:role/dba`,
    Condition: { StringEquals: { 'iam:PassedToService': 'rds.amazonaws.com' } },
  });
  await iam.send(new PutRolePolicyCommand({ RoleName: 'dba', PolicyName: 'pass', PolicyDocument: passToRds }));
  await rds.send(associate);
});

test('with IAM switched off (--no-enforce-iam), a session without permissions may change IAM', async () => {
  const open = await startTestService({ enforceIam: false, grantAll: false, executionRole: false });
  try {
    const s = await roleSession(
      open.endpoint,
      'nobody',
      allows('lambda:GetFunction', 'arn:aws:lambda:us-west-2:123456789012:function:none'),
    );
    const iam = new IAMClient({ endpoint: open.endpoint, region: 'us-west-2', credentials: s.credentials, maxAttempts: 1 });
    clients.push(iam);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'nobody', PolicyName: 'all', PolicyDocument: EVERYTHING }));
  } finally {
    await open.close();
  }
});

test("a role's and a cluster's tags are there for conditions: aws:ResourceTag, iam:ResourceTag, rds:cluster-tag", async () => {
  const onTag = (action: string, key: string, value: string) => ({
    Effect: 'Deny',
    Action: action,
    Resource: '*',
    Condition: { StringEquals: { [key]: value } },
  });
  const s = await roleSession(
    svc.endpoint,
    'tag-guarded',
    policyDocument(
      { Effect: 'Allow', Action: ['iam:GetRole', 'iam:DeleteRole', 'rds:DescribeDBClusters', 'rds:DeleteDBCluster'], Resource: '*' },
      onTag('iam:GetRole', 'aws:ResourceTag/guarded', 'yes'),
      onTag('iam:DeleteRole', 'iam:ResourceTag/guarded', 'yes'),
      onTag('rds:DescribeDBClusters', 'rds:cluster-tag/env', 'prod'),
      onTag('rds:DeleteDBCluster', 'aws:ResourceTag/env', 'prod'),
    ),
  );
  for (const [RoleName, Tags] of [
    ['guarded', [{ Key: 'guarded', Value: 'yes' }]],
    ['plain', []],
  ] as const) {
    await root().send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustsAccount(ACCT), Tags: [...Tags] }));
  }
  const iam = iamAs(s.credentials);
  await refused(
    iam.send(new GetRoleCommand({ RoleName: 'guarded' })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:GetRole', 'role guarded', EXPLICIT_DENY),
  );
  await refused(
    iam.send(new DeleteRoleCommand({ RoleName: 'guarded' })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:DeleteRole', 'role guarded', EXPLICIT_DENY),
  );
  assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'plain' }))).Role?.RoleName, 'plain');
  await iam.send(new DeleteRoleCommand({ RoleName: 'plain' }));

  for (const [id, env] of [
    ['tagged-prod', 'prod'],
    ['tagged-dev', 'dev'],
  ] as const) {
    await createCluster(id, [{ Key: 'env', Value: env }]);
  }
  const prod = `arn:aws:rds:us-west-2:${ACCT}:cluster:tagged-prod`;
  const rds = rdsAs(s.credentials);
  await refused(
    rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'tagged-prod' })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'rds:DescribeDBClusters', prod, EXPLICIT_DENY),
  );
  await refused(
    rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: prod, SkipFinalSnapshot: true })),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'rds:DeleteDBCluster', prod, EXPLICIT_DENY),
  );
  assert.equal((await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'tagged-dev' }))).DBClusters?.length, 1);
  await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'tagged-dev', SkipFinalSnapshot: true }));
});

test("a role's tags count where it is passed or assumed, and a cluster's where pglambda's routes act on it", async () => {
  const privileged = `arn:aws:iam::${ACCT}:role/privileged`;
  await root().send(
    new CreateRoleCommand({
      RoleName: 'privileged',
      AssumeRolePolicyDocument: policyDocument(
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: accountRootArn(ACCT) }, Action: 'sts:AssumeRole' },
      ),
      Tags: [{ Key: 'privileged', Value: 'true' }],
    }),
  );
  const s = await roleSession(
    svc.endpoint,
    'deployer-of-ordinary',
    policyDocument(
      { Effect: 'Allow', Action: ['lambda:CreateFunction', 'iam:PassRole', 'sts:AssumeRole', 'rds:*'], Resource: '*' },
      {
        Effect: 'Deny',
        Action: ['iam:PassRole', 'sts:AssumeRole'],
        Resource: '*',
        Condition: { StringEquals: { 'iam:ResourceTag/privileged': 'true' } },
      },
      { Effect: 'Deny', Action: 'rds:ModifyDBCluster', Resource: '*', Condition: { StringEquals: { 'rds:cluster-tag/env': 'prod' } } },
    ),
  );
  const config = { endpoint: svc.endpoint, region: 'us-west-2', credentials: s.credentials, maxAttempts: 1 };
  const lambda = new LambdaClient(config);
  const sts = new STSClient(config);
  clients.push(lambda, sts);

  await refused(
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'runs-privileged',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: privileged,
        Code: { ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => 1;' }) },
      }),
    ),
    'AccessDeniedException',
    403,
    notAuthorized(s.arn, 'iam:PassRole', privileged, EXPLICIT_DENY),
  );
  await refused(
    sts.send(new AssumeRoleCommand({ RoleArn: privileged, RoleSessionName: 'escalate' })),
    'AccessDenied',
    403,
    `User: ${s.arn} is not authorized to perform: sts:AssumeRole on resource: ${privileged}`,
  );

  await createCluster('prod-routes', [{ Key: 'env', Value: 'prod' }]);
  await refused(
    rdsAs(s.credentials).send(
      new AddRoleToDBClusterCommand({ DBClusterIdentifier: 'prod-routes', RoleArn: privileged, FeatureName: 'Lambda' }),
    ),
    'AccessDenied',
    403,
    notAuthorized(s.arn, 'iam:PassRole', privileged, EXPLICIT_DENY),
  );
  const login = await signedFetch(new URL(`${svc.endpoint}/_pglambda/clusters/prod-routes/bridge-login`), {
    service: 'pglambda',
    region: 'us-west-2',
    credentials: s.credentials,
    method: 'POST',
    body: '{}',
  });
  assert.equal(login.status, 403);
  assert.deepEqual(await login.json(), {
    message: notAuthorized(s.arn, 'rds:ModifyDBCluster', `arn:aws:rds:us-west-2:${ACCT}:cluster:prod-routes`, EXPLICIT_DENY),
  });
});
