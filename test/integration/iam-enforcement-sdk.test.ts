/**
 * The Lambda API authorizes every request by who signed it, for the SDK as for SQL: the default keys
 * are the account's root, allowed everything; a role session gets what its role's policies and the
 * function's resource policy allow, per action and per exact (qualified) ARN. Switched off, anyone
 * may do anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  IAMClient,
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { EXPLICIT_DENY, fnArn, notAuthorized, refused } from '../helpers/aws-assert.js';
import { allows, roleSession, trustsAccount, type RoleSession, type RoleSessionOptions } from '../helpers/role-session.js';
import { policyDocument } from '../../src/service/policy-documents.js';
import { ROLE, startTestService, text, type TestService } from '../helpers/service.js';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { connect } from '../helpers/sql-session.js';

const ACCT = '123456789012';
const OTHER = '222222222222';

/** A role (in ACCT unless told) with one inline policy, and a Lambda client signed with a session of it. */
interface Session extends RoleSession {
  lambda: LambdaClient;
}

async function sessionOf(svc: TestService, role: string, policy: string, options: RoleSessionOptions = {}): Promise<Session> {
  const session = await roleSession(svc.endpoint, role, policy, { account: ACCT, ...options });
  return {
    ...session,
    lambda: new LambdaClient({ endpoint: svc.endpoint, region: 'us-west-2', credentials: session.credentials, maxAttempts: 1 }),
  };
}

describe('Lambda API authorization', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
    await svc.createFunction('f', { 'index.mjs': 'export const handler = async () => "ran";' });
    await svc.client.send(new PublishVersionCommand({ FunctionName: 'f' }));
  });
  after(() => svc.close());

  test('a role session may do what its policies allow, on exactly the ARN they name', async () => {
    const { lambda, arn } = await sessionOf(svc, 'invoker', allows(['lambda:InvokeFunction', 'lambda:GetFunction'], fnArn('f')));
    try {
      assert.equal(text((await lambda.send(new InvokeCommand({ FunctionName: 'f' }))).Payload), '"ran"');
      assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))).Configuration!.FunctionName, 'f');
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'f', Qualifier: '1' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('f', '1')),
      );
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'f:1' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('f', '1')),
      );
      await refused(
        lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:GetFunctionConfiguration', fnArn('f')),
      );
      await refused(
        lambda.send(new ListFunctionsCommand({})),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:ListFunctions', '*'),
      );
      // Authorization comes first: a missing function is not revealed to a caller who may not see it.
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'nope' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('nope')),
      );
      // DryRun is the check alone.
      assert.equal((await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'DryRun' }))).StatusCode, 204);
    } finally {
      lambda.destroy();
    }
  });

  test('a Qualifier the model refuses is checked against the ARN it names, and refused as it is for the root', async () => {
    const { lambda } = await sessionOf(svc, 'qualified-invoker', allows(['lambda:InvokeFunction'], `${fnArn('f')}*`));
    try {
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'f', Qualifier: 'bad!' })),
        'ValidationException',
        400,
        String.raw`1 validation error detected: Value 'bad!' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`,
      );
    } finally {
      lambda.destroy();
    }
  });

  test('an explicit Deny wins over an Allow', async () => {
    const policy = policyDocument(
      { Effect: 'Allow', Action: 'lambda:*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'lambda:GetFunction', Resource: fnArn('f*') },
    );
    const { lambda, arn } = await sessionOf(svc, 'denied', policy);
    try {
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'f' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('f'), EXPLICIT_DENY),
      );
      assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))).Configuration!.Version, '$LATEST');
      assert.ok((await lambda.send(new ListFunctionsCommand({}))).Functions!.length >= 1);
    } finally {
      lambda.destroy();
    }
  });

  test("aws:ResourceTag reads the function's tags, and a change of them applies to the next call", async () => {
    await svc.createFunction('tagged', { 'index.mjs': 'export const handler = async () => "ran";' });
    const policy = policyDocument(
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } },
      },
      {
        Effect: 'Deny',
        Action: 'lambda:InvokeFunction',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/frozen': 'yes' } },
      },
    );
    const { lambda, arn } = await sessionOf(svc, 'team-blue', policy);
    const invoke = () => lambda.send(new InvokeCommand({ FunctionName: 'tagged' }));
    try {
      await refused(invoke(), 'AccessDeniedException', 403, notAuthorized(arn, 'lambda:InvokeFunction', fnArn('tagged')));
      await svc.client.send(new TagResourceCommand({ Resource: fnArn('tagged'), Tags: { team: 'blue' } }));
      assert.equal(text((await invoke()).Payload), '"ran"');
      await svc.client.send(new TagResourceCommand({ Resource: fnArn('tagged'), Tags: { frozen: 'yes' } }));
      await refused(invoke(), 'AccessDeniedException', 403, notAuthorized(arn, 'lambda:InvokeFunction', fnArn('tagged'), EXPLICIT_DENY));
      await svc.client.send(new UntagResourceCommand({ Resource: fnArn('tagged'), TagKeys: ['frozen', 'team'] }));
      await refused(invoke(), 'AccessDeniedException', 403, notAuthorized(arn, 'lambda:InvokeFunction', fnArn('tagged')));
    } finally {
      lambda.destroy();
    }
  });

  test("a role's tags are its sessions' aws:PrincipalTag: one policy lets each team invoke its own functions", async () => {
    for (const [name, team] of [
      ['blue-fn', 'blue'],
      ['red-fn', 'red'],
    ] as const) {
      await svc.createFunction(name, { 'index.mjs': 'export const handler = async () => "ran";' }, { Tags: { team } });
    }
    const sameTeam = policyDocument({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
    });
    const { lambda, arn } = await sessionOf(svc, 'blue-team', sameTeam, { tags: [{ Key: 'team', Value: 'blue' }] });
    try {
      assert.equal(text((await lambda.send(new InvokeCommand({ FunctionName: 'blue-fn' }))).Payload), '"ran"');
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'red-fn' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('red-fn')),
      );
    } finally {
      lambda.destroy();
    }
  });

  test('creating a function also needs iam:PassRole on its execution role, passed to Lambda, in the same account', async () => {
    const policy = policyDocument(
      { Effect: 'Allow', Action: 'lambda:CreateFunction', Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: ROLE,
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      },
    );
    const { lambda, arn } = await sessionOf(svc, 'deployer', policy);
    const create = async (client: LambdaClient, name: string, role: string) =>
      client.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: role,
          Code: { ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => 1;' }) },
        }),
      );
    try {
      assert.equal((await create(lambda, 'deployed', ROLE)).FunctionName, 'deployed');
      const other = `arn:aws:iam::${ACCT}:role/pglambda-default`;
      await refused(create(lambda, 'not-deployed', other), 'AccessDeniedException', 403, notAuthorized(arn, 'iam:PassRole', other));
      await refused(
        create(svc.client, 'foreign-role', `arn:aws:iam::${OTHER}:role/r`),
        'AccessDeniedException',
        403,
        'Cross-account pass role is not allowed.',
      );
    } finally {
      lambda.destroy();
    }
  });

  test('operations on the function itself are authorized on its unqualified ARN, whatever qualifier the request carries', async () => {
    const policy = policyDocument(
      { Effect: 'Allow', Action: 'lambda:*', Resource: '*' },
      { Effect: 'Deny', Action: ['lambda:UpdateFunctionConfiguration', 'lambda:TagResource'], Resource: fnArn('f') },
    );
    const { lambda, arn, credentials } = await sessionOf(svc, 'narrow', policy);
    const denied = (action: string) => notAuthorized(arn, action, fnArn('f'), EXPLICIT_DENY);
    try {
      await refused(
        lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Description: 'x' })),
        'AccessDeniedException',
        403,
        denied('lambda:UpdateFunctionConfiguration'),
      );
      // A Qualifier parameter the operation ignores does not move the check to another ARN.
      const raw = await signedFetch(new URL(`${svc.endpoint}/2015-03-31/functions/f/configuration?Qualifier=x`), {
        method: 'PUT',
        service: 'lambda',
        region: 'us-west-2',
        credentials,
        body: JSON.stringify({ Description: 'x' }),
      });
      assert.deepEqual([raw.status, (await raw.json()).Message], [403, denied('lambda:UpdateFunctionConfiguration')]);
      // Nor does another spelling of the same function's ARN.
      await refused(
        lambda.send(new TagResourceCommand({ Resource: fnArn('f').replace('arn:aws:', 'arn:aws-cn:'), Tags: { a: 'b' } })),
        'AccessDeniedException',
        403,
        denied('lambda:TagResource'),
      );
    } finally {
      lambda.destroy();
    }
  });

  test('a new default policy version, and a role deleted and made again, apply to the next request', async () => {
    const config = {
      endpoint: svc.endpoint,
      region: 'us-west-2',
      credentials: { accessKeyId: ACCT, secretAccessKey: 'test' },
      maxAttempts: 1,
    };
    const iam = new IAMClient(config);
    const policy = (
      await iam.send(new CreatePolicyCommand({ PolicyName: 'versioned', PolicyDocument: allows('lambda:InvokeFunction', fnArn('f')) }))
    ).Policy!.Arn!;
    const { lambda, arn } = await sessionOf(svc, 'versioned-user', allows('lambda:GetFunction', fnArn('f')));
    try {
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'versioned-user', PolicyArn: policy }));
      assert.equal((await lambda.send(new InvokeCommand({ FunctionName: 'f' }))).StatusCode, 200);
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: policy,
          PolicyDocument: allows('lambda:InvokeFunction', fnArn('other')),
          SetAsDefault: true,
        }),
      );
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'f' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('f')),
      );
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policy, VersionId: 'v1' }));
      assert.equal((await lambda.send(new InvokeCommand({ FunctionName: 'f' }))).StatusCode, 200);

      // The session belongs to the role it was issued for, not to a new role of the same name.
      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'versioned-user', PolicyName: 'p' }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'versioned-user', PolicyArn: policy }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'versioned-user' }));
      await iam.send(new CreateRoleCommand({ RoleName: 'versioned-user', AssumeRolePolicyDocument: trustsAccount(ACCT) }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'versioned-user', PolicyName: 'p', PolicyDocument: allows('lambda:*', '*') }));
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: 'f' })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('f')),
      );
    } finally {
      lambda.destroy();
      iam.destroy();
    }
  });

  test("another account's session needs the function's resource policy as well as its own", async () => {
    const { lambda, arn } = await sessionOf(svc, 'outsider', allows('lambda:InvokeFunction', '*'), { account: OTHER });
    try {
      await refused(
        lambda.send(new InvokeCommand({ FunctionName: fnArn('f') })),
        'AccessDeniedException',
        403,
        notAuthorized(arn, 'lambda:InvokeFunction', fnArn('f'), 'because no resource-based policy allows the lambda:InvokeFunction action'),
      );
      await svc.client.send(
        new AddPermissionCommand({ FunctionName: 'f', StatementId: 'other-account', Action: 'lambda:InvokeFunction', Principal: OTHER }),
      );
      assert.equal(text((await lambda.send(new InvokeCommand({ FunctionName: fnArn('f') }))).Payload), '"ran"');
    } finally {
      lambda.destroy();
    }
  });
});

describe('with enforcement switched off (--no-enforce-iam)', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ enforceIam: false, grantAll: false });
    await svc.createFunction(
      'f',
      { 'index.mjs': 'export const handler = async () => "ran";' },
      { Role: `arn:aws:iam::${ACCT}:role/does-not-exist` },
    );
  });
  after(() => svc.close());

  test('a session without permissions may invoke', async () => {
    const { lambda } = await sessionOf(svc, 'powerless', allows('s3:GetObject', '*'));
    try {
      assert.equal(text((await lambda.send(new InvokeCommand({ FunctionName: 'f' }))).Payload), '"ran"');
    } finally {
      lambda.destroy();
    }
  });

  test('a cluster without an associated role may invoke from SQL', async () => {
    const sql = await connect(svc.postgres.superuserUrl);
    try {
      const r = await sql.query(`SELECT status_code, payload FROM aws_lambda.invoke('f', '{}'::json)`);
      assert.deepEqual(r.rows, [{ status_code: 200, payload: 'ran' }]);
    } finally {
      await sql.end();
    }
  });
});
