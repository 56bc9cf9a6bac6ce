/**
 * Request signatures on the endpoint, as clients see them: the official SDKs signing with a right or
 * wrong secret, unknown keys, STS sessions and their tokens, unsigned and presigned requests, each
 * refused in the words of the service's protocol (Lambda's JSON, the query services' XML); and the
 * switch that identifies requests by access key alone, which still refuses an expired session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/core/serde';
import pg from 'pg';
import { SignatureV4 } from '@smithy/signature-v4';
import { refused } from '../helpers/aws-assert.js';
import { ensureRole } from '../helpers/iam.js';
import { EXPIRED_TOKEN, insertExpiredSession } from '../helpers/role-session.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

let svc: TestService;
const clients: Array<{ destroy(): void }> = [];

before(async () => {
  svc = await startTestService();
});
after(async () => {
  for (const c of clients) c.destroy();
  await svc?.close();
});

function clientsFor(credentials: Credentials, extra: { systemClockOffset?: number } = {}) {
  const config = { endpoint: svc.endpoint, region: 'us-west-2', credentials, maxAttempts: 1, ...extra };
  const made = { lambda: new LambdaClient(config), iam: new IAMClient(config), sts: new STSClient(config), rds: new RDSClient(config) };
  clients.push(...Object.values(made));
  return made;
}

async function assumedSession(): Promise<Required<Credentials>> {
  await ensureRole(
    svc.endpoint,
    'signer',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }],
    }),
  );
  const out = await clientsFor(ROOT).sts.send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/signer', RoleSessionName: 'sig' }),
  );
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

test('the SDK signing with the root secret reaches every service', async () => {
  const { lambda, iam, sts, rds } = clientsFor(ROOT);
  assert.ok(Array.isArray((await lambda.send(new ListFunctionsCommand({}))).Functions));
  assert.ok(Array.isArray((await iam.send(new ListRolesCommand({}))).Roles));
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::123456789012:root');
  assert.ok(Array.isArray((await rds.send(new DescribeDBClustersCommand({}))).DBClusters));
});

test('a wrong secret: InvalidSignatureException from Lambda, SignatureDoesNotMatch from IAM, STS and RDS', async () => {
  const { lambda, iam, sts, rds } = clientsFor({ accessKeyId: 'test', secretAccessKey: 'not-the-secret' });
  await refused(lambda.send(new ListFunctionsCommand({})), 'InvalidSignatureException', 403, BAD_SIGNATURE);
  await refused(iam.send(new ListRolesCommand({})), 'SignatureDoesNotMatch', 403, BAD_SIGNATURE);
  await refused(sts.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403, BAD_SIGNATURE);
  await refused(rds.send(new DescribeDBClustersCommand({})), 'SignatureDoesNotMatch', 403, BAD_SIGNATURE);
});

test('a key nobody issued: UnrecognizedClientException from Lambda, InvalidClientTokenId from the query services', async () => {
  const { lambda, sts } = clientsFor({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' });
  await refused(lambda.send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 403, INVALID_TOKEN);
  await refused(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, INVALID_TOKEN);
});

test("an STS session's key works with its own secret and token, and with nothing else", async () => {
  const session = await assumedSession();
  assert.equal(
    (await clientsFor(session).sts.send(new GetCallerIdentityCommand({}))).Arn,
    'arn:aws:sts::123456789012:assumed-role/signer/sig',
  );
  // Authenticated, then authorized: the role may do nothing in Lambda.
  await refused(
    clientsFor(session).lambda.send(new ListFunctionsCommand({})),
    'AccessDeniedException',
    403,
    /^User: arn:aws:sts::123456789012:assumed-role\/signer\/sig is not authorized/,
  );
  const { sessionToken: _, ...withoutToken } = session;
  await refused(clientsFor(withoutToken).lambda.send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 403, INVALID_TOKEN);
  await refused(
    clientsFor({ ...session, sessionToken: 'another-token' }).sts.send(new GetCallerIdentityCommand({})),
    'InvalidClientTokenId',
    403,
    INVALID_TOKEN,
  );
  await refused(
    clientsFor({ ...session, secretAccessKey: 'x'.repeat(40) }).lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })),
    'InvalidSignatureException',
    403,
    BAD_SIGNATURE,
  );
});

test('a clock 10 minutes off: Lambda refuses (5 minutes allowed), STS accepts (15 minutes)', async () => {
  const { lambda, sts } = clientsFor(ROOT, { systemClockOffset: -10 * 60_000 });
  await refused(
    lambda.send(new ListFunctionsCommand({})),
    'InvalidSignatureException',
    403,
    /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
  );
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, '123456789012');
  await refused(
    clientsFor(ROOT, { systemClockOffset: -20 * 60_000 }).sts.send(new GetCallerIdentityCommand({})),
    'SignatureDoesNotMatch',
    403,
    /^Signature expired: .* - 15 min\.\)$/,
  );
});

test('an unsigned request: 403 MissingAuthenticationToken, in JSON for Lambda and XML for the query services', async () => {
  const lambda = await fetch(`${svc.endpoint}/2015-03-31/functions/`);
  assert.equal(lambda.status, 403);
  assert.equal(lambda.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  assert.deepEqual(await lambda.json(), { message: 'Missing Authentication Token' });
  const sts = await fetch(svc.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  assert.equal(sts.status, 403);
  assert.match(
    await sts.text(),
    /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Request is missing Authentication Token<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
  );
});

test('an Authorization header without its signature: IncompleteSignature (400) from the query services', async () => {
  const authorization = 'AWS4-HMAC-SHA256 Credential=test/20261205/us-east-1/sts/aws4_request';
  const r = await fetch(svc.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization, 'x-amz-date': '20261205T120000Z' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  assert.equal(r.status, 400);
  const body = (await r.text()).replaceAll('&apos;', "'");
  assert.match(body, /<Code>IncompleteSignature<\/Code>/);
  assert.ok(
    body.includes(
      `<Message>Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${authorization}</Message>`,
    ),
    body,
  );
});

test('a presigned STS GetCallerIdentity URL (what IAM-based logins send) is verified too', async () => {
  const session = await assumedSession();
  const url = new URL(svc.endpoint);
  const signer = new SignatureV4({ credentials: session, region: 'us-east-1', service: 'sts', sha256: Hash.bind(null, 'sha256') });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.host },
    },
    { expiresIn: 60 },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>);
  const ok = await fetch(`${svc.endpoint}/?${query}`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /<Arn>arn:aws:sts::123456789012:assumed-role\/signer\/sig<\/Arn>/);
  query.set('X-Amz-Signature', '0'.repeat(64));
  const tampered = await fetch(`${svc.endpoint}/?${query}`);
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
});

describe('with verification off', () => {
  let lenient: TestService;
  before(async () => {
    lenient = await startTestService({ verifySignatures: false });
  });
  after(async () => {
    await lenient?.close();
  });

  test('a request is its access key, whatever secret signed it', async () => {
    const lambda = new LambdaClient({
      endpoint: lenient.endpoint,
      region: 'us-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'anything' },
      maxAttempts: 1,
    });
    const sts = new STSClient({
      endpoint: lenient.endpoint,
      region: 'us-west-2',
      credentials: { accessKeyId: '111122223333', secretAccessKey: 'anything' },
      maxAttempts: 1,
    });
    try {
      assert.equal((await lambda.send(new ListFunctionsCommand({}))).$metadata.httpStatusCode, 200);
      assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, '111122223333');
    } finally {
      lambda.destroy();
      sts.destroy();
    }
  });

  test("an expired session is still refused, in each protocol's words", async () => {
    const db = new pg.Client({ connectionString: lenient.postgres.url });
    const expired = { accessKeyId: 'ASIAEXPIREDLENIENT00', secretAccessKey: 'anything', sessionToken: 't' };
    const config = { endpoint: lenient.endpoint, region: 'us-west-2', credentials: expired, maxAttempts: 1 };
    const made = {
      lambda: new LambdaClient(config),
      logs: new CloudWatchLogsClient(config),
      iam: new IAMClient(config),
      rds: new RDSClient(config),
    };
    try {
      await db.connect();
      await insertExpiredSession(db, { ...expired, accountId: '123456789012', roleArn: 'arn:aws:iam::123456789012:role/signer' });
      await refused(made.lambda.send(new ListFunctionsCommand({})), 'ExpiredTokenException', 403, EXPIRED_TOKEN);
      await refused(made.logs.send(new DescribeLogGroupsCommand({})), 'ExpiredTokenException', 400, EXPIRED_TOKEN);
      await refused(made.iam.send(new ListRolesCommand({})), 'ExpiredToken', 403, EXPIRED_TOKEN);
      await refused(made.rds.send(new DescribeDBClustersCommand({})), 'ExpiredToken', 403, EXPIRED_TOKEN);
    } finally {
      for (const c of Object.values(made)) c.destroy();
      await db.end();
    }
  });
});
