/**
 * "Giving Aurora access to Lambda", end to end: the reference's four `aws` commands typed as the
 * reference has them (placeholders filled in), and from then on every `aws_lambda.invoke` is
 * allowed or refused by exactly what they set up, each change applying to the next call. The
 * changes after those four are made through the SDK: the aws CLI's own coverage of IAM, RDS and
 * Lambda is in iam-cli, rds-cli and aws-cli, and each of its runs costs a second of CPU.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AddPermissionCommand, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { AddRoleToDBClusterCommand, DescribeDBClustersCommand, RDSClient, RemoveRoleFromDBClusterCommand } from '@aws-sdk/client-rds';
import { aws, skipWithoutAwsCli } from '../helpers/aws-cli.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { connect, type Session } from '../helpers/sql-session.js';
import { until } from '../helpers/until.js';
import { REFERENCE_POLICY, REFERENCE_TRUST } from '../fixtures/reference-iam.js';

const ACCT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCT}:role/rds-lambda-role`;
const POLICY_ARN = `arn:aws:iam::${ACCT}:policy/rds-lambda-policy`;
const FN = `arn:aws:lambda:us-west-2:${ACCT}:function:example_function`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/rds-lambda-role/my-db-cluster`;

const INVOKE = `SELECT status_code, payload FROM aws_lambda.invoke('example_function', '{"n": 1}'::json)`;

const denied = (resource: string, why = 'because no identity-based policy allows the lambda:InvokeFunction action') => ({
  code: '58000',
  message: 'invoke API failed',
  detail: `AWS Lambda client returned 'User: ${SESSION} is not authorized to perform: lambda:InvokeFunction on resource: ${resource} ${why}'`,
});

describe("the reference's access setup, enforced", { skip: skipWithoutAwsCli }, () => {
  let svc: TestService;
  let sql: Session;
  let dir: string;
  let trace: string;
  let iam: IAMClient;
  let rds: RDSClient;
  const cli = async (...args: string[]) => {
    const r = await aws(svc.endpoint, args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout ? JSON.parse(r.stdout) : undefined;
  };
  const runs = async () => (await readFile(trace, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const allowed = async () => {
    const before = await runs();
    const r = await sql.query(INVOKE);
    assert.deepEqual(r.rows, [{ status_code: 200, payload: { ran: true } }]);
    assert.equal(await runs(), before + 1);
  };
  const refused = async (
    expected: ReturnType<typeof denied> | { code: string; message: string; detail: string; hint?: string },
    statement = INVOKE,
  ) => {
    const before = await runs();
    assert.deepEqual(await sql.error(statement), expected);
    assert.equal(await runs(), before, 'the function did not run');
    await sql.assertUsable();
  };

  before(async () => {
    svc = await startTestService({ grantAll: false });
    dir = await mkdtemp(join(tmpdir(), 'pglambda-enforce-'));
    trace = join(dir, 'runs');
    await svc.createFunction(
      'example_function',
      {
        'index.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async () => { appendFileSync(process.env.TRACE, 'ran\\n'); return { ran: true }; };`,
      },
      { Environment: { Variables: { TRACE: trace } }, Publish: true },
    );
    sql = await connect(svc.postgres.superuserUrl);
    const config = { endpoint: svc.endpoint, region: 'us-west-2', credentials: ROOT, maxAttempts: 1 };
    iam = new IAMClient(config);
    rds = new RDSClient(config);
  });
  after(async () => {
    await sql?.end();
    iam?.destroy();
    rds?.destroy();
    await svc?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the first three commands alone give the cluster nothing: no role is associated', async () => {
    const policy = await cli('iam', 'create-policy', '--policy-name', 'rds-lambda-policy', '--policy-document', REFERENCE_POLICY);
    assert.equal(policy.Policy.Arn, POLICY_ARN);
    const role = await cli('iam', 'create-role', '--role-name', 'rds-lambda-role', '--assume-role-policy-document', REFERENCE_TRUST);
    assert.equal(role.Role.Arn, ROLE_ARN);
    await cli('iam', 'attach-role-policy', '--policy-arn', POLICY_ARN, '--role-name', 'rds-lambda-role');
    await refused({
      code: '58000',
      message: 'invoke API failed',
      detail: "AWS Lambda client returned 'No IAM role is associated with DB cluster my-db-cluster for feature Lambda'",
      hint: 'Associate one: aws rds add-role-to-db-cluster --db-cluster-identifier my-db-cluster --feature-name Lambda --role-arn <role ARN>',
    });
  });

  test('with the fourth, add-role-to-db-cluster, the invoke runs', async () => {
    await cli(
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
    );
    await allowed();
    // An Event invocation is checked the same way, and runs once.
    const before = await runs();
    const event = await sql.query(`SELECT status_code FROM aws_lambda.invoke('example_function', '{}'::json, invocation_type => 'Event')`);
    assert.equal(event.rows[0].status_code, 202);
    await until('the Event to run', async () => (await runs()) > before);
    assert.equal(await runs(), before + 1);
  });

  test('DryRun is the access check alone: 204, or the denial, and nothing runs', async () => {
    const dry = `SELECT status_code, payload FROM aws_lambda.invoke('example_function', '{}'::json, invocation_type => 'DryRun')`;
    const before = await runs();
    assert.deepEqual((await sql.query(dry)).rows, [{ status_code: 204, payload: null }]);
    await refused(
      denied(`arn:aws:lambda:us-west-2:${ACCT}:function:my-function`),
      `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json, invocation_type => 'DryRun')`,
    );
    assert.equal(await runs(), before);
  });

  test('a qualified invoke needs a qualified resource: the reference policy covers only the unqualified ARN', async () => {
    const qualified = `SELECT status_code FROM aws_lambda.invoke('example_function', '{}'::json, qualifier => '1')`;
    await refused(denied(`${FN}:1`), qualified);
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'rds-lambda-role',
        PolicyName: 'versions',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `${FN}:*` }],
        }),
      }),
    );
    assert.equal((await sql.query(qualified)).rows[0].status_code, 200);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyName: 'versions' }));
    await refused(denied(`${FN}:1`), qualified);
  });

  test('a Deny statement refuses, whatever allows', async () => {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'rds-lambda-role',
        PolicyName: 'deny',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'lambda:*', Resource: '*' }] }),
      }),
    );
    await refused(denied(FN, 'with an explicit deny in an identity-based policy'));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyName: 'deny' }));
    await allowed();
  });

  test('detaching the policy refuses; attaching it again allows', async () => {
    await iam.send(new DetachRolePolicyCommand({ PolicyArn: POLICY_ARN, RoleName: 'rds-lambda-role' }));
    await refused(denied(FN));
    await iam.send(new AttachRolePolicyCommand({ PolicyArn: POLICY_ARN, RoleName: 'rds-lambda-role' }));
    await allowed();
  });

  test('a trust policy that no longer trusts rds.amazonaws.com refuses', async () => {
    const ec2 = REFERENCE_TRUST.replace('rds.amazonaws.com', 'ec2.amazonaws.com');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyDocument: ec2 }));
    const status = async () =>
      (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'my-db-cluster' }))).DBClusters![0]!.AssociatedRoles;
    assert.deepEqual(await status(), [{ RoleArn: ROLE_ARN, Status: 'INVALID', FeatureName: 'Lambda' }]);
    await refused({
      code: '58000',
      message: 'invoke API failed',
      detail: `AWS Lambda client returned 'User: rds.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}'`,
      hint: `The trust policy of ${ROLE_ARN} must allow rds.amazonaws.com to assume it.`,
    });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyDocument: REFERENCE_TRUST }));
    assert.deepEqual(await status(), [{ RoleArn: ROLE_ARN, Status: 'ACTIVE', FeatureName: 'Lambda' }]);
    await allowed();
  });

  test('a trust policy may insist on the cluster as aws:SourceArn and its account as aws:SourceAccount', async () => {
    const guarded = (cluster: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rds.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCT },
              ArnLike: { 'aws:SourceArn': `arn:aws:rds:us-west-2:${ACCT}:cluster:${cluster}` },
            },
          },
        ],
      });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyDocument: guarded('other-cluster') }));
    assert.equal(
      (await sql.error(INVOKE)).detail,
      `AWS Lambda client returned 'User: rds.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}'`,
    );
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyDocument: guarded('my-db-cluster') }));
    await allowed();
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-lambda-role', PolicyDocument: REFERENCE_TRUST }));
  });

  test('removing the association refuses again', async () => {
    const association = { DBClusterIdentifier: 'my-db-cluster', FeatureName: 'Lambda', RoleArn: ROLE_ARN };
    await rds.send(new RemoveRoleFromDBClusterCommand(association));
    assert.match((await sql.error(INVOKE)).detail!, /No IAM role is associated with DB cluster my-db-cluster/);
    await rds.send(new AddRoleToDBClusterCommand(association));
    await allowed();
  });

  test('access granted only by the function resource policy works', async () => {
    await iam.send(new DetachRolePolicyCommand({ PolicyArn: POLICY_ARN, RoleName: 'rds-lambda-role' }));
    await refused(denied(FN));
    await svc.client.send(
      new AddPermissionCommand({
        FunctionName: 'example_function',
        StatementId: 'aurora',
        Action: 'lambda:InvokeFunction',
        Principal: ROLE_ARN,
      }),
    );
    await allowed();
    // The function's policy covers the function, not its versions.
    await refused(denied(`${FN}:1`), `SELECT status_code FROM aws_lambda.invoke('example_function', '{}'::json, qualifier => '1')`);
    await svc.client.send(new RemovePermissionCommand({ FunctionName: 'example_function', StatementId: 'aurora' }));
    await refused(denied(FN));
  });
});
