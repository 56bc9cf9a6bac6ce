/**
 * The Aurora guide's role association through the real `aws` CLI, typed as the guide has it
 * (placeholders filled in): create the role with the guide's trust policy, associate it with the
 * start's my-db-cluster for Lambda, and see it described; errors as the CLI prints them. Also who
 * the CLI's keys are, and a role session through the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { aws, skipWithoutAwsCli } from '../helpers/aws-cli.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { REFERENCE_TRUST as TRUST } from '../fixtures/reference-iam.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/rds-lambda-role';

describe('RDS and STS through the aws CLI', { skip: skipWithoutAwsCli }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ grantAll: false, executionRole: false });
  });
  after(() => svc.close());

  test("the guide's create-role, add-role-to-db-cluster and describe-db-clusters", async () => {
    const role = await aws(svc.endpoint, ['iam', 'create-role', '--role-name', 'rds-lambda-role', '--assume-role-policy-document', TRUST]);
    assert.equal(role.code, 0, role.stderr);
    assert.equal(JSON.parse(role.stdout).Role.Arn, ROLE_ARN);

    const added = await aws(svc.endpoint, [
      'rds',
      'add-role-to-db-cluster',
      '--db-cluster-identifier',
      'my-db-cluster',
      '--feature-name',
      'Lambda',
      '--role-arn',
      ROLE_ARN,
      '--region',
      'us-west-2',
    ]);
    assert.deepEqual([added.code, added.stdout.trim()], [0, ''], added.stderr);

    const described = await aws(svc.endpoint, ['rds', 'describe-db-clusters', '--db-cluster-identifier', 'my-db-cluster']);
    assert.equal(described.code, 0, described.stderr);
    const [cluster, ...others] = JSON.parse(described.stdout).DBClusters;
    assert.equal(others.length, 0);
    assert.equal(cluster.DBClusterArn, 'arn:aws:rds:us-west-2:123456789012:cluster:my-db-cluster');
    assert.deepEqual(cluster.AssociatedRoles, [{ RoleArn: ROLE_ARN, Status: 'ACTIVE', FeatureName: 'Lambda' }]);
  });

  test('errors print as RDS errors do, with exit status 254', async () => {
    const again = await aws(svc.endpoint, [
      'rds',
      'add-role-to-db-cluster',
      '--db-cluster-identifier',
      'my-db-cluster',
      '--feature-name',
      'Lambda',
      '--role-arn',
      ROLE_ARN,
      '--region',
      'us-west-2',
    ]);
    assert.equal(again.code, 254);
    assert.equal(
      again.stderr.trim(),
      `An error occurred (DBClusterRoleAlreadyExists) when calling the AddRoleToDBCluster operation: Role ARN ${ROLE_ARN} is already associated with DB Cluster: my-db-cluster. Verify your role ARN and try again.`,
    );
    const missing = await aws(svc.endpoint, ['rds', 'describe-db-clusters', '--db-cluster-identifier', 'nope']);
    assert.equal(missing.code, 254);
    assert.equal(
      missing.stderr.trim(),
      'An error occurred (DBClusterNotFoundFault) when calling the DescribeDBClusters operation: DBCluster nope not found.',
    );
  });

  test('sts get-caller-identity and assume-role', async () => {
    const me = await aws(svc.endpoint, ['sts', 'get-caller-identity']);
    assert.equal(me.code, 0, me.stderr);
    assert.deepEqual(JSON.parse(me.stdout), { UserId: '123456789012', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:root' });

    // The guide's role trusts RDS, not the caller.
    const denied = await aws(svc.endpoint, ['sts', 'assume-role', '--role-arn', ROLE_ARN, '--role-session-name', 'me']);
    assert.equal(denied.code, 254);
    assert.equal(
      denied.stderr.trim(),
      `An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
    );

    const trustsAccount = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }],
    });
    await aws(svc.endpoint, ['iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trustsAccount]);
    const assumed = await aws(svc.endpoint, [
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::123456789012:role/cli-role',
      '--role-session-name',
      'me',
    ]);
    assert.equal(assumed.code, 0, assumed.stderr);
    const out = JSON.parse(assumed.stdout);
    assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::123456789012:assumed-role/cli-role/me');
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.match(out.Credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+00:00)$/);
  });
});
