/**
 * Least privilege from the first start: the starter role lets my-db-cluster invoke my-function
 * (any version or alias) and nothing else, by IAM as a user would set it up; without examples no
 * role is associated and it may invoke nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { AddRoleToDBClusterCommand, DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { ensureRole, TRUSTS_RDS } from '../helpers/iam.js';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { WARN } from '../helpers/logger.js';
import { startTestService, type TestService } from '../helpers/service.js';

const denied = (resource: string) =>
  `ERROR:  invoke API failed\nDETAIL:  AWS Lambda client returned 'User: arn:aws:sts::123456789012:assumed-role/pglambda-starter/my-db-cluster is not authorized to perform: lambda:InvokeFunction on resource: ${resource} because no identity-based policy allows the lambda:InvokeFunction action'\n`;

describe('the starter role', { skip: skipWithoutPsql }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ examples: true, grantAll: false });
    await svc.createFunction('other', { 'index.mjs': 'export const handler = async () => "ran";' });
  });
  after(() => svc.close());

  test('covers my-function and its versions and aliases, and nothing else', { timeout: 30_000 }, async () => {
    const r = await psql(
      svc.postgres.superuserUrl,
      String.raw`
SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT status_code, executed_version FROM aws_lambda.invoke('my-function:custom_version', '{}'::json);
SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{}'::json, qualifier => '1');
SELECT status_code FROM aws_lambda.invoke('other', '{}'::json);
SELECT status_code FROM aws_lambda.invoke('other', '{}'::json, qualifier => '$LATEST');
\echo still usable`,
    );
    assert.equal(r.stdout, '200|$LATEST\n200|1\n200|1\nstill usable\n');
    assert.equal(
      r.stderr.replace(/CONTEXT: .*\n(SQL function .*\n)?/g, ''),
      denied('arn:aws:lambda:us-west-2:123456789012:function:other') +
        denied('arn:aws:lambda:us-west-2:123456789012:function:other:$LATEST'),
    );
  });

  test('is plain IAM and RDS: a role trusting RDS, a policy attached, the role added to my-db-cluster', async () => {
    const config = { endpoint: svc.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const iam = new IAMClient(config);
    const rds = new RDSClient(config);
    try {
      const role = (await iam.send(new GetRoleCommand({ RoleName: 'pglambda-starter' }))).Role!;
      assert.deepEqual(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement, [
        { Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'pglambda-starter' }))).AttachedPolicies!;
      assert.deepEqual(
        attached.map((p) => p.PolicyName),
        ['pglambda-starter-my-function'],
      );
      const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: attached[0]!.PolicyArn, VersionId: 'v1' }))).PolicyVersion!;
      const fn = 'arn:aws:lambda:us-west-2:123456789012:function:my-function';
      assert.deepEqual(JSON.parse(decodeURIComponent(version.Document!)).Statement, [
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn, `${fn}:*`] },
      ]);
      const [cluster] = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'my-db-cluster' }))).DBClusters!;
      assert.deepEqual(cluster!.AssociatedRoles, [{ RoleArn: role.Arn, FeatureName: 'Lambda', Status: 'ACTIVE' }]);
    } finally {
      iam.destroy();
      rds.destroy();
    }
  });
});

describe('a --no-examples start on a data dir an earlier start filled', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ examples: true, grantAll: false });
  });
  after(() => svc.close());

  test('says the starter role is still there, and how to start clean', { timeout: 60_000 }, async () => {
    svc = await svc.restart({ examples: false });
    const [said] = svc.log.saying('my-db-cluster still has the starter role pglambda-starter from an earlier start');
    assert.ok(said, svc.log.lines.map((l) => l.msg).join('\n'));
    assert.equal(said.level, WARN);
    assert.match(
      said.msg,
      new RegExp(
        `To start clean, stop pglambda and delete ${svc.dataDir}, or pass another --data-dir; or remove the role: ` +
          'aws rds remove-role-from-db-cluster --db-cluster-identifier my-db-cluster --feature-name Lambda --role-arn arn:aws:iam::123456789012:role/pglambda-starter$',
      ),
    );
  });
});

describe('without examples', { skip: skipWithoutPsql }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ examples: false, grantAll: false });
    await svc.createFunction('my-function', { 'index.mjs': 'export const handler = async () => "ran";' });
  });
  after(() => svc.close());

  test('my-db-cluster may invoke nothing until access is given', { timeout: 30_000 }, async () => {
    const r = await psql(svc.postgres.superuserUrl, `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json);`);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /DETAIL:  AWS Lambda client returned 'No IAM role is associated with DB cluster my-db-cluster for feature Lambda'/,
    );
  });

  test('a later start with examples leaves the access the user set up', { timeout: 60_000 }, async () => {
    const roleArn = await ensureRole(svc.endpoint, 'rds-lambda-role', TRUSTS_RDS);
    const config = { endpoint: svc.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const rds = new RDSClient(config);
    await rds.send(new AddRoleToDBClusterCommand({ DBClusterIdentifier: 'my-db-cluster', RoleArn: roleArn, FeatureName: 'Lambda' }));
    rds.destroy();
    svc = await svc.restart({ examples: true });
    const after = { ...config, endpoint: svc.endpoint };
    const rdsAfter = new RDSClient(after);
    const iam = new IAMClient(after);
    try {
      const [cluster] = (await rdsAfter.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'my-db-cluster' }))).DBClusters!;
      assert.deepEqual(cluster!.AssociatedRoles, [{ RoleArn: roleArn, FeatureName: 'Lambda', Status: 'ACTIVE' }]);
      await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'pglambda-starter' })), { name: 'NoSuchEntityException' });
    } finally {
      rdsAfter.destroy();
      iam.destroy();
    }
  });
});
