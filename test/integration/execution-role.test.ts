/**
 * A function's execution role, as Lambda uses it: CreateFunction and UpdateFunctionConfiguration
 * take only a role that lambda.amazonaws.com may assume, and the function's processes run with that
 * role's session credentials, so the function is `assumed-role/ROLE/FUNCTION` to every service it
 * calls. Switched off (--no-enforce-iam), any well-formed role ARN is taken.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { refused } from '../helpers/aws-assert.js';
import { TRUSTS_LAMBDA, TRUSTS_RDS } from '../helpers/iam.js';
import { parsed, ROLE, startTestService, type TestService } from '../helpers/service.js';

const ACCT = '123456789012';
const CANNOT_ASSUME = 'The role defined for the function cannot be assumed by Lambda.';
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;

/** The function hands back the credentials its process was started with. */
const SHOW_CREDENTIALS = {
  'index.mjs': `export const handler = async () => ({
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? null,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? null,
    sessionToken: process.env.AWS_SESSION_TOKEN ?? null,
  });`,
};

interface Shown {
  accessKeyId: string | null;
  secretAccessKey: string | null;
  sessionToken: string | null;
}

const iamOf = (svc: TestService) =>
  new IAMClient({
    endpoint: svc.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: ACCT, secretAccessKey: 'test' },
    maxAttempts: 1,
  });

async function credentialsOf(svc: TestService, fn: string): Promise<Shown> {
  const r = await svc.client.send(new InvokeCommand({ FunctionName: fn }));
  assert.equal(r.FunctionError, undefined);
  return parsed(r.Payload) as Shown;
}

/** Who the function's credentials are, asked of pglambda's STS as the function's own SDK would. */
async function whoIs(svc: TestService, c: Shown) {
  const sts = new STSClient({
    endpoint: svc.endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: c.accessKeyId!, secretAccessKey: c.secretAccessKey!, sessionToken: c.sessionToken! },
    maxAttempts: 1,
  });
  try {
    return await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

async function create(svc: TestService, name: string, role: string) {
  return svc.client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: role,
      Code: { ZipFile: await zipFiles(SHOW_CREDENTIALS) },
    }),
  );
}

describe('with IAM enforced', () => {
  let svc: TestService;
  let iam: IAMClient;
  before(async () => {
    svc = await startTestService({ grantAll: false });
    iam = iamOf(svc);
    for (const [name, trust] of [
      ['rds-only', TRUSTS_RDS],
      ['first', TRUSTS_LAMBDA],
      ['second', TRUSTS_LAMBDA],
      ['fragile', TRUSTS_LAMBDA],
    ]) {
      await iam.send(new CreateRoleCommand({ RoleName: name!, AssumeRolePolicyDocument: trust! }));
    }
  });
  after(async () => {
    iam.destroy();
    await svc.close();
  });

  test('CreateFunction refuses a role that does not exist, or that does not trust Lambda', async () => {
    await refused(create(svc, 'nope', roleArn('no-such-role')), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
    await refused(create(svc, 'nope', roleArn('rds-only')), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
    // The ARN's form is checked before the role is looked for.
    await refused(
      create(svc, 'nope', 'not-an-arn'),
      'ValidationException',
      400,
      /Value 'not-an-arn' at 'role' failed to satisfy constraint/,
    );
  });

  test('a trust policy fixed to allow Lambda makes the role usable', async () => {
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-only', PolicyDocument: TRUSTS_LAMBDA }));
    const created = await create(svc, 'fixed', roleArn('rds-only'));
    assert.equal(created.Role, roleArn('rds-only'));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'rds-only', PolicyDocument: TRUSTS_RDS }));
  });

  test('a trust policy limited by aws:SourceArn lets only that function use the role', async () => {
    const scoped = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:lambda:us-west-2:${ACCT}:function:chosen` },
            StringEquals: { 'aws:SourceAccount': ACCT },
          },
        },
      ],
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'scoped', AssumeRolePolicyDocument: scoped }));
    await create(svc, 'chosen', roleArn('scoped'));
    await refused(create(svc, 'other', roleArn('scoped')), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
  });

  test('UpdateFunctionConfiguration refuses the same roles and keeps the one the function had', async () => {
    await create(svc, 'updated', ROLE);
    const update = (role: string) => svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'updated', Role: role }));
    await refused(update(roleArn('no-such-role')), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
    await refused(update(roleArn('rds-only')), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
    assert.equal((await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'updated' }))).Role, ROLE);
    assert.equal((await update(roleArn('first'))).Role, roleArn('first'));
  });

  test("the function runs with its role's session: ASIA keys that are assumed-role/ROLE/FUNCTION", async () => {
    await create(svc, 'whoami', ROLE);
    const c = await credentialsOf(svc, 'whoami');
    assert.match(c.accessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.secretAccessKey!.length, 40);
    assert.ok(c.sessionToken);
    const id = await whoIs(svc, c);
    assert.equal(id.Arn, `arn:aws:sts::${ACCT}:assumed-role/test-role/whoami`);
    assert.equal(id.Account, ACCT);
    assert.match(id.UserId!, /^AROA[A-Z0-9]+:whoami$/);
    // A warm environment keeps the credentials it was started with.
    assert.equal((await credentialsOf(svc, 'whoami')).accessKeyId, c.accessKeyId);
  });

  test("changing the function's role starts new environments with the new role's credentials", async () => {
    await create(svc, 'switch', roleArn('first'));
    const before = await credentialsOf(svc, 'switch');
    assert.equal((await whoIs(svc, before)).Arn, `arn:aws:sts::${ACCT}:assumed-role/first/switch`);
    await svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'switch', Role: roleArn('second') }));
    const after = await credentialsOf(svc, 'switch');
    assert.notEqual(after.accessKeyId, before.accessKeyId);
    assert.equal((await whoIs(svc, after)).Arn, `arn:aws:sts::${ACCT}:assumed-role/second/switch`);
  });

  test("a role that stops trusting Lambda, or is deleted, fails the next new environment's invoke", async () => {
    await create(svc, 'orphan', roleArn('fragile'));
    await credentialsOf(svc, 'orphan');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'fragile', PolicyDocument: TRUSTS_RDS }));
    // The running environment keeps its session; a configuration change needs a new one.
    await credentialsOf(svc, 'orphan');
    await svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orphan', Description: 'new environment' }));
    const invoke = () => svc.client.send(new InvokeCommand({ FunctionName: 'orphan' }));
    await refused(invoke(), 'AccessDeniedException', 403, CANNOT_ASSUME);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'fragile', PolicyDocument: TRUSTS_LAMBDA }));
    assert.equal((await whoIs(svc, await credentialsOf(svc, 'orphan'))).Arn, `arn:aws:sts::${ACCT}:assumed-role/fragile/orphan`);
    await iam.send(new DeleteRoleCommand({ RoleName: 'fragile' }));
    await svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orphan', Description: 'after the role went' }));
    await refused(invoke(), 'AccessDeniedException', 403, CANNOT_ASSUME);
  });
});

describe('with enforcement switched off', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ enforceIam: false, grantAll: false });
  });
  after(() => svc.close());

  test('a role that does not exist is accepted, and the function gets no credentials', async () => {
    const created = await create(svc, 'roleless', roleArn('no-such-role'));
    assert.equal(created.Role, roleArn('no-such-role'));
    assert.deepEqual(await credentialsOf(svc, 'roleless'), { accessKeyId: null, secretAccessKey: null, sessionToken: null });
  });

  test('a role that exists still gives the function its session', async () => {
    await create(svc, 'with-role', ROLE);
    const id = await whoIs(svc, await credentialsOf(svc, 'with-role'));
    assert.equal(id.Arn, `arn:aws:sts::${ACCT}:assumed-role/test-role/with-role`);
  });
});
