/**
 * RDS through the official SDK: the cluster the start registers, CreateDBCluster,
 * DescribeDBClusters and DeleteDBCluster per account and region, AddRoleToDBCluster and
 * RemoveRoleFromDBCluster with their errors and quota; what the bridge asks (roleForFeature); and
 * IAM's DeleteRole refusing a role still associated with a cluster; pglambda's bridge-login routes
 * authorized as rds:ModifyDBCluster.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddRoleToDBClusterCommand,
  CreateDBClusterCommand,
  DeleteDBClusterCommand,
  DescribeDBClustersCommand,
  RDSClient,
  RemoveRoleFromDBClusterCommand,
  type CreateDBClusterCommandInput,
} from '@aws-sdk/client-rds';
import pg from 'pg';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { ClusterStore } from '../../src/rds/store/cluster-store.js';
import { notAuthorized, refused } from '../helpers/aws-assert.js';
import { allows, EXPIRED_TOKEN, insertExpiredSession, roleSession } from '../helpers/role-session.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ACCT = '123456789012';
let svc: TestService;
let db: pg.Pool;
let iam: IAMClient;
let rds: RDSClient;
const clients: Array<{ destroy(): void }> = [];

function rdsFor(region = 'us-west-2', accessKeyId = 'test', sessionToken?: string): RDSClient {
  const client = new RDSClient({
    endpoint: svc.endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey: 'test', sessionToken },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

before(async () => {
  svc = await startTestService({ grantAll: false, executionRole: false });
  // end() resolves before its connections are gone, and the service's stop then cuts them: no trouble.
  db = new pg.Pool({ connectionString: svc.postgres.url }).on('error', () => undefined);
  iam = new IAMClient({
    endpoint: svc.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  clients.push(iam);
  rds = rdsFor();
});
after(async () => {
  for (const c of clients) c.destroy();
  await db.end();
  await svc.close();
});

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const createRole = async (name: string) =>
  (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
const describe = async (id?: string, client = rds) =>
  (await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters!;
const create = (id: string, extra: Partial<CreateDBClusterCommandInput> = {}, client = rds) =>
  client.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: 'postgres',
      MasterUserPassword: 'secret-password',
      ...extra,
    }),
  );
/** `null` leaves FeatureName out. */
const addRole = (id: string, roleArn: string, feature: string | null = 'Lambda') =>
  rds.send(new AddRoleToDBClusterCommand({ DBClusterIdentifier: id, RoleArn: roleArn, FeatureName: feature ?? undefined }));
const removeRole = (id: string, roleArn: string, feature?: string) =>
  rds.send(new RemoveRoleFromDBClusterCommand({ DBClusterIdentifier: id, RoleArn: roleArn, FeatureName: feature }));

test('the cluster the start registers is an available aurora-postgresql cluster in us-west-2', async () => {
  const [c, ...rest] = await describe('my-db-cluster');
  assert.equal(rest.length, 0);
  assert.equal(c!.DBClusterIdentifier, 'my-db-cluster');
  assert.equal(c!.DBClusterArn, `arn:aws:rds:us-west-2:${ACCT}:cluster:my-db-cluster`);
  assert.deepEqual([c!.Engine, c!.Status, c!.EngineMode], ['aurora-postgresql', 'available', 'provisioned']);
  assert.deepEqual(c!.AssociatedRoles, []);
  assert.match(c!.DbClusterResourceId!, /^cluster-[A-Z0-9]{26}$/);
  assert.ok(c!.ClusterCreateTime instanceof Date);
  // By ARN, and without regard to case, as RDS looks identifiers up.
  assert.equal((await describe(c!.DBClusterArn))[0]!.DBClusterIdentifier, 'my-db-cluster');
  assert.equal((await describe('My-DB-Cluster'))[0]!.DBClusterIdentifier, 'my-db-cluster');
  assert.ok((await describe()).some((x) => x.DBClusterIdentifier === 'my-db-cluster'));
});

test('clusters belong to an account and a region', async () => {
  await refused(describe('my-db-cluster', rdsFor('us-east-1')), 'DBClusterNotFoundFault', 404, 'DBCluster my-db-cluster not found.');
  assert.deepEqual(await describe(undefined, rdsFor('us-west-2', '111122223333')), []);
  await refused(describe('nope'), 'DBClusterNotFoundFault', 404, 'DBCluster nope not found.');
});

test('CreateDBCluster records the cluster in the signed region and answers the DBCluster', async () => {
  const out = (await create('Created-One', { EngineVersion: '16.6', Tags: [{ Key: 'team', Value: 'db' }] })).DBCluster!;
  assert.equal(out.DBClusterIdentifier, 'created-one');
  assert.equal(out.DBClusterArn, `arn:aws:rds:us-west-2:${ACCT}:cluster:created-one`);
  assert.deepEqual([out.Status, out.Engine, out.EngineVersion, out.MasterUsername], ['available', 'aurora-postgresql', '16.6', 'postgres']);
  assert.deepEqual(out.AssociatedRoles, []);
  assert.deepEqual(out.TagList, [{ Key: 'team', Value: 'db' }]);
  assert.deepEqual(await describe('created-one'), [out]);
  const east = rdsFor('us-east-1');
  await create('created-one', {}, east);
  assert.equal((await describe('created-one', east))[0]!.DBClusterArn, `arn:aws:rds:us-east-1:${ACCT}:cluster:created-one`);
  await refused(create('CREATED-ONE'), 'DBClusterAlreadyExistsFault', 400, 'DB Cluster already exists');
});

test('CreateDBCluster refuses what RDS refuses, and engines other than aurora-postgresql', async () => {
  await refused(
    create('bad--name'),
    'InvalidParameterValue',
    400,
    'The parameter DBClusterIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.',
  );
  await refused(create('1st'), 'InvalidParameterValue', 400, /is not a valid identifier/);
  await refused(create('ends-'), 'InvalidParameterValue', 400, /is not a valid identifier/);
  await refused(
    create('mysql-one', { Engine: 'aurora-mysql' }),
    'InvalidParameterValue',
    400,
    'pglambda supports only the aurora-postgresql engine, not aurora-mysql.',
  );
  await refused(
    create('no-user', { MasterUsername: undefined }),
    'InvalidParameterValue',
    400,
    'The parameter MasterUsername must be provided and must not be blank.',
  );
  await refused(
    create('no-password', { MasterUserPassword: undefined }),
    'InvalidParameterValue',
    400,
    'The parameter MasterUserPassword must be provided and must not be blank.',
  );
  await refused(
    create('short-password', { MasterUserPassword: 'short' }),
    'InvalidParameterValue',
    400,
    'The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.',
  );
  await create('managed-password', { MasterUserPassword: undefined, ManageMasterUserPassword: true });
  await refused(
    rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'no-engine' } as CreateDBClusterCommandInput)),
    'MissingParameter',
    400,
    'The request must contain the parameter Engine',
  );
});

test('DescribeDBClusters filters and pages', async () => {
  for (const id of ['page-a', 'page-b', 'page-c']) await create(id);
  const byFilter = await rds.send(
    new DescribeDBClustersCommand({
      Filters: [{ Name: 'db-cluster-id', Values: ['page-a', `arn:aws:rds:us-west-2:${ACCT}:cluster:page-c`] }],
    }),
  );
  assert.deepEqual(
    byFilter.DBClusters!.map((c) => c.DBClusterIdentifier),
    ['page-a', 'page-c'],
  );
  const engine = await rds.send(new DescribeDBClustersCommand({ Filters: [{ Name: 'engine', Values: ['aurora-mysql'] }] }));
  assert.deepEqual(engine.DBClusters, []);
  await refused(
    rds.send(new DescribeDBClustersCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })),
    'InvalidParameterValue',
    400,
    'Unrecognized filter name: bogus',
  );

  const all = (await describe()).map((c) => c.DBClusterIdentifier);
  const seen: string[] = [];
  let marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBClustersCommand({ MaxRecords: 20, Marker: marker }));
    seen.push(...page.DBClusters!.map((c) => c.DBClusterIdentifier!));
    marker = page.Marker;
  } while (marker);
  assert.deepEqual(seen, all);
  await refused(
    rds.send(new DescribeDBClustersCommand({ MaxRecords: 5 })),
    'InvalidParameterValue',
    400,
    'Invalid value 5 for MaxRecords. Must be between 20 and 100.',
  );
});

test('DeleteDBCluster: SkipFinalSnapshot as RDS requires it; a cluster with an installed database stays', async () => {
  await create('doomed');
  const del = (input: { SkipFinalSnapshot?: boolean; FinalDBSnapshotIdentifier?: string }, id = 'doomed') =>
    rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, ...input }));
  await refused(
    del({}),
    'InvalidParameterCombination',
    400,
    'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.',
  );
  await refused(
    del({ SkipFinalSnapshot: true, FinalDBSnapshotIdentifier: 'final' }),
    'InvalidParameterCombination',
    400,
    'You cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot',
  );
  await refused(
    del({ FinalDBSnapshotIdentifier: 'final' }),
    'InvalidParameterValue',
    400,
    'pglambda keeps no DB cluster snapshots: delete the cluster with SkipFinalSnapshot.',
  );
  const out = (await del({ SkipFinalSnapshot: true })).DBCluster!;
  assert.deepEqual([out.DBClusterIdentifier, out.Status], ['doomed', 'deleting']);
  await refused(describe('doomed'), 'DBClusterNotFoundFault', 404, 'DBCluster doomed not found.');
  await refused(del({ SkipFinalSnapshot: true }), 'DBClusterNotFoundFault', 404, 'DBCluster doomed not found.');
  await refused(
    del({ SkipFinalSnapshot: true }, 'my-db-cluster'),
    'InvalidDBClusterStateFault',
    400,
    'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
  );
});

test('AddRoleToDBCluster associates an existing role ACTIVE for a feature; RemoveRoleFromDBCluster takes it away', async () => {
  const role = await createRole('rds-lambda-role');
  await addRole('my-db-cluster', role);
  assert.deepEqual((await describe('my-db-cluster'))[0]!.AssociatedRoles, [{ RoleArn: role, Status: 'ACTIVE', FeatureName: 'Lambda' }]);
  const store = new ClusterStore(db);
  assert.equal(await store.roleForFeature(ACCT, 'us-west-2', 'MY-DB-CLUSTER', 'Lambda'), role);
  assert.equal(await store.roleForFeature(ACCT, 'us-east-1', 'my-db-cluster', 'Lambda'), undefined);
  assert.equal(await store.roleForFeature(ACCT, 'us-west-2', 'my-db-cluster', 's3Import'), undefined);

  await refused(
    addRole('my-db-cluster', role),
    'DBClusterRoleAlreadyExistsFault',
    400,
    `Role ARN ${role} is already associated with DB Cluster: my-db-cluster. Verify your role ARN and try again.`,
  );
  await refused(
    addRole('my-db-cluster', role, 's3Import'),
    'DBClusterRoleAlreadyExistsFault',
    400,
    /is already associated with DB Cluster: my-db-cluster/,
  );
  const second = await createRole('second-lambda-role');
  await refused(
    addRole('my-db-cluster', second),
    'DBClusterRoleAlreadyExistsFault',
    400,
    'A role is already associated with DB Cluster: my-db-cluster for feature Lambda. Remove it first, or verify your feature name and try again.',
  );

  await refused(
    removeRole('my-db-cluster', role, 's3Import'),
    'DBClusterRoleNotFoundFault',
    404,
    `Role ARN ${role} cannot be found for DB Cluster: my-db-cluster. Verify your role ARN and try again.`,
  );
  await removeRole('my-db-cluster', role);
  assert.deepEqual((await describe('my-db-cluster'))[0]!.AssociatedRoles, []);
  assert.equal(await store.roleForFeature(ACCT, 'us-west-2', 'my-db-cluster', 'Lambda'), undefined);
  await refused(removeRole('my-db-cluster', role), 'DBClusterRoleNotFoundFault', 404, /cannot be found for DB Cluster: my-db-cluster/);
  await refused(removeRole('nope', role), 'DBClusterNotFoundFault', 404, 'DBCluster nope not found.');
});

test('AddRoleToDBCluster refuses what RDS refuses', async () => {
  const role = await createRole('refusals-role');
  await refused(addRole('nope', role), 'DBClusterNotFoundFault', 404, 'DBCluster nope not found.');
  await refused(
    addRole('my-db-cluster', role, null),
    'InvalidParameterValue',
    400,
    'The feature-name parameter must be provided with the current operation for the Aurora (PostgreSQL) engine.',
  );
  await refused(
    addRole('my-db-cluster', role, 'Telepathy'),
    'InvalidParameterValue',
    400,
    'The feature-name parameter value Telepathy is not supported for the Aurora (PostgreSQL) engine.',
  );
  const missing = `arn:aws:iam::${ACCT}:role/no-such-role`;
  await refused(
    addRole('my-db-cluster', missing),
    'InvalidParameterValue',
    400,
    'IAM role ARN value is invalid or does not include the required permissions for: Lambda',
  );
  await refused(
    addRole('my-db-cluster', 'arn:aws:iam::123456789012:user/someone'),
    'ValidationError',
    400,
    /at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
});

test('at most five roles per cluster', async () => {
  await create('busy');
  const features = ['Lambda', 's3Import', 's3Export', 'SageMaker', 'Comprehend'];
  for (const [i, f] of features.entries()) await addRole('busy', await createRole(`busy-${i}`), f);
  await refused(
    addRole('busy', await createRole('busy-5'), 'Bedrock'),
    'DBClusterRoleQuotaExceededFault',
    400,
    'You have reached the maximum of 5 IAM roles associated with DB Cluster: busy.',
  );
  assert.equal((await describe('busy'))[0]!.AssociatedRoles!.length, 5);
});

test("IAM's DeleteRole refuses a role associated with a cluster, until the association or the cluster is gone", async () => {
  const role = await createRole('guarded-role');
  await create('guarded');
  await addRole('guarded', role);
  await refused(
    iam.send(new DeleteRoleCommand({ RoleName: 'guarded-role' })),
    'DeleteConflictException',
    409,
    'Cannot delete entity, must remove role from DB cluster guarded first.',
  );
  await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'guarded', SkipFinalSnapshot: true }));
  await iam.send(new DeleteRoleCommand({ RoleName: 'guarded-role' }));
});

test('a request signed with an expired session is refused with ExpiredToken', async () => {
  await insertExpiredSession(db, {
    accessKeyId: 'ASIARDSEXPIRED000000',
    sessionToken: 'token',
    accountId: ACCT,
    roleArn: `arn:aws:iam::${ACCT}:role/whatever`,
  });
  await refused(describe(undefined, rdsFor('us-west-2', 'ASIARDSEXPIRED000000', 'token')), 'ExpiredToken', 403, EXPIRED_TOKEN);
});

test('a role session issues and retires bridge logins only when allowed rds:ModifyDBCluster on the cluster; root always may', async () => {
  const cluster = `arn:aws:rds:us-west-2:${ACCT}:cluster:login-test`;
  const sessionOf = (name: string, allowed: string) =>
    roleSession(svc.endpoint, name, allows(allowed, cluster), { account: ACCT, sessionName: 'cli' });
  const routes = `${svc.endpoint}/_pglambda/clusters/login-test`;
  const sign = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({
    service: 'pglambda',
    region: 'us-west-2',
    credentials,
  });
  const issue = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, body = {}) =>
    signedFetch(new URL(`${routes}/bridge-login`), { ...sign(credentials), method: 'POST', body: JSON.stringify(body) });

  const root = await issue({ accessKeyId: 'test', secretAccessKey: 'test' });
  assert.equal(root.status, 200, await root.clone().text());
  const { login } = await root.json();

  const bystander = await sessionOf('cluster-bystander', 'rds:DescribeDBClusters');
  for (const r of [
    await issue(bystander.credentials),
    await signedFetch(new URL(`${routes}/bridge-logins/${login}`), { ...sign(bystander.credentials), method: 'DELETE' }),
  ]) {
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    assert.deepEqual(await r.json(), { message: notAuthorized(bystander.arn, 'rds:ModifyDBCluster', cluster) });
  }

  const { credentials: operator, arn: operatorArn } = await sessionOf('cluster-operator', 'rds:ModifyDBCluster');
  const issued = await issue(operator);
  assert.equal(issued.status, 200, await issued.clone().text());
  const retired = await signedFetch(new URL(`${routes}/bridge-logins/${login}`), { ...sign(operator), method: 'DELETE' });
  assert.deepEqual(await retired.json(), { Login: login, Retired: true });

  // The identifier is the cluster's whatever its case, as RDS has it.
  const upper = await signedFetch(new URL(`${svc.endpoint}/_pglambda/clusters/LOGIN-TEST/bridge-login`), {
    ...sign(operator),
    method: 'POST',
    body: '{}',
  });
  assert.equal(upper.status, 200, await upper.clone().text());
  assert.equal((await upper.json()).identifier, 'login-test');

  // Binding the cluster to an AWS role passes that role to RDS: the operator may not without iam:PassRole on it.
  const awsRole = 'arn:aws:iam::999999999999:role/aurora-lambda';
  const bind = await issue(operator, { AwsRoleArn: awsRole, ExternalId: 'ext-1' });
  assert.equal(bind.status, 403);
  assert.deepEqual(await bind.json(), { message: notAuthorized(operatorArn, 'iam:PassRole', awsRole) });
  // A Region that is not a Region name (one with a ':' would make the cluster's ARN another's) is refused.
  const odd = await issue({ accessKeyId: 'test', secretAccessKey: 'test' }, { Region: 'us-west-2:123456789012:cluster:other' });
  assert.equal(odd.status, 400);
  assert.match((await odd.json()).message, /^Region must be a Region name/);
});
