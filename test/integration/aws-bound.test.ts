/**
 * A cluster bound to AWS Lambda, tested without the internet: a second pglambda stands for AWS, with
 * signature verification on. The bridge of the pglambda under test finds its own credentials through
 * the SDK's provider chain (the environment, then a shared config profile), assumes the configured
 * role through that "AWS"'s STS with an external id, and invokes there; SQL sees AWS's answers and
 * errors in Aurora's shape.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import pg from 'pg';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { COLD_START_ROOM } from '../helpers/sql-session.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
const ROLE_ARN = 'arn:aws:iam::123456789012:role/aurora-invoker';
const EXTERNAL_ID = 'pglambda-my-db-cluster';
const CREDENTIAL_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
];

let aws: TestService;
let local: TestService;
let scratch: string;
const saved = Object.fromEntries(CREDENTIAL_VARS.map((k) => [k, process.env[k]]));

/** What the bridge's process sees: the provider chain reads these when a session is first assumed. */
function bridgeEnvironment(vars: Record<string, string | undefined>): void {
  for (const k of CREDENTIAL_VARS) delete process.env[k];
  Object.assign(process.env, { AWS_ENDPOINT_URL: aws.endpoint }, vars);
}

async function sql(text: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: local.postgres.superuserUrl, options: COLD_START_ROOM });
  await client.connect();
  try {
    return (await client.query(text)).rows[0];
  } finally {
    await client.end();
  }
}

async function sqlError(text: string): Promise<{ message: string; detail?: string; hint?: string; code?: string }> {
  try {
    await sql(text);
  } catch (err) {
    return err as { message: string; detail?: string; hint?: string; code?: string };
  }
  assert.fail('expected the statement to fail');
}

/** `pglambda install` binding my-db-cluster of the pglambda under test to the role on "AWS". */
async function bindToAws(externalId: string): Promise<string> {
  const out = await run(
    process.execPath,
    [
      main,
      'install',
      '--database-url',
      local.postgres.superuserUrl,
      '--endpoint-url',
      local.endpoint,
      '--aws-role-arn',
      ROLE_ARN,
      '--external-id',
      externalId,
    ],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL: '' } },
  );
  return out.stdout;
}

/** `pglambda doctor` against the pglambda under test, which checks with its bridge's credentials. */
async function doctor(fn: string): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL: '', AWS_PROFILE: '' };
  const r = await run(process.execPath, [main, 'doctor', '--function', fn, '--endpoint-url', local.endpoint, '--region', 'us-west-2'], {
    env,
  }).catch((e: { code: number; stdout: string }) => e);
  return { code: 'code' in r ? r.code : 0, stdout: r.stdout };
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-aws-bound-'));
  aws = await startTestService({ grantAll: false });
  await aws.createFunction('on-aws', { 'index.mjs': "export const handler = async (e) => ({ from: 'aws', got: e });" });
  await aws.createFunction('not-granted', { 'index.mjs': 'export const handler = async () => 1;' });
  await aws.createFunction('throttled', { 'index.mjs': 'export const handler = async () => 1;' });
  await aws.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'throttled', ReservedConcurrentExecutions: 0 }));
  const iam = new IAMClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: ROOT });
  try {
    // The trust statement the README gives: the bridge's principal, with sts:ExternalId.
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'aurora-invoker',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::123456789012:root' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'aurora-invoker',
        PolicyName: 'invoke',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'lambda:InvokeFunction',
              Resource: ['on-aws', 'throttled', 'never-made'].map((f) => `arn:aws:lambda:us-west-2:123456789012:function:${f}`),
            },
          ],
        }),
      }),
    );
  } finally {
    iam.destroy();
  }
  local = await startTestService();
  bridgeEnvironment({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  assert.match(await bindToAws(EXTERNAL_ID), /invokes go to AWS Lambda as arn:aws:iam::123456789012:role\/aurora-invoker/);
});

after(async () => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await local?.close();
  await aws?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('SQL invokes the function on AWS as the assumed role, with credentials from the environment', async () => {
  const row = await sql(`SELECT status_code, payload FROM aws_lambda.invoke('on-aws', '{"x": 1}'::json)`);
  assert.deepEqual(row, { status_code: 200, payload: { from: 'aws', got: { x: 1 } } });
  // my-function exists only in the pglambda under test: the bound cluster no longer reaches it.
  const e = await sqlError(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json)`);
  assert.equal(e.message, 'invoke API failed');
});

test('pglambda doctor walks the path and says what is missing', async () => {
  const fine = await doctor('on-aws');
  assert.equal(fine.code, 0, fine.stdout);
  assert.match(
    fine.stdout,
    /^ok +binding +my-db-cluster invokes AWS Lambda as arn:aws:iam::123456789012:role\/aurora-invoker \(external id "pglambda-my-db-cluster"\)\.$/m,
  );
  assert.match(fine.stdout, /^ok +identity +AWS says the bridge is arn:aws:iam::123456789012:root \(account 123456789012\)\.$/m);
  assert.match(fine.stdout, /^ok +assume-role .*as arn:aws:sts::123456789012:assumed-role\/aurora-invoker\/my-db-cluster\.$/m);
  assert.match(
    fine.stdout,
    /^ok +invoke +The role may invoke arn:aws:lambda:us-west-2:123456789012:function:on-aws \(a DryRun invoke answered 204\)\.$/m,
  );
  const denied = await doctor('not-granted');
  assert.equal(denied.code, 1);
  assert.match(
    denied.stdout,
    /^FAIL +invoke +The role may not invoke arn:aws:lambda:us-west-2:123456789012:function:not-granted: .*Give arn:aws:iam::123456789012:role\/aurora-invoker lambda:InvokeFunction on/m,
  );
  // Allowed, but not there: AWS checks access first, then existence.
  const missing = await doctor('never-made');
  assert.equal(missing.code, 1);
  assert.match(
    missing.stdout,
    /^FAIL +invoke +No function arn:aws:lambda:us-west-2:123456789012:function:never-made in us-west-2 \(the cluster's region\): .*name it by its full ARN/m,
  );
});

test("AWS's refusals reach SQL in Aurora's shape", async () => {
  const denied = await sqlError(`SELECT * FROM aws_lambda.invoke('not-granted', '{}'::json)`);
  assert.equal(denied.code, '58000');
  assert.equal(denied.message, 'invoke API failed');
  assert.equal(
    denied.detail,
    "AWS Lambda client returned 'User: arn:aws:sts::123456789012:assumed-role/aurora-invoker/my-db-cluster is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-west-2:123456789012:function:not-granted because no identity-based policy allows the lambda:InvokeFunction action'",
  );
  // Throttled: retried (nothing ran), then reported as the SDK reports it.
  const throttled = await sqlError(`SELECT * FROM aws_lambda.invoke('throttled', '{}'::json)`);
  assert.equal(throttled.message, 'invoke API failed');
  assert.match(throttled.detail ?? '', /^AWS Lambda client returned '.*Rate Exceeded.*'$/i);
  const metrics = await local.bridge.metrics.text();
  assert.match(
    metrics,
    /^pglambda_bridge_invocations_total\{cluster="my-db-cluster",function="arn:aws:lambda:us-west-2:123456789012:function:throttled",outcome="throttled"\} 1$/m,
  );
  assert.match(metrics, /^pglambda_bridge_errors_total\{cluster="my-db-cluster",code="AccessDeniedException"\} \d+$/m);
});

test('a session AWS calls expired is renewed in flight: the call succeeds with a new session', async () => {
  await sql(`SELECT * FROM aws_lambda.invoke('on-aws', '{}'::json)`);
  const expire = new pg.Client({ connectionString: aws.postgres.url });
  await expire.connect();
  try {
    const expired = await expire.query(
      `update sts.sessions set expires_at = now() - interval '1 second' where session_name = 'my-db-cluster' and expires_at > now()`,
    );
    assert.ok((expired.rowCount ?? 0) >= 1);
  } finally {
    await expire.end();
  }
  // "AWS" keeps sessions in memory: a restart on the same port makes it read the expiry.
  aws = await aws.restart({ port: aws.port });
  const state = new pg.Client({ connectionString: aws.postgres.url });
  await state.connect();
  try {
    const row = await sql(`SELECT status_code FROM aws_lambda.invoke('on-aws', '{}'::json)`);
    assert.equal(row.status_code, 200);
    const live = await state.query(
      `select count(*)::int as n from sts.sessions where session_name = 'my-db-cluster' and expires_at > now()`,
    );
    assert.equal(live.rows[0].n, 1);
  } finally {
    await state.end();
  }
});

test('credentials from a shared config profile; a wrong secret and an unassumable role are explained', async () => {
  let files = 0;
  const profile = async (secret: string) => {
    // New file names each time: the SDK keeps the files it parsed for the life of the process.
    const credentials = join(scratch, `credentials-${++files}`);
    const config = join(scratch, `config-${files}`);
    await writeFile(credentials, `[bridge]\naws_access_key_id = test\naws_secret_access_key = ${secret}\n`);
    await writeFile(config, '[profile bridge]\nregion = us-west-2\n');
    bridgeEnvironment({ AWS_PROFILE: 'bridge', AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config });
    // A new bridge process: the provider chain resolves afresh.
    local = await local.restart();
  };
  await profile('test');
  assert.equal((await sql(`SELECT status_code FROM aws_lambda.invoke('on-aws', '{}'::json)`)).status_code, 200);

  await profile('not-the-secret');
  const refused = await sqlError(`SELECT * FROM aws_lambda.invoke('on-aws', '{}'::json)`);
  assert.equal(refused.message, 'invoke API failed');
  assert.match(
    refused.detail ?? '',
    /^AWS Lambda client returned 'The request signature we calculated does not match the signature you provided/,
  );
  assert.match(refused.hint ?? '', /AWS credentials are not valid/);
  assert.match(
    (await doctor('on-aws')).stdout,
    /^FAIL +identity +AWS refused the bridge's credentials: the secret does not match the access key/m,
  );

  await profile('test');
  await bindToAws('another-external-id');
  const unassumable = await sqlError(`SELECT * FROM aws_lambda.invoke('on-aws', '{}'::json)`);
  assert.equal(
    unassumable.detail,
    `AWS Lambda client returned 'User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}'`,
  );
  assert.match(
    unassumable.hint ?? '',
    /trust policy of arn:aws:iam::123456789012:role\/aurora-invoker must allow .* sts:ExternalId "another-external-id"/,
  );
  const trust = JSON.stringify({
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::123456789012:root' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': 'another-external-id' } },
  });
  const told = await doctor('on-aws');
  assert.ok(told.stdout.includes(`assume-role  Could not assume ${ROLE_ARN}: `) && told.stdout.includes(trust), told.stdout);
});
