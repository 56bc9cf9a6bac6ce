/**
 * STS through the official SDK: GetCallerIdentity for the account root and for role sessions,
 * AssumeRole with trust policies (direct, through the account, cross-account, role chaining,
 * ExternalId, Deny), its limits and errors, expired sessions; and what enforcement and the bridge
 * use inside pglambda: resolveAccessKey and assumeRoleForService.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand, type CreateRoleCommandInput } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput, type Credentials } from '@aws-sdk/client-sts';
import pg from 'pg';
import { createSts, type Sts } from '../../src/aws/sts/index.js';
import { IamStore } from '../../src/iam/store/iam-store.js';
import { refused } from '../helpers/aws-assert.js';
import { EXPIRED_TOKEN, insertExpiredSession } from '../helpers/role-session.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ACCT = '123456789012';
const OTHER = '111122223333';
let svc: TestService;
let db: pg.Pool;
let sts: Sts;
let iam: IAMClient;
const clients: Array<{ destroy(): void }> = [];

function stsAs(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): STSClient {
  const client = new STSClient({ endpoint: svc.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}
const root = () => stsAs({ accessKeyId: 'test', secretAccessKey: 'test' });
const session = (c: Credentials) =>
  stsAs({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });

before(async () => {
  svc = await startTestService({ grantAll: false, executionRole: false });
  // end() resolves before its connections are gone, and the service's stop then cuts them: no trouble.
  db = new pg.Pool({ connectionString: svc.postgres.url }).on('error', () => undefined);
  sts = createSts(db, new IamStore(db));
  iam = new IAMClient({
    endpoint: svc.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  clients.push(iam);
});
after(async () => {
  for (const c of clients) c.destroy();
  await db.end();
  await svc.close();
});

const trust = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allowAws = (principal: string | string[], extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: principal },
  Action: 'sts:AssumeRole',
  ...extra,
});
const roleArn = (name: string, account = ACCT) => `arn:aws:iam::${account}:role/${name}`;
async function createRole(name: string, document: string, extra: Partial<CreateRoleCommandInput> = {}, client = iam) {
  return (await client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document, ...extra }))).Role!;
}
const assume = (client: STSClient, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }) =>
  client.send(new AssumeRoleCommand({ RoleSessionName: 'session', ...input }));
const denied = (caller: string, role: string) => `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`;

test('GetCallerIdentity: the default keys are the account root; a 12-digit key is that account', async () => {
  const me = await root().send(new GetCallerIdentityCommand({}));
  assert.deepEqual([me.UserId, me.Account, me.Arn], [ACCT, ACCT, `arn:aws:iam::${ACCT}:root`]);
  const other = await stsAs({ accessKeyId: OTHER, secretAccessKey: 'test' }).send(new GetCallerIdentityCommand({}));
  assert.deepEqual([other.UserId, other.Account, other.Arn], [OTHER, OTHER, `arn:aws:iam::${OTHER}:root`]);
});

test('AssumeRole issues credentials shaped as AWS issues them, and the session is who GetCallerIdentity says', async () => {
  const role = await createRole('trusts-account', trust(allowAws(`arn:aws:iam::${ACCT}:root`)));
  const started = Date.now();
  const out = await assume(root(), { RoleArn: role.Arn!, RoleSessionName: 'alice@example.com' });
  const c = out.Credentials!;
  assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
  assert.match(c.SecretAccessKey!, /^[A-Za-z0-9+/]{40}$/);
  assert.ok(c.SessionToken!.length > 100);
  const lifetime = c.Expiration!.getTime() - started;
  assert.ok(lifetime > 3595_000 && lifetime <= 3600_000, `expires in ${lifetime} ms`);
  assert.equal(out.AssumedRoleUser!.AssumedRoleId, `${role.RoleId}:alice@example.com`);
  assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCT}:assumed-role/trusts-account/alice@example.com`);

  const me = await session(c).send(new GetCallerIdentityCommand({}));
  assert.deepEqual([me.UserId, me.Account, me.Arn], [`${role.RoleId}:alice@example.com`, ACCT, out.AssumedRoleUser!.Arn]);
});

test('a trust policy may name the account by its id; an assumed-role ARN leaves out the role path', async () => {
  const role = await createRole('by-id', trust(allowAws(ACCT)), { Path: '/service/' });
  const out = await assume(root(), { RoleArn: role.Arn! });
  assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCT}:assumed-role/by-id/session`);
});

test('DurationSeconds: 900 up to the role maximum, whose default is an hour', async () => {
  const role = await createRole('durations', trust(allowAws(ACCT)));
  const short = await assume(root(), { RoleArn: role.Arn!, DurationSeconds: 900 });
  assert.ok(Math.abs(short.Credentials!.Expiration!.getTime() - Date.now() - 900_000) < 5000);
  await refused(
    assume(root(), { RoleArn: role.Arn!, DurationSeconds: 7200 }),
    'ValidationError',
    400,
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  );
  await refused(
    assume(root(), { RoleArn: role.Arn!, DurationSeconds: 899 }),
    'ValidationError',
    400,
    /^1 validation error detected: Value 899 at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900$/,
  );
  const long = await createRole('long', trust(allowAws(ACCT)), { MaxSessionDuration: 43200 });
  const day = await assume(root(), { RoleArn: long.Arn!, DurationSeconds: 43200 });
  assert.ok(Math.abs(day.Credentials!.Expiration!.getTime() - Date.now() - 43_200_000) < 5000);
});

test('RoleSessionName and RoleArn are checked as STS checks them', async () => {
  const role = await createRole('names', trust(allowAws(ACCT)));
  await refused(
    assume(root(), { RoleArn: role.Arn!, RoleSessionName: 'a' }),
    'ValidationError',
    400,
    "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
  );
  await refused(
    assume(root(), { RoleArn: role.Arn!, RoleSessionName: 'no spaces' }),
    'ValidationError',
    400,
    "1 validation error detected: Value 'no spaces' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
  );
  await refused(assume(root(), { RoleArn: 'this-is-not-an-arn-at-all' }), 'ValidationError', 400, 'this-is-not-an-arn-at-all is invalid');
});

test('a role that does not trust the caller, or does not exist, is AccessDenied alike', async () => {
  const role = await createRole(
    'rds-only',
    trust({ Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' }),
  );
  await refused(assume(root(), { RoleArn: role.Arn! }), 'AccessDenied', 403, denied(`arn:aws:iam::${ACCT}:root`, role.Arn!));
  await refused(
    assume(root(), { RoleArn: roleArn('missing') }),
    'AccessDenied',
    403,
    denied(`arn:aws:iam::${ACCT}:root`, roleArn('missing')),
  );
  const denying = await createRole(
    'denying',
    trust(allowAws(ACCT), { Effect: 'Deny', Principal: { AWS: ACCT }, Action: 'sts:AssumeRole' }),
  );
  await refused(assume(root(), { RoleArn: denying.Arn! }), 'AccessDenied', 403, denied(`arn:aws:iam::${ACCT}:root`, denying.Arn!));
});

test('trust conditions see sts:ExternalId and sts:RoleSessionName', async () => {
  const role = await createRole('external', trust(allowAws(ACCT, { Condition: { StringEquals: { 'sts:ExternalId': 'shared-secret' } } })));
  await refused(assume(root(), { RoleArn: role.Arn! }), 'AccessDenied', 403, /not authorized to perform: sts:AssumeRole/);
  await refused(assume(root(), { RoleArn: role.Arn!, ExternalId: 'guess' }), 'AccessDenied', 403, /not authorized/);
  await assume(root(), { RoleArn: role.Arn!, ExternalId: 'shared-secret' });
  const named = await createRole('named-sessions', trust(allowAws(ACCT, { Condition: { StringLike: { 'sts:RoleSessionName': 'ci-*' } } })));
  await assume(root(), { RoleArn: named.Arn!, RoleSessionName: 'ci-42' });
  await refused(assume(root(), { RoleArn: named.Arn!, RoleSessionName: 'laptop' }), 'AccessDenied', 403, /not authorized/);
});

test('role chaining: a session needs its own permission unless the trust names its role, and lasts at most an hour', async () => {
  const first = await createRole('first', trust(allowAws(ACCT)));
  const target = await createRole('target', trust(allowAws(ACCT)), { MaxSessionDuration: 43200 });
  const namesFirst = await createRole('names-first', trust(allowAws(first.Arn!)));
  const firstSession = session((await assume(root(), { RoleArn: first.Arn!, RoleSessionName: 'one' })).Credentials!);
  const callerArn = `arn:aws:sts::${ACCT}:assumed-role/first/one`;

  // The target trusts the account only: the session's role policies must allow it.
  await refused(assume(firstSession, { RoleArn: target.Arn! }), 'AccessDenied', 403, denied(callerArn, target.Arn!));
  // The trust naming the session's role is enough within the account.
  const direct = await assume(firstSession, { RoleArn: namesFirst.Arn!, RoleSessionName: 'two' });
  assert.equal(direct.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCT}:assumed-role/names-first/two`);

  const allow = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: target.Arn }] });
  await iam.send(new PutRolePolicyCommand({ RoleName: 'first', PolicyName: 'chain', PolicyDocument: allow }));
  await assume(firstSession, { RoleArn: target.Arn! });
  await refused(
    assume(firstSession, { RoleArn: target.Arn!, DurationSeconds: 7200 }),
    'ValidationError',
    400,
    'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  );
});

test('cross-account: the trust must name the caller or its account', async () => {
  const role = await createRole('for-partner', trust(allowAws(`arn:aws:iam::${OTHER}:root`)));
  const partner = stsAs({ accessKeyId: OTHER, secretAccessKey: 'test' });
  const out = await assume(partner, { RoleArn: role.Arn! });
  const me = await session(out.Credentials!).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, ACCT);
  const stranger = stsAs({ accessKeyId: '444455556666', secretAccessKey: 'test' });
  await refused(assume(stranger, { RoleArn: role.Arn! }), 'AccessDenied', 403, denied('arn:aws:iam::444455556666:root', role.Arn!));
});

test('session policies and session tags are refused rather than ignored', async () => {
  const role = await createRole('no-session-policy', trust(allowAws(ACCT)));
  await refused(
    assume(root(), { RoleArn: role.Arn!, Policy: '{"Version":"2012-10-17","Statement":[]}' }),
    'ValidationError',
    400,
    'pglambda does not support session policies (Policy, PolicyArns).',
  );
  await refused(
    assume(root(), { RoleArn: role.Arn!, Tags: [{ Key: 'team', Value: 'a' }] }),
    'ValidationError',
    400,
    'pglambda does not support session tags.',
  );
});

test('an expired session is refused with ExpiredToken, and resolveAccessKey says it expired', async () => {
  const role = await createRole('short-lived', trust(allowAws(ACCT)));
  const { RoleId } = (await iam.send(new GetRoleCommand({ RoleName: 'short-lived' }))).Role!;
  await insertExpiredSession(db, {
    accessKeyId: 'ASIAEXPIREDEXPIRED00',
    sessionToken: 't',
    accountId: ACCT,
    roleArn: role.Arn!,
    roleId: RoleId,
  });
  await refused(
    stsAs({ accessKeyId: 'ASIAEXPIREDEXPIRED00', secretAccessKey: 'test', sessionToken: 't' }).send(new GetCallerIdentityCommand({})),
    'ExpiredToken',
    403,
    EXPIRED_TOKEN,
  );
  assert.deepEqual(await sts.identities.resolveAccessKey('ASIAEXPIREDEXPIRED00'), {
    type: 'assumed-role',
    accountId: ACCT,
    arn: `arn:aws:sts::${ACCT}:assumed-role/short-lived/old`,
    userId: `${RoleId}:old`,
    roleArn: role.Arn,
    roleId: RoleId,
    sessionName: 'old',
    expired: true,
  });
});

test('resolveAccessKey: issued keys are their sessions; any other key is an account root', async () => {
  await createRole('resolved', trust(allowAws(ACCT)));
  const out = await assume(root(), { RoleArn: roleArn('resolved'), RoleSessionName: 'who' });
  const id = await sts.identities.resolveAccessKey(out.Credentials!.AccessKeyId!);
  assert.deepEqual(
    [id.type, id.arn, id.roleArn, id.sessionName, id.expired],
    ['assumed-role', `arn:aws:sts::${ACCT}:assumed-role/resolved/who`, roleArn('resolved'), 'who', false],
  );
  assert.deepEqual(await sts.identities.resolveAccessKey('test'), {
    type: 'root',
    accountId: ACCT,
    arn: `arn:aws:iam::${ACCT}:root`,
    userId: ACCT,
    expired: false,
  });
  assert.equal((await sts.identities.resolveAccessKey(OTHER)).arn, `arn:aws:iam::${OTHER}:root`);
});

test('assumeRoleForService: rds.amazonaws.com with the confused-deputy keys, trust policy only', async () => {
  const cluster = `arn:aws:rds:us-west-2:${ACCT}:cluster:my-db-cluster`;
  const guarded = await createRole(
    'rds-guarded',
    trust({
      Effect: 'Allow',
      Principal: { Service: 'rds.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCT }, ArnLike: { 'aws:SourceArn': `arn:aws:rds:*:${ACCT}:cluster:my-*` } },
    }),
  );
  const issued = await sts.assumer.assumeRoleForService(guarded.Arn!, 'rds.amazonaws.com', 'my-db-cluster', {
    'aws:SourceArn': cluster,
    'aws:SourceAccount': ACCT,
  });
  assert.match(issued.Credentials.AccessKeyId, /^ASIA/);
  assert.equal(issued.AssumedRoleUser.Arn, `arn:aws:sts::${ACCT}:assumed-role/rds-guarded/my-db-cluster`);
  const me = await session(issued.Credentials).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, issued.AssumedRoleUser.Arn);

  const otherCluster = { 'aws:SourceArn': `arn:aws:rds:us-west-2:${ACCT}:cluster:their-db`, 'aws:SourceAccount': ACCT };
  await assert.rejects(sts.assumer.assumeRoleForService(guarded.Arn!, 'rds.amazonaws.com', 's', otherCluster), {
    name: 'AccessDenied',
    message: denied('rds.amazonaws.com', guarded.Arn!),
  });
  const accountOnly = await createRole('account-only', trust(allowAws(ACCT)));
  await assert.rejects(
    sts.assumer.assumeRoleForService(accountOnly.Arn!, 'rds.amazonaws.com', 's', { 'aws:SourceArn': cluster, 'aws:SourceAccount': ACCT }),
    { name: 'AccessDenied' },
  );
  await assert.rejects(
    sts.assumer.assumeRoleForService(roleArn('gone'), 'rds.amazonaws.com', 's', { 'aws:SourceArn': cluster, 'aws:SourceAccount': ACCT }),
    { name: 'AccessDenied' },
  );
  // The reference's trust policy: no conditions, so any cluster's RDS may assume it.
  const plain = await createRole(
    'rds-plain',
    trust({ Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' }),
  );
  await sts.assumer.assumeRoleForService(plain.Arn!, 'rds.amazonaws.com', 'my-db-cluster', otherCluster);
});
