/**
 * Function lifecycle through the official SDK: CreateFunction (fields and every validation
 * refusal), GetFunction / GetFunctionConfiguration in all identifier forms, ListFunctions paging,
 * Update*, DeleteFunction, the SDK waiters, and account / region isolation.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  paginateListFunctions,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionExists,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { fnArn, refused } from '../helpers/aws-assert.js';
import { ensureRole, TRUSTS_LAMBDA } from '../helpers/iam.js';
import { parsed, ROLE, startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(() => svc.close());

const ACCT = '123456789012';
const arn = (name: string, q?: string) => fnArn(name, q, ACCT);
const code = (tag: string) => ({ 'index.mjs': `export const handler = async () => ({ tag: ${JSON.stringify(tag)} });` });
const sha = (zip: Buffer) => createHash('sha256').update(zip).digest('base64');

async function createInput(name: string, extra: Partial<CreateFunctionCommandInput> = {}): Promise<CreateFunctionCommandInput> {
  return {
    FunctionName: name,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Role: ROLE,
    Code: { ZipFile: await zipFiles(code(name)) },
    ...extra,
  };
}
const create = async (name: string, extra: Partial<CreateFunctionCommandInput> = {}) =>
  svc.client.send(new CreateFunctionCommand(await createInput(name, extra)));

test('CreateFunction returns the configuration: unqualified ARN, $LATEST, Pending, CodeSha256 of the zip', async () => {
  const zip = await zipFiles(code('created'));
  const r = await svc.client.send(
    new CreateFunctionCommand({
      FunctionName: 'created',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: zip },
      Description: 'first',
      Timeout: 7,
      MemorySize: 256,
      Environment: { Variables: { A: '1' } },
    }),
  );
  assert.equal(r.$metadata.httpStatusCode, 201);
  assert.equal(r.FunctionName, 'created');
  assert.equal(r.FunctionArn, arn('created'));
  assert.equal(r.Version, '$LATEST');
  assert.equal(r.State, 'Pending');
  assert.equal(r.CodeSha256, sha(zip));
  assert.equal(r.CodeSize, zip.length);
  assert.deepEqual(
    [r.Runtime, r.Handler, r.Role, r.Description, r.Timeout, r.MemorySize],
    ['nodejs22.x', 'index.handler', ROLE, 'first', 7, 256],
  );
  assert.deepEqual(r.Environment?.Variables, { A: '1' });
  assert.equal(r.PackageType, 'Zip');
  assert.deepEqual(r.Architectures, ['x86_64']);
  assert.match(r.RevisionId ?? '', /^[0-9a-f-]{36}$/);
  assert.match(r.LastModified ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
});

test('CreateFunction with Publish:true answers Version "1" and an unqualified ARN', async () => {
  const r = await create('published-at-create', { Publish: true });
  assert.equal(r.Version, '1');
  assert.equal(r.FunctionArn, arn('published-at-create'));
  const v = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'published-at-create', Qualifier: '1' }));
  assert.equal(v.Version, '1');
  assert.equal(v.FunctionArn, arn('published-at-create', '1'));
});

test('creating a function twice is a ResourceConflictException', async () => {
  await create('twice');
  await refused(create('twice'), 'ResourceConflictException', 409, 'Function already exist: twice');
});

test('CreateFunction validation errors carry AWS exception classes and texts', async () => {
  const long = 'a'.repeat(65);
  await refused(
    create(long),
    'InvalidParameterValueException',
    400,
    `1 validation error detected: Value '${long}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
  );
  await refused(
    create('invalid:function:name'),
    'ValidationException',
    400,
    "1 validation error detected: Value 'invalid:function:name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
  );
  const constraint = (v: string, member: string, c: string) =>
    `1 validation error detected: Value '${v}' at '${member}' failed to satisfy constraint: ${c}`;
  await refused(
    create('v-timeout-0', { Timeout: 0 }),
    'ValidationException',
    400,
    constraint('0', 'timeout', 'Member must have value greater than or equal to 1'),
  );
  await refused(
    create('v-timeout-901', { Timeout: 901 }),
    'ValidationException',
    400,
    constraint('901', 'timeout', 'Member must have value less than or equal to 900'),
  );
  await refused(
    create('v-mem-127', { MemorySize: 127 }),
    'ValidationException',
    400,
    constraint('127', 'memorySize', 'Member must have value greater than or equal to 128'),
  );
  await refused(
    create('v-mem-10241', { MemorySize: 10241 }),
    'ValidationException',
    400,
    constraint('10241', 'memorySize', 'Member must have value less than or equal to 10240'),
  );
  await refused(
    create('v-role', { Role: 'r1' }),
    'ValidationException',
    400,
    constraint(
      'r1',
      'role',
      'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+',
    ),
  );
  // LSS test_lambda_api.snapshot.json, TestLambdaFunction::test_create_lambda_exceptions: invalid_runtime_exc, uppercase_runtime_exc (Jan 2026).
  const runtimes =
    'nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2';
  await refused(
    create('v-runtime', { Runtime: 'non-existent-runtime' as never }),
    'InvalidParameterValueException',
    400,
    `Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${runtimes}] or be a valid ARN`,
  );
  await refused(
    create('v-runtime-case', { Runtime: 'PYTHON3.9' as never }),
    'InvalidParameterValueException',
    400,
    `Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${runtimes}] or be a valid ARN`,
  );
  await refused(
    create('v-deprecated', { Runtime: 'nodejs16.x' }),
    'InvalidParameterValueException',
    400,
    'The runtime parameter of nodejs16.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.',
  );
  await refused(
    create('v-env-reserved', { Environment: { Variables: { AWS_REGION: 'x', OK: '1' } } }),
    'InvalidParameterValueException',
    400,
    'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION',
  );
  const big = { LARGE_VAR: 'x'.repeat(4096) };
  await refused(
    create('v-env-big', { Environment: { Variables: big } }),
    'InvalidParameterValueException',
    400,
    `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(big)}`,
  );
  // Nothing half-accepted: none of these left a function behind.
  const names = (await svc.client.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
  assert.ok(!names.some((n) => n!.startsWith('v-')), names.join());
});

test('code sources pglambda does not run are refused, and a corrupt zip is refused', async () => {
  const input = await createInput('no-s3');
  await refused(
    svc.client.send(new CreateFunctionCommand({ ...input, Code: { S3Bucket: 'b', S3Key: 'k.zip' } })),
    'InvalidParameterValueException',
    400,
    /S3.*not supported by pglambda/,
  );
  await refused(
    svc.client.send(
      new CreateFunctionCommand({
        ...input,
        FunctionName: 'no-image',
        Code: { ImageUri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/x:1' },
        PackageType: 'Image',
      }),
    ),
    'InvalidParameterValueException',
    400,
    /not supported by pglambda/,
  );
  await refused(
    create('no-layers', { Layers: ['arn:aws:lambda:us-west-2:123456789012:layer:l:1'] }),
    'InvalidParameterValueException',
    400,
    /^Layers are not supported by pglambda/,
  );
  await refused(
    create('corrupt', { Code: { ZipFile: Buffer.from('this is not a zip file') } }),
    'InvalidParameterValueException',
    400,
    'Could not unzip uploaded file. Please check your file, then try to upload again.',
  );
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'corrupt' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('corrupt')}`,
  );
});

test('GetFunction gives the configuration and a Code.Location that serves the zip', async () => {
  const zip = await zipFiles(code('getme'));
  await svc.createFunction('getme', code('getme'), { Tags: { team: 'db' } });
  const r = await svc.client.send(new GetFunctionCommand({ FunctionName: 'getme' }));
  assert.equal(r.Configuration?.FunctionArn, arn('getme'));
  assert.equal(r.Configuration?.CodeSha256, sha(zip));
  assert.equal(r.Code?.RepositoryType, 'S3');
  assert.deepEqual(r.Tags, { team: 'db' });
  const res = await fetch(r.Code!.Location!);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), zip);
  // Presigned, as on AWS: the package's hash alone (CodeSha256 is public) or a changed expiry gets nothing.
  const location = new URL(r.Code!.Location!);
  const bare = await fetch(`${location.origin}${location.pathname}`);
  assert.deepEqual(
    [bare.status, (await bare.json()).message],
    [403, 'The request signature we calculated does not match the signature you provided.'],
  );
  location.searchParams.set('Expires', String(Number(location.searchParams.get('Expires')) + 3600));
  assert.equal((await fetch(location)).status, 403);

  const c = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'getme' }));
  assert.equal(c.FunctionArn, arn('getme'));
  assert.equal(c.Version, '$LATEST');
  const q = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'getme', Qualifier: '$LATEST' }));
  assert.equal(q.FunctionArn, arn('getme', '$LATEST'));
  const g = await svc.client.send(new GetFunctionCommand({ FunctionName: 'getme', Qualifier: '$LATEST' }));
  assert.equal(g.Configuration?.FunctionArn, arn('getme', '$LATEST'));
});

test('missing functions and versions are ResourceNotFoundException with the ARN', async () => {
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'nope' })),
    'ResourceNotFoundException',
    404,
    'Function not found: arn:aws:lambda:us-west-2:123456789012:function:nope',
  );
  await refused(
    svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('nope')}`,
  );
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'getme', Qualifier: '1221' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('getme', '1221')}`,
  );
});

test('every identifier form finds the function; other regions and qualifier conflicts are refused', async () => {
  await create('forms', { Publish: true });
  for (const FunctionName of [
    'forms',
    'forms:1',
    'forms:$LATEST',
    `${ACCT}:function:forms`,
    `us-west-2:${ACCT}:function:forms`,
    arn('forms'),
    arn('forms', '1'),
  ]) {
    const r = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName }));
    assert.equal(r.FunctionName, 'forms', FunctionName);
  }
  const v1 = await svc.client.send(new GetFunctionCommand({ FunctionName: 'forms:1' }));
  assert.equal(v1.Configuration?.Version, '1');
  assert.equal(v1.Configuration?.FunctionArn, arn('forms', '1'));
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:forms' })),
    'ResourceNotFoundException',
    404,
    "Functions from 'us-east-1' are not reachable in this region ('us-west-2')",
  );
  const conflict = 'The derived qualifier from the function name does not match the specified qualifier.';
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'forms:1', Qualifier: '$LATEST' })),
    'InvalidParameterValueException',
    400,
    conflict,
  );
  await refused(
    svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: arn('forms', '1'), Qualifier: '2' })),
    'InvalidParameterValueException',
    400,
    conflict,
  );
  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'forms:1', Qualifier: '2' })),
    'InvalidParameterValueException',
    400,
    conflict,
  );
  // Same qualifier in both places is fine.
  const same = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'forms:1', Qualifier: '1' }));
  assert.equal(same.Version, '1');
});

test('ListFunctions pages with MaxItems and NextMarker, each function exactly once', async () => {
  const pager = svc.clientFor({ region: 'ap-south-1' });
  const create5 = ['p1', 'p2', 'p3', 'p4', 'p5'];
  for (const name of create5) await pager.send(new CreateFunctionCommand(await createInput(name)));
  const seen: string[] = [];
  let Marker: string | undefined;
  let pages = 0;
  do {
    const r = await pager.send(new ListFunctionsCommand({ MaxItems: 2, Marker }));
    assert.ok(r.Functions!.length <= 2);
    seen.push(...r.Functions!.map((f) => f.FunctionName!));
    for (const f of r.Functions!) assert.equal(f.FunctionArn, `arn:aws:lambda:ap-south-1:${ACCT}:function:${f.FunctionName}`);
    Marker = r.NextMarker;
    pages++;
  } while (Marker);
  assert.equal(pages, 3);
  assert.deepEqual([...seen].sort(), create5);
  pager.destroy();
});

test('a ListFunctions page holds 50 functions at most, whatever MaxItems asks; MaxItems out of range is refused', async () => {
  // "ListFunctions returns a maximum of 50 items in each response, even if you set the number higher" (the API reference).
  const lister = svc.clientFor({ region: 'eu-north-1' });
  const names = Array.from({ length: 52 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
  for (const name of names) await lister.send(new CreateFunctionCommand(await createInput(name)));
  const first = await lister.send(new ListFunctionsCommand({ MaxItems: 10000 }));
  assert.equal(first.Functions!.length, 50);
  assert.ok(first.NextMarker);
  const rest = await lister.send(new ListFunctionsCommand({ MaxItems: 10000, Marker: first.NextMarker }));
  assert.deepEqual([...first.Functions!, ...rest.Functions!].map((f) => f.FunctionName).sort(), names);
  assert.equal(rest.NextMarker, undefined);
  const outOfRange = (value: number, bound: string) =>
    `1 validation error detected: Value '${value}' at 'maxItems' failed to satisfy constraint: Member must have value ${bound}`;
  await refused(
    lister.send(new ListFunctionsCommand({ MaxItems: 0 })),
    'ValidationException',
    400,
    outOfRange(0, 'greater than or equal to 1'),
  );
  await refused(
    lister.send(new ListFunctionsCommand({ MaxItems: 10001 })),
    'ValidationException',
    400,
    outOfRange(10001, 'less than or equal to 10000'),
  );
  lister.destroy();
});

test('UpdateFunctionConfiguration changes what Get shows and the RevisionId; a stale RevisionId is refused', async () => {
  await create('reconf');
  await waitUntilFunctionActiveV2({ client: svc.client, maxWaitTime: 10 }, { FunctionName: 'reconf' });
  const active = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'reconf' }));
  const r = await svc.client.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: 'reconf',
      Timeout: 30,
      MemorySize: 512,
      Description: 'now',
      Environment: { Variables: { MODE: 'x' } },
      RevisionId: active.RevisionId,
    }),
  );
  assert.notEqual(r.RevisionId, active.RevisionId);
  const g = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'reconf' }));
  assert.equal(g.Timeout, 30);
  assert.equal(g.MemorySize, 512);
  assert.equal(g.Description, 'now');
  assert.deepEqual(g.Environment?.Variables, { MODE: 'x' });
  await refused(
    svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'reconf', Timeout: 5, RevisionId: active.RevisionId })),
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
  await refused(
    svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'reconf', Timeout: 0 })),
    'ValidationException',
    400,
    /at 'timeout'/,
  );
  await refused(
    svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'nope', Timeout: 5 })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('nope')}`,
  );
});

test('UpdateFunctionCode gives a new CodeSha256, invocations run the new code, Publish:true publishes', async () => {
  await create('recode');
  const before = await svc.client.send(new InvokeCommand({ FunctionName: 'recode' }));
  assert.deepEqual(parsed(before.Payload), { tag: 'recode' });
  const zip = await zipFiles(code('second'));
  const r = await svc.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'recode', ZipFile: zip }));
  assert.equal(r.CodeSha256, sha(zip));
  assert.equal(r.Version, '$LATEST');
  const after = await svc.client.send(new InvokeCommand({ FunctionName: 'recode' }));
  assert.deepEqual(parsed(after.Payload), { tag: 'second' });

  const third = await svc.client.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'recode', ZipFile: await zipFiles(code('third')), Publish: true }),
  );
  assert.equal(third.Version, '1');
  const v1 = await svc.client.send(new InvokeCommand({ FunctionName: 'recode', Qualifier: '1' }));
  assert.equal(v1.ExecutedVersion, '1');
  assert.deepEqual(parsed(v1.Payload), { tag: 'third' });
});

test('DeleteFunction removes a function or one version; $LATEST and aliases cannot be deleted by qualifier', async () => {
  await create('doomed');
  const d = await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }));
  assert.ok([200, 204].includes(d.$metadata.httpStatusCode!));
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'doomed' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('doomed')}`,
  );
  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'doomed' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('doomed')}`,
  );

  await create('versioned', { Publish: true });
  await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }));
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('versioned', '1')}`,
  );
  const still = await svc.client.send(new GetFunctionCommand({ FunctionName: 'versioned' }));
  assert.equal(still.Configuration?.Version, '$LATEST');
  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '$LATEST' })),
    'InvalidParameterValueException',
    400,
    '$LATEST version cannot be deleted without deleting the function.',
  );
  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: 'live' })),
    'InvalidParameterValueException',
    400,
    'Deletion of aliases is not currently supported.',
  );
  await svc.client.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
  await svc.client.send(new DeleteFunctionCommand({ FunctionName: arn('versioned') }));
  // Named with the qualifier asked for, as in the validation snapshots of the test below.
  await refused(
    svc.client.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '2' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('versioned', '2')}`,
  );
});

test('DeleteFunction of a version that does not exist succeeds; of a function that does not exist, it is not found', async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json, TestLambdaFunction::test_delete_on_nonexisting_version;
  // Nov 2025): deleting version 1233 of an existing function succeeds, twice; once the function is gone, both forms are
  // ResourceNotFoundException with the unqualified ARN.
  await create('no-such-version');
  for (let i = 0; i < 2; i++) {
    const d = await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'no-such-version', Qualifier: '1233' }));
    assert.equal(d.$metadata.httpStatusCode, 204);
  }
  assert.equal((await svc.client.send(new GetFunctionCommand({ FunctionName: 'no-such-version' }))).Configuration?.Version, '$LATEST');
  await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'no-such-version' }));
  const gone = `Function not found: ${arn('no-such-version')}`;
  await refused(svc.client.send(new DeleteFunctionCommand({ FunctionName: 'no-such-version' })), 'ResourceNotFoundException', 404, gone);
  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'no-such-version', Qualifier: '1233' })),
    'ResourceNotFoundException',
    404,
    gone,
  );
});

/** The pattern AWS quotes for a NamespacedFunctionName (GetFunction, DeleteFunction, Invoke, …). */
const NAMESPACED = String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`;

test('a malformed function name is refused with the pattern AWS quotes for the operation', async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json, TestLambdaFunction::test_function_name_and_qualifier_validation
  // [invalid_characters_in_function_name-*] and [function_name_is_single_invalid-*]; Nov 2025).
  const named = String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`;
  const message = (value: string, pattern: string) =>
    `1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`;
  for (const FunctionName of ['my-function!', '*']) {
    await refused(svc.client.send(new GetFunctionCommand({ FunctionName })), 'ValidationException', 400, message(FunctionName, NAMESPACED));
    await refused(
      svc.client.send(new DeleteFunctionCommand({ FunctionName })),
      'ValidationException',
      400,
      message(FunctionName, NAMESPACED),
    );
    await refused(svc.client.send(new InvokeCommand({ FunctionName })), 'ValidationException', 400, message(FunctionName, NAMESPACED));
    await refused(create(FunctionName), 'ValidationException', 400, message(FunctionName, named));
  }
});

test('names and Qualifier parameters are validated and read as AWS reads them', async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json,
  // TestLambdaFunction::test_function_name_and_qualifier_validation[*-get_function|invoke]; Nov 2025), for a
  // function that does not exist.
  const qualifierPattern = String.raw`\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`;
  const bad = (value: string, member: string, constraint: string) =>
    `Value '${value}' at '${member}' failed to satisfy constraint: Member must ${constraint}`;
  const invalid = (...violations: string[]) =>
    [
      'ValidationException',
      400,
      `${violations.length} validation error${violations.length > 1 ? 's' : ''} detected: ${violations.join('; ')}`,
    ] as const;
  const notFound = (get: string, invoke = `${get}:$LATEST`) => ({
    get: ['ResourceNotFoundException', 404, `Function not found: ${get}`] as const,
    invoke: ['ResourceNotFoundException', 404, `Function not found: ${invoke}`] as const,
  });
  const both = (answer: readonly [string, number, string]) => ({ get: answer, invoke: answer });
  const long = 'a'.repeat(129);
  const badRegion = `arn:aws:lambda:invalid-region:${ACCT}:function:my-function-${'a'.repeat(170)}`;
  const cases: Array<[string, string | undefined, { get: readonly [string, number, string]; invoke: readonly [string, number, string] }]> =
    [
      ['no-such-fn', 'invalid!', both(invalid(bad('invalid!', 'qualifier', `satisfy regular expression pattern: ${qualifierPattern}`)))],
      ['no-such-fn', long, both(invalid(bad(long, 'qualifier', 'have length less than or equal to 128')))],
      [
        badRegion,
        long,
        both(
          invalid(
            bad(badRegion, 'functionName', `satisfy regular expression pattern: ${NAMESPACED}`),
            bad(long, 'qualifier', 'have length less than or equal to 128'),
          ),
        ),
      ],
      // An ARN that stops after the account names a function called "function".
      [`arn:aws:lambda:us-west-2:${ACCT}:function`, undefined, notFound(arn('function'))],
      ['no-such-fn', '$latest', notFound(arn('no-such-fn', '$latest'), arn('no-such-fn', '$latest'))],
      [`no-such-fn:${'a'.repeat(65)}`, undefined, notFound(arn('no-such-fn', 'a'.repeat(65)), arn('no-such-fn', 'a'.repeat(65)))],
    ];
  for (const [FunctionName, Qualifier, want] of cases) {
    await refused(svc.client.send(new GetFunctionCommand({ FunctionName, Qualifier })), ...want.get);
    await refused(svc.client.send(new InvokeCommand({ FunctionName, Qualifier })), ...want.invoke);
  }
});

const STATE_MEMBERS = [
  'State',
  'StateReason',
  'StateReasonCode',
  'LastUpdateStatus',
  'LastUpdateStatusReason',
  'LastUpdateStatusReasonCode',
] as const;
const stateOf = (c: FunctionConfiguration | undefined) =>
  Object.fromEntries(STATE_MEMBERS.filter((k) => c?.[k] !== undefined).map((k) => [k, c![k]]));
const ACTIVE = { State: 'Active', LastUpdateStatus: 'Successful' };

test('a function is Pending after CreateFunction and InProgress after an update, then Active and Successful under a new RevisionId', async () => {
  // As AWS answers in LocalStack's snapshots of AWS (test_lambda_api.snapshot.json,
  // TestLambdaRevisions::test_function_revisions_basic: create_function_response_rev1, get_function_response_rev2,
  // update_function_code_response_rev3, get_function_response_rev4, update_function_configuration_response_rev5; Nov 2025).
  const created = await create('lifecycle');
  assert.deepEqual(stateOf(created), { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' });
  const t0 = Date.now();
  assert.equal((await waitUntilFunctionActiveV2({ client: svc.client, maxWaitTime: 10 }, { FunctionName: 'lifecycle' })).state, 'SUCCESS');
  assert.ok(Date.now() - t0 < 3000, `the Active waiter took ${Date.now() - t0} ms`);
  const active = (await svc.client.send(new GetFunctionCommand({ FunctionName: 'lifecycle' }))).Configuration;
  assert.deepEqual(stateOf(active), ACTIVE);
  assert.notEqual(active?.RevisionId, created.RevisionId, 'becoming Active changes the RevisionId');

  const inProgress = {
    State: 'Active',
    LastUpdateStatus: 'InProgress',
    LastUpdateStatusReason: 'The function is being created.',
    LastUpdateStatusReasonCode: 'Creating',
  };
  const coded = await svc.client.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'lifecycle', ZipFile: await zipFiles(code('v2')), RevisionId: active?.RevisionId }),
  );
  assert.deepEqual(stateOf(coded), inProgress);
  assert.equal((await waitUntilFunctionUpdatedV2({ client: svc.client, maxWaitTime: 10 }, { FunctionName: 'lifecycle' })).state, 'SUCCESS');
  const updated = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'lifecycle' }));
  assert.deepEqual(stateOf(updated), ACTIVE);
  assert.notEqual(updated.RevisionId, coded.RevisionId, 'finishing the update changes the RevisionId');
  const configured = await svc.client.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: 'lifecycle', Timeout: 9, RevisionId: updated.RevisionId }),
  );
  assert.deepEqual(stateOf(configured), inProgress);
  assert.equal((await waitUntilFunctionExists({ client: svc.client, maxWaitTime: 10 }, { FunctionName: 'lifecycle' })).state, 'SUCCESS');

  // AWS refuses an Invoke while Pending; pglambda's function is ready as soon as it is created, and runs.
  const fresh = await create('invoked-while-pending');
  assert.equal(fresh.State, 'Pending');
  assert.deepEqual(parsed((await svc.client.send(new InvokeCommand({ FunctionName: 'invoked-while-pending' }))).Payload), {
    tag: 'invoked-while-pending',
  });
});

test("configurations carry their runtime's RuntimeVersionConfig", async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json, TestLambdaFunction::test_list_functions:
  // create_response_1 and create_response_2, two python3.12 functions with one RuntimeVersionArn; Nov 2025).
  const a = await create('runtime-a', { Publish: true });
  const b = await create('runtime-b');
  const py = await create('runtime-py', { Runtime: 'python3.12', Handler: 'index.handler' });
  const versionArn = a.RuntimeVersionConfig?.RuntimeVersionArn;
  assert.match(versionArn ?? '', /^arn:aws:lambda:us-west-2::runtime:[0-9a-f]{64}$/);
  assert.equal(b.RuntimeVersionConfig?.RuntimeVersionArn, versionArn, 'the same runtime');
  assert.notEqual(py.RuntimeVersionConfig?.RuntimeVersionArn, versionArn, 'another runtime');
  const got = await svc.client.send(new GetFunctionCommand({ FunctionName: 'runtime-a' }));
  assert.equal(got.Configuration?.RuntimeVersionConfig?.RuntimeVersionArn, versionArn);
  const v1 = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'runtime-a', Qualifier: '1' }));
  assert.equal(v1.RuntimeVersionConfig?.RuntimeVersionArn, versionArn);
});

/** Members AWS leaves out of list entries (test_list_functions list_all / list_default, test_version_lifecycle list_versions_result). */
const NOT_LISTED = [...STATE_MEMBERS, 'RuntimeVersionConfig'] as const;
const listedMembers = (fs: FunctionConfiguration[]) => fs.flatMap((f) => NOT_LISTED.filter((k) => f[k] !== undefined));

test('ListFunctions with FunctionVersion=ALL lists each published version after its $LATEST, paged or not; other values are refused', async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json, TestLambdaFunction::test_list_functions: list_all with
  // PageSize 1, list_default, list_functions_invalid_functionversion; Nov 2025): with ALL every entry has a qualified ARN.
  const c = svc.clientFor({ region: 'ap-northeast-1' });
  try {
    await c.send(new CreateFunctionCommand(await createInput('all-a', { Publish: true })));
    await c.send(new UpdateFunctionCodeCommand({ FunctionName: 'all-a', ZipFile: await zipFiles(code('all-a2')), Publish: true }));
    await c.send(new CreateFunctionCommand(await createInput('all-b')));
    await c.send(new CreateFunctionCommand(await createInput('all-c', { Publish: true })));
    const entries = (fs: FunctionConfiguration[]) =>
      fs.map((f) => f.FunctionArn!.replace(`arn:aws:lambda:ap-northeast-1:${ACCT}:function:`, ''));
    const everything = ['all-a:$LATEST', 'all-a:1', 'all-a:2', 'all-b:$LATEST', 'all-c:$LATEST', 'all-c:1'];

    const all = (await c.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }))).Functions!;
    assert.deepEqual(entries(all), everything);
    assert.deepEqual(
      all.map((f) => f.Version),
      ['$LATEST', '1', '2', '$LATEST', '$LATEST', '1'],
    );
    for (const MaxItems of [1, 2, 4]) {
      const seen: FunctionConfiguration[] = [];
      for await (const page of paginateListFunctions({ client: c, pageSize: MaxItems }, { FunctionVersion: 'ALL' })) {
        assert.ok(page.Functions!.length <= MaxItems);
        seen.push(...page.Functions!);
      }
      assert.deepEqual(entries(seen), everything, `MaxItems ${MaxItems}`);
    }
    const latest = (await c.send(new ListFunctionsCommand({}))).Functions!;
    assert.deepEqual(entries(latest), ['all-a', 'all-b', 'all-c']);

    assert.deepEqual(listedMembers([...all, ...latest]), [], 'list entries carry no state and no RuntimeVersionConfig');
    const versions = (await c.send(new ListVersionsByFunctionCommand({ FunctionName: 'all-a' }))).Versions!;
    assert.deepEqual(
      versions.map((v) => v.Version),
      ['$LATEST', '1', '2'],
    );
    assert.deepEqual(listedMembers(versions), [], "nor do ListVersionsByFunction's");

    await refused(
      c.send(new ListFunctionsCommand({ FunctionVersion: 'invalid' as 'ALL' })),
      'ValidationException',
      400,
      "1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]",
    );
  } finally {
    c.destroy();
  }
});

test('regions and accounts are separate: other regions and 12-digit access keys see their own functions', async () => {
  const eu = svc.clientFor({ region: 'eu-west-1' });
  const other = svc.clientFor({ accessKeyId: '111111111111' });
  try {
    const r = await eu.send(new CreateFunctionCommand(await createInput('regional')));
    assert.equal(r.FunctionArn, `arn:aws:lambda:eu-west-1:${ACCT}:function:regional`);
    await refused(
      svc.client.send(new GetFunctionCommand({ FunctionName: 'regional' })),
      'ResourceNotFoundException',
      404,
      `Function not found: ${arn('regional')}`,
    );
    await refused(
      svc.client.send(new GetFunctionCommand({ FunctionName: r.FunctionArn })),
      'ResourceNotFoundException',
      404,
      "Functions from 'eu-west-1' are not reachable in this region ('us-west-2')",
    );
    const west = (await svc.client.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    assert.ok(!west.includes('regional'));
    assert.deepEqual(
      (await eu.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName),
      ['regional'],
    );

    const otherRole = await ensureRole(svc.endpoint, 'test-role', TRUSTS_LAMBDA, '111111111111');
    const o = await other.send(new CreateFunctionCommand(await createInput('getme', { Role: otherRole })));
    assert.equal(o.FunctionArn, 'arn:aws:lambda:us-west-2:111111111111:function:getme');
    const g = await other.send(new GetFunctionCommand({ FunctionName: 'getme' }));
    assert.equal(g.Configuration?.FunctionArn, 'arn:aws:lambda:us-west-2:111111111111:function:getme');
    assert.equal(g.Tags, undefined, "the default account's getme has tags; this one has none");
    await refused(
      other.send(new GetFunctionCommand({ FunctionName: 'reconf' })),
      'ResourceNotFoundException',
      404,
      'Function not found: arn:aws:lambda:us-west-2:111111111111:function:reconf',
    );
    const inv = await other.send(new InvokeCommand({ FunctionName: 'getme' }));
    assert.deepEqual(parsed(inv.Payload), { tag: 'getme' });
  } finally {
    eu.destroy();
    other.destroy();
  }
});

test('packages no version uses any more (a deleted function, replaced code) are removed; those in use stay', async () => {
  const zip = (n: number) => zipFiles({ 'index.mjs': `export const handler = async () => ${n};` });
  const idOf = (z: Buffer) => createHash('sha256').update(z).digest('hex');
  const [z1, z2, z3, z4] = await Promise.all([1, 2, 3, 4].map((n) => zip(1000 + n)));
  await svc.createFunction('gc-kept', {}, { Code: { ZipFile: z1 } });
  await svc.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'gc-kept', ZipFile: z2, Publish: true }));
  await svc.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'gc-kept', ZipFile: z3 }));
  await svc.createFunction('gc-gone', {}, { Code: { ZipFile: z4 } });
  await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'gc-gone' }));
  svc = await svc.restart();
  const names = new Set(await readdir(join(svc.dataDir, 'code')));
  assert.deepEqual(
    [z1, z2, z3, z4].map((z) => names.has(idOf(z)) && names.has(`${idOf(z)}.zip`)),
    [false, true, true, false],
    "replaced $LATEST code and the deleted function's package went; version 1's and $LATEST's stayed",
  );
  assert.equal((await svc.client.send(new InvokeCommand({ FunctionName: 'gc-kept', Qualifier: '1' }))).StatusCode, 200);
});
