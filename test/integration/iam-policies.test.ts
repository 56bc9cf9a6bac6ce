/**
 * IAM managed policies through the official SDK: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
 * the five policy version operations, the AWS managed policies every account sees, URL-encoded
 * documents, and the query protocol's own refusals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
  type CreatePolicyCommandInput,
  type ListPoliciesCommandInput,
} from '@aws-sdk/client-iam';
import { refused } from '../helpers/aws-assert.js';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
const clientFor = (accessKeyId: string) =>
  new IAMClient({ endpoint: svc.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'test' }, maxAttempts: 1 });
before(async () => {
  svc = await startTestService({ grantAll: false, executionRole: false });
  iam = clientFor('test');
});
after(async () => {
  iam.destroy();
  await svc.close();
});

const ACCT = '123456789012';
const arn = (name: string, path = '/') => `arn:aws:iam::${ACCT}:policy${path}${name}`;
const LAMBDA_ROLE = 'arn:aws:iam::aws:policy/service-role/AWSLambdaRole';
const BASIC_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const doc = (resource = 'arn:aws:lambda:us-east-1:123456789012:function:example_function') => `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAuroraToExampleFunction",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": "${resource}"
        }
    ]
}`;
const TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const create = (name: string, extra: Partial<CreatePolicyCommandInput> = {}) =>
  iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc(), ...extra }));
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

test('CreatePolicy answers the members IAM answers: v1, attachable, ANPA id, no Description or Tags unless given', async () => {
  const r = await create('rds-lambda-policy');
  const p = r.Policy!;
  assert.equal(p.PolicyName, 'rds-lambda-policy');
  assert.equal(p.Arn, arn('rds-lambda-policy'));
  assert.equal(p.Path, '/');
  assert.equal(p.DefaultVersionId, 'v1');
  assert.deepEqual([p.AttachmentCount, p.PermissionsBoundaryUsageCount, p.IsAttachable], [0, 0, true]);
  assert.match(p.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
  assert.ok(p.CreateDate instanceof Date && p.UpdateDate instanceof Date);
  assert.equal(p.Description, undefined);
  assert.equal(p.Tags, undefined);

  const full = await create('described', { Path: '/team/a/', Description: 'for aurora', Tags: [{ Key: 'env', Value: 'dev' }] });
  assert.equal(full.Policy!.Arn, arn('described', '/team/a/'));
  assert.equal(full.Policy!.Description, 'for aurora');
  assert.deepEqual(full.Policy!.Tags, [{ Key: 'env', Value: 'dev' }]);
  const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn('described', '/team/a/') }));
  assert.deepEqual([got.Policy!.Description, got.Policy!.Tags], ['for aurora', [{ Key: 'env', Value: 'dev' }]]);
});

test('IAM writes timestamps in whole seconds', async () => {
  const raw = await signedFetch(new URL(svc.endpoint), {
    method: 'POST',
    service: 'iam',
    region: 'us-east-1',
    credentials: ROOT,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: `Action=GetPolicy&Version=2010-05-08&PolicyArn=${encodeURIComponent(LAMBDA_ROLE)}`,
  });
  assert.equal(raw.headers.get('content-type'), 'text/xml');
  const xml = await raw.text();
  assert.match(xml, /^<GetPolicyResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><GetPolicyResult><Policy>/);
  assert.match(xml, /<CreateDate>2015-02-06T18:41:28Z<\/CreateDate>/);
  assert.match(xml, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetPolicyResponse>$/);
  const mine = await iam.send(new GetPolicyCommand({ PolicyArn: arn('rds-lambda-policy') }));
  assert.equal(mine.Policy!.CreateDate!.getMilliseconds(), 0);
  assert.match(mine.Policy!.CreateDate!.toISOString().replace('.000', ''), ISO_SECONDS);
});

test('CreatePolicy refusals: duplicate names (any case), malformed and oversized documents, model constraints', async () => {
  await refused(
    create('RDS-Lambda-Policy'),
    'EntityAlreadyExistsException',
    409,
    'A policy called RDS-Lambda-Policy already exists. Duplicate names are not allowed.',
  );
  await refused(create('bad-json', { PolicyDocument: 'not json' }), 'MalformedPolicyDocumentException', 400, 'Syntax errors in policy.');
  const statements = Array.from({ length: 60 }, (_, i) => ({
    Effect: 'Allow',
    Action: 'lambda:InvokeFunction',
    Resource: `arn:aws:lambda:us-east-1:123456789012:function:function-number-${i}`,
  }));
  await refused(
    create('too-big', { PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }),
    'LimitExceededException',
    409,
    'Cannot exceed quota for PolicySize: 6144',
  );
  await refused(
    create('has space'),
    'ValidationError',
    400,
    "1 validation error detected: Value 'has space' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
  await refused(
    iam.send(new CreatePolicyCommand({ PolicyName: 'no-doc' } as CreatePolicyCommandInput)),
    'ValidationError',
    400,
    "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null",
  );
  await refused(
    create('x'.repeat(129), { Path: 'nope' }),
    'ValidationError',
    400,
    /^2 validation errors detected: .*'policyName'.*less than or equal to 128; .*'path'.*pattern/,
  );
});

test('policy documents come back URL-encoded, exactly the text that was sent', async () => {
  const text = doc('arn:aws:lambda:us-east-1:123456789012:function:a+b');
  await create('encoded', { PolicyDocument: text });
  const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn('encoded'), VersionId: 'v1' }));
  // The JS SDK does not decode: users see IAM's encoding, which decodeURIComponent undoes.
  assert.equal(v.PolicyVersion!.Document, encodeURIComponent(text));
  assert.match(v.PolicyVersion!.Document!, /^%7B%0A%20%20%20%20%22Version%22/);
  assert.equal(decodeURIComponent(v.PolicyVersion!.Document!), text);
  assert.deepEqual([v.PolicyVersion!.VersionId, v.PolicyVersion!.IsDefaultVersion], ['v1', true]);
});

test('ListPolicies: Scope, OnlyAttached, PathPrefix and Marker paging', async () => {
  const names = async (input: ListPoliciesCommandInput) =>
    (await iam.send(new ListPoliciesCommand(input))).Policies!.map((p) => p.PolicyName);
  assert.deepEqual(await names({ Scope: 'AWS' }), ['AWSLambdaBasicExecutionRole', 'AWSLambdaRole']);
  assert.deepEqual(await names({ Scope: 'Local' }), ['described', 'encoded', 'rds-lambda-policy']);
  assert.deepEqual(await names({}), ['AWSLambdaBasicExecutionRole', 'AWSLambdaRole', 'described', 'encoded', 'rds-lambda-policy']);
  assert.deepEqual(await names({ PathPrefix: '/team/' }), ['described']);
  assert.deepEqual(await names({ Scope: 'All', PathPrefix: '/service-role/' }), ['AWSLambdaBasicExecutionRole', 'AWSLambdaRole']);

  const listed = (await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/team/' }))).Policies![0]!;
  assert.equal(listed.Description, undefined, 'ListPolicies leaves Description out');

  await iam.send(new CreateRoleCommand({ RoleName: 'lister', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'lister', PolicyArn: arn('encoded') }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'lister', PolicyArn: LAMBDA_ROLE }));
  // AWSLambdaBasicExecutionRole: attached to pglambda-default, the execution role every start makes.
  assert.deepEqual(await names({ OnlyAttached: true }), ['AWSLambdaBasicExecutionRole', 'AWSLambdaRole', 'encoded']);
  assert.deepEqual(await names({ OnlyAttached: true, Scope: 'Local' }), ['encoded']);
  assert.deepEqual(await names({ OnlyAttached: true, PolicyUsageFilter: 'PermissionsBoundary' }), []);

  const seen: string[] = [];
  let marker: string | undefined;
  do {
    const r = await iam.send(new ListPoliciesCommand({ MaxItems: 2, Marker: marker }));
    assert.ok(r.Policies!.length <= 2);
    seen.push(...r.Policies!.map((p) => p.PolicyName!));
    assert.equal(r.IsTruncated, r.Marker !== undefined);
    marker = r.Marker;
  } while (marker);
  assert.deepEqual(seen, await names({}));
  await refused(
    iam.send(new ListPoliciesCommand({ Scope: 'Mine' as 'All' })),
    'ValidationError',
    400,
    "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
  );

  await iam.send(new DetachRolePolicyCommand({ RoleName: 'lister', PolicyArn: arn('encoded') }));
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'lister', PolicyArn: LAMBDA_ROLE }));
});

test('policy versions: SetAsDefault, at most five, newest first, ids never reused, the default cannot go', async () => {
  await create('versioned');
  const policyArn = arn('versioned');
  const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: doc('*'), SetAsDefault: true }));
  assert.deepEqual([v2.PolicyVersion!.VersionId, v2.PolicyVersion!.IsDefaultVersion, v2.PolicyVersion!.Document], ['v2', true, undefined]);
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.DefaultVersionId, 'v2');
  for (const n of [3, 4, 5]) {
    const v = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: doc() }));
    assert.deepEqual([v.PolicyVersion!.VersionId, v.PolicyVersion!.IsDefaultVersion], [`v${n}`, false]);
  }
  await refused(
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: doc() })),
    'LimitExceededException',
    409,
    'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
  );

  const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }));
  assert.deepEqual(
    listed.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]),
    [
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ],
  );
  assert.equal(listed.Versions![0]!.Document, undefined);
  const first = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn, MaxItems: 2 }));
  const rest = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn, Marker: first.Marker }));
  assert.deepEqual(
    [...first.Versions!, ...rest.Versions!].map((v) => v.VersionId),
    ['v5', 'v4', 'v3', 'v2', 'v1'],
  );

  await refused(
    iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' })),
    'DeleteConflictException',
    409,
    'Cannot delete the default version of a policy.',
  );
  await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v3' }));
  const v6 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: doc() }));
  assert.equal(v6.PolicyVersion!.VersionId, 'v6');

  await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v6' }));
  const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v6' }));
  assert.equal(got.PolicyVersion!.IsDefaultVersion, true);
  await refused(
    iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v3' })),
    'NoSuchEntityException',
    404,
    `Policy ${policyArn} version v3 does not exist or is not attachable.`,
  );
  await refused(
    iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v9' })),
    'NoSuchEntityException',
    404,
    `Policy ${policyArn} version v9 does not exist or is not attachable.`,
  );
  await refused(
    iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'one' })),
    'ValidationError',
    400,
    "1 validation error detected: Value 'one' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
  );
  await refused(
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn('nope'), PolicyDocument: doc() })),
    'NoSuchEntityException',
    404,
    `Policy ${arn('nope')} was not found.`,
  );
  // Managed policies must be 2012-10-17.
  await refused(
    iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
      }),
    ),
    'MalformedPolicyDocumentException',
    400,
    'Policy document must be version 2012-10-17 or greater.',
  );
});

test('DeletePolicy: not while attached, not while it has other versions; unknown ARNs and non-ARNs', async () => {
  const policyArn = arn('versioned');
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'lister', PolicyArn: policyArn }));
  await refused(
    iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })),
    'DeleteConflictException',
    409,
    'Cannot delete a policy attached to entities.',
  );
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'lister', PolicyArn: policyArn }));
  await refused(
    iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })),
    'DeleteConflictException',
    409,
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  );
  for (const v of ['v1', 'v2', 'v4', 'v5']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: v }));
  await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn }));
  await refused(
    iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
    'NoSuchEntityException',
    404,
    `Policy ${policyArn} was not found.`,
  );
  await refused(
    iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })),
    'NoSuchEntityException',
    404,
    `Policy ${policyArn} was not found.`,
  );
  await refused(
    iam.send(new GetPolicyCommand({ PolicyArn: 'not-an-arn-but-long-enough' })),
    'ValidationError',
    400,
    'Invalid ARN:  Could not be parsed!',
  );
  await refused(
    iam.send(new GetPolicyCommand({ PolicyArn: 'short' })),
    'ValidationError',
    400,
    "1 validation error detected: Value 'short' at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
  );
});

test('AWS managed policies: in every account, as AWS publishes them, attachable, read-only', async () => {
  const p = (await iam.send(new GetPolicyCommand({ PolicyArn: LAMBDA_ROLE }))).Policy!;
  assert.deepEqual(
    [p.PolicyName, p.PolicyId, p.Path, p.DefaultVersionId, p.Description, p.IsAttachable, p.CreateDate!.toISOString()],
    [
      'AWSLambdaRole',
      'ANPAJX4DPCRGTC4NFDUXI',
      '/service-role/',
      'v1',
      'Default policy for AWS Lambda service role.',
      true,
      '2015-02-06T18:41:28.000Z',
    ],
  );
  const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: LAMBDA_ROLE, VersionId: 'v1' }));
  assert.deepEqual(JSON.parse(decodeURIComponent(v.PolicyVersion!.Document!)).Statement, [
    { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] },
  ]);
  const basic = await iam.send(new GetPolicyVersionCommand({ PolicyArn: BASIC_EXECUTION, VersionId: 'v1' }));
  assert.deepEqual(JSON.parse(decodeURIComponent(basic.PolicyVersion!.Document!)).Statement, [
    { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
  ]);

  await refused(
    iam.send(new DeletePolicyCommand({ PolicyArn: LAMBDA_ROLE })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${ACCT}:root is not authorized to perform: iam:DeletePolicy on resource: policy ${LAMBDA_ROLE}`,
  );
  await refused(
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: LAMBDA_ROLE, PolicyDocument: doc() })),
    'AccessDenied',
    403,
    /iam:CreatePolicyVersion on resource: policy arn:aws:iam::aws:policy\/service-role\/AWSLambdaRole$/,
  );
  await refused(
    iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NotAManagedPolicy' })),
    'NoSuchEntityException',
    404,
    'Policy arn:aws:iam::aws:policy/NotAManagedPolicy was not found.',
  );

  // Attachments are counted per account: another account's view of the same policy starts at 0.
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'lister', PolicyArn: LAMBDA_ROLE }));
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: LAMBDA_ROLE }))).Policy!.AttachmentCount, 1);
  const other = clientFor('111122223333');
  try {
    assert.equal((await other.send(new GetPolicyCommand({ PolicyArn: LAMBDA_ROLE }))).Policy!.AttachmentCount, 0);
    assert.deepEqual((await other.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies, []);
    await refused(
      other.send(new GetPolicyCommand({ PolicyArn: arn('encoded') })),
      'NoSuchEntityException',
      404,
      `Policy ${arn('encoded')} was not found.`,
    );
    const theirs = await other.send(new CreatePolicyCommand({ PolicyName: 'encoded', PolicyDocument: doc() }));
    assert.equal(theirs.Policy!.Arn, 'arn:aws:iam::111122223333:policy/encoded');
  } finally {
    other.destroy();
  }
});

test('the query protocol refuses unknown actions and versions as InvalidAction', async () => {
  const post = (body: string) =>
    signedFetch(new URL(svc.endpoint), {
      method: 'POST',
      service: 'iam',
      region: 'us-east-1',
      credentials: ROOT,
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
  const r = await post('Action=DescribeNothing&Version=2010-05-08');
  assert.equal(r.status, 400);
  assert.match(
    await r.text(),
    /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation DescribeNothing for version 2010-05-08<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
  );
  const old = await post('Action=GetPolicy&Version=2009-01-01');
  assert.match(await old.text(), /Could not find operation GetPolicy for version 2009-01-01/);
});
