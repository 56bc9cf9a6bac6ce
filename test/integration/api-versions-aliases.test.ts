/**
 * Versions and aliases through the official SDK: PublishVersion, ListVersionsByFunction, the alias
 * lifecycle, routing-configuration refusals, invoking through aliases, and weighted routing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { fnArn, refused } from '../helpers/aws-assert.js';
import { parsed, startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(() => svc.close());

const arn = (name: string, q?: string) => fnArn(name, q);
/** Code that says which code it is and which version the runtime was told it runs. */
const code = (tag: string) => ({
  'index.mjs': `export const handler = async () => ({ tag: ${JSON.stringify(tag)}, version: process.env.AWS_LAMBDA_FUNCTION_VERSION });`,
});

const publish = (FunctionName: string, extra: { CodeSha256?: string; Description?: string; RevisionId?: string } = {}) =>
  svc.client.send(new PublishVersionCommand({ FunctionName, ...extra }));
const newCode = async (FunctionName: string, tag: string) =>
  svc.client.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: await zipFiles(code(tag)) }));

/** A function with versions 1 (code "one") and 2 (code "two"). */
async function twoVersions(name: string): Promise<void> {
  await svc.createFunction(name, code('one'));
  await publish(name);
  await newCode(name, 'two');
  await publish(name);
}

test('PublishVersion numbers versions, returns the same version when nothing changed, and checks CodeSha256', async () => {
  await svc.createFunction('pub', code('one'));
  const v1 = await publish('pub', { Description: 'first release' });
  assert.equal(v1.$metadata.httpStatusCode, 201);
  assert.equal(v1.Version, '1');
  assert.equal(v1.FunctionArn, arn('pub', '1'));
  assert.equal(v1.Description, 'first release');
  assert.equal(v1.State, 'Active');
  assert.equal(v1.LastUpdateStatus, 'Successful');

  const again = await publish('pub');
  assert.equal(again.Version, '1');
  assert.equal(again.RevisionId, v1.RevisionId);

  await newCode('pub', 'two');
  // The update's RevisionId changes once it is done: the current one is GetFunction's after the waiter.
  await waitUntilFunctionUpdatedV2({ client: svc.client, maxWaitTime: 10 }, { FunctionName: 'pub' });
  const updated = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'pub' }));
  await refused(
    publish('pub', { CodeSha256: 'somenonexistentsha256' }),
    'InvalidParameterValueException',
    400,
    `CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST (${updated.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
  );
  await refused(
    publish('pub', { RevisionId: v1.RevisionId }),
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
  const v2 = await publish('pub', { CodeSha256: updated.CodeSha256, RevisionId: updated.RevisionId });
  assert.equal(v2.Version, '2');
  assert.equal(v2.CodeSha256, updated.CodeSha256);
  assert.equal((await publish('pub')).Version, '2');

  // A configuration change counts as a change.
  await svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'pub', Description: 'changed' }));
  const v3 = await publish('pub');
  assert.equal(v3.Version, '3');
  assert.equal(v3.Description, 'changed');

  // Published versions keep what they were published with.
  const old = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'pub', Qualifier: '1' }));
  assert.equal(old.CodeSha256, v1.CodeSha256);
  const r1 = await svc.client.send(new InvokeCommand({ FunctionName: 'pub', Qualifier: '1' }));
  assert.equal(r1.ExecutedVersion, '1');
  assert.deepEqual(parsed(r1.Payload), { tag: 'one', version: '1' });
  await refused(publish('nope'), 'ResourceNotFoundException', 404, `Function not found: ${arn('nope')}`);
});

test("PublishVersion gives the version a RevisionId of its own and $LATEST a new one; an alias leaves $LATEST's as it is", async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json, TestLambdaRevisions::test_function_revisions_version_and_alias:
  // publish_version_response_rev_v1, get_function_published_version_rev_v2, get_function_latest_rev3, get_function_latest_rev4; Nov 2025).
  await svc.createFunction('revisions', code('one'));
  await waitUntilFunctionActiveV2({ client: svc.client, maxWaitTime: 10 }, { FunctionName: 'revisions' });
  const revisionOf = async (Qualifier?: string) =>
    (await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'revisions', Qualifier }))).RevisionId;
  const active = await revisionOf();
  await refused(
    publish('revisions', { RevisionId: 'wrong' }),
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
  const v1 = await publish('revisions', { RevisionId: active });
  assert.notEqual(v1.RevisionId, active);
  assert.equal(await revisionOf('1'), v1.RevisionId);
  const latest = await revisionOf();
  assert.ok(latest !== active && latest !== v1.RevisionId, 'publishing gives $LATEST a RevisionId of its own');
  await svc.client.send(new CreateAliasCommand({ FunctionName: 'revisions', Name: 'live', FunctionVersion: '1' }));
  assert.equal(await revisionOf(), latest);
  // Nothing changed since: the same version, and $LATEST keeps its RevisionId.
  const again = await publish('revisions', { RevisionId: latest });
  assert.deepEqual([again.Version, again.RevisionId], ['1', v1.RevisionId]);
  assert.equal(await revisionOf(), latest);
  await newCode('revisions', 'two');
  assert.equal((await publish('revisions')).Version, '2');
});

test('PublishVersion with only a Description of its own returns the latest version as it is', async () => {
  // LocalStack's snapshots of AWS (test_lambda_api.snapshot.json, TestLambdaVersions::test_version_lifecycle:
  // second_publish_response and third_publish_response, the latter with a new Description; Nov 2025).
  await svc.createFunction('described', code('one'));
  const v1 = await publish('described', { Description: 'first release' });
  const again = await publish('described', { Description: 'another description' });
  assert.equal(again.$metadata.httpStatusCode, 201);
  assert.deepEqual([again.Version, again.Description, again.RevisionId], ['1', 'first release', v1.RevisionId]);
  const listed = await svc.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'described' }));
  assert.deepEqual(
    listed.Versions!.map((v) => v.Version),
    ['$LATEST', '1'],
  );
});

test('ListVersionsByFunction lists $LATEST first, then versions in order, and pages', async () => {
  await twoVersions('listed');
  const r = await svc.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'listed' }));
  assert.deepEqual(
    r.Versions!.map((v) => v.Version),
    ['$LATEST', '1', '2'],
  );
  assert.deepEqual(
    r.Versions!.map((v) => v.FunctionArn),
    [arn('listed', '$LATEST'), arn('listed', '1'), arn('listed', '2')],
  );
  assert.equal(r.NextMarker, undefined);

  const seen: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await svc.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'listed', MaxItems: 2, Marker }));
    seen.push(...page.Versions!.map((v) => v.Version!));
    Marker = page.NextMarker;
  } while (Marker);
  assert.deepEqual(seen, ['$LATEST', '1', '2']);
  await refused(
    svc.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'listed', MaxItems: 0 })),
    'ValidationException',
    400,
    "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
});

test('alias lifecycle: create, get, update, list (in pages), delete', async () => {
  await twoVersions('aliased');
  const c = await svc.client.send(
    new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1', Description: 'prod' }),
  );
  assert.equal(c.$metadata.httpStatusCode, 201);
  assert.equal(c.AliasArn, arn('aliased', 'live'));
  assert.equal(c.Name, 'live');
  assert.equal(c.FunctionVersion, '1');
  assert.equal(c.Description, 'prod');
  assert.match(c.RevisionId ?? '', /^[0-9a-f-]{36}$/);

  const g = await svc.client.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'live' }));
  assert.deepEqual({ ...g, $metadata: undefined }, { ...c, $metadata: undefined });

  const u = await svc.client.send(
    new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '2', RevisionId: c.RevisionId }),
  );
  assert.equal(u.FunctionVersion, '2');
  assert.equal(u.Description, 'prod', 'an update without Description keeps it');
  assert.notEqual(u.RevisionId, c.RevisionId);
  await refused(
    svc.client.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1', RevisionId: c.RevisionId })),
    'PreconditionFailedException',
    412,
    /^The Revision Id provided does not match the latest Revision Id/,
  );
  await refused(
    svc.client.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'missing', FunctionVersion: '1' })),
    'ResourceNotFoundException',
    404,
    `Alias not found: ${arn('aliased', 'missing')}`,
  );

  await svc.client.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'beta', FunctionVersion: '$LATEST' }));
  const all = await svc.client.send(new ListAliasesCommand({ FunctionName: 'aliased' }));
  assert.deepEqual(
    all.Aliases!.map((a) => [a.Name, a.FunctionVersion, a.AliasArn]),
    [
      ['beta', '$LATEST', arn('aliased', 'beta')],
      ['live', '2', arn('aliased', 'live')],
    ],
  );
  const first = await svc.client.send(new ListAliasesCommand({ FunctionName: 'aliased', MaxItems: 1 }));
  const second = await svc.client.send(new ListAliasesCommand({ FunctionName: 'aliased', MaxItems: 1, Marker: first.NextMarker }));
  assert.deepEqual(
    [first.Aliases!.map((a) => a.Name), second.Aliases!.map((a) => a.Name), second.NextMarker],
    [['beta'], ['live'], undefined],
  );
  const onTwo = await svc.client.send(new ListAliasesCommand({ FunctionName: 'aliased', FunctionVersion: '2' }));
  assert.deepEqual(
    onTwo.Aliases!.map((a) => a.Name),
    ['live'],
  );

  const d = await svc.client.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'beta' }));
  assert.equal(d.$metadata.httpStatusCode, 204);
  await refused(
    svc.client.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'beta' })),
    'ResourceNotFoundException',
    404,
    `Cannot find alias arn: ${arn('aliased', 'beta')}`,
  );
  // Deleting a missing alias is accepted, as on AWS.
  await svc.client.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'beta' }));
  await refused(
    svc.client.send(new GetAliasCommand({ FunctionName: 'nope', Name: 'live' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('nope')}`,
  );
});

test('alias names and duplicates are refused with AWS texts', async () => {
  await twoVersions('named');
  await refused(
    svc.client.send(new CreateAliasCommand({ FunctionName: 'named', Name: '2024', FunctionVersion: '1' })),
    'ValidationException',
    400,
    "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
  );
  await svc.client.send(new CreateAliasCommand({ FunctionName: 'named', Name: 'custom', FunctionVersion: '1' }));
  await refused(
    svc.client.send(new CreateAliasCommand({ FunctionName: 'named', Name: 'custom', FunctionVersion: '2' })),
    'ResourceConflictException',
    409,
    `Alias already exists: ${arn('named', 'custom')}`,
  );
  await refused(
    svc.client.send(new CreateAliasCommand({ FunctionName: 'named', Name: 'ghost', FunctionVersion: '10' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('named', '10')}`,
  );
});

test('routing configuration errors', async () => {
  await twoVersions('routed');
  const alias = (FunctionVersion: string, AdditionalVersionWeights: Record<string, number>) =>
    svc.client.send(
      new CreateAliasCommand({ FunctionName: 'routed', Name: 'r', FunctionVersion, RoutingConfig: { AdditionalVersionWeights } }),
    );
  await refused(
    alias('1', { 2: 0.1, 3: 0.1 }),
    'InvalidParameterValueException',
    400,
    'Number of items in AdditionalVersionWeights cannot be greater than 1',
  );
  await refused(
    alias('1', { 2: 1.5 }),
    'ValidationException',
    400,
    "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
  );
  await refused(
    alias('1', { 1: 0.5 }),
    'InvalidParameterValueException',
    400,
    'Invalid function version 1. Function version 1 is already included in routing configuration.',
  );
  await refused(
    alias('$LATEST', { 1: 0.5 }),
    'InvalidParameterValueException',
    400,
    '$LATEST is not supported for an alias pointing to more than 1 version',
  );
  await refused(alias('1', { 10: 0.5 }), 'ResourceNotFoundException', 404, `Function not found: ${arn('routed', '10')}`);
  await refused(
    alias('1', { 2: -1 }),
    'ValidationException',
    400,
    /^1 validation error detected: Value '\{2=-1\.0\}' at 'routingConfig\.additionalVersionWeights'/,
  );
  await refused(alias('1', { 2: 1.25 }), 'ValidationException', 400, /^1 validation error detected: Value '\{2=1\.25\}' at /);
  await refused(
    alias('1', { $LATEST: 0.5 }),
    'ValidationException',
    400,
    "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]",
  );
  // None of the refused requests left an alias behind; a valid one is accepted and shown.
  assert.deepEqual((await svc.client.send(new ListAliasesCommand({ FunctionName: 'routed' }))).Aliases, []);
  const ok = await alias('1', { 2: 0.25 });
  assert.deepEqual(ok.RoutingConfig, { AdditionalVersionWeights: { 2: 0.25 } });
  await refused(
    svc.client.send(new UpdateAliasCommand({ FunctionName: 'routed', Name: 'r', FunctionVersion: '2' })),
    'InvalidParameterValueException',
    400,
    'Invalid function version 2. Function version 2 is already included in routing configuration.',
  );
  const cleared = await svc.client.send(
    new UpdateAliasCommand({ FunctionName: 'routed', Name: 'r', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }),
  );
  assert.equal(cleared.FunctionVersion, '2');
  assert.equal(cleared.RoutingConfig, undefined);
});

test('invoking through an alias runs its version; versions an alias uses cannot be deleted', async () => {
  await twoVersions('invoked');
  await svc.client.send(new CreateAliasCommand({ FunctionName: 'invoked', Name: 'live', FunctionVersion: '1' }));
  for (const req of [
    { FunctionName: 'invoked', Qualifier: 'live' },
    { FunctionName: 'invoked:live' },
    { FunctionName: arn('invoked', 'live') },
  ]) {
    const r = await svc.client.send(new InvokeCommand(req));
    assert.equal(r.ExecutedVersion, '1', JSON.stringify(req));
    assert.deepEqual(parsed(r.Payload), { tag: 'one', version: '1' });
  }
  const cfg = await svc.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'invoked', Qualifier: 'live' }));
  assert.equal(cfg.Version, '1');

  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'invoked', Qualifier: '1' })),
    'ResourceConflictException',
    409,
    'Unable to delete version because the following aliases reference it: [live]',
  );
  await svc.client.send(new UpdateAliasCommand({ FunctionName: 'invoked', Name: 'live', FunctionVersion: '2' }));
  const r2 = await svc.client.send(new InvokeCommand({ FunctionName: 'invoked', Qualifier: 'live' }));
  assert.equal(r2.ExecutedVersion, '2');
  assert.deepEqual(parsed(r2.Payload), { tag: 'two', version: '2' });
  await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'invoked', Qualifier: '1' }));
  await refused(
    svc.client.send(new InvokeCommand({ FunctionName: 'invoked', Qualifier: '1' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('invoked', '1')}`,
  );
  await refused(
    svc.client.send(new InvokeCommand({ FunctionName: 'invoked', Qualifier: 'nolias' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${arn('invoked', 'nolias')}`,
  );
});

test('a weighted alias splits invocations between its versions by weight', async () => {
  await twoVersions('weighted');
  await svc.client.send(
    new CreateAliasCommand({
      FunctionName: 'weighted',
      Name: 'canary',
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { 2: 0.3 } },
    }),
  );
  await refused(
    svc.client.send(new DeleteFunctionCommand({ FunctionName: 'weighted', Qualifier: '2' })),
    'ResourceConflictException',
    409,
    'Unable to delete version because the following aliases reference it: [canary]',
  );
  const counts: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    const r = await svc.client.send(new InvokeCommand({ FunctionName: 'weighted', Qualifier: 'canary' }));
    const body = parsed(r.Payload);
    assert.equal(body.version, r.ExecutedVersion, 'the version reported is the one that ran');
    assert.equal(body.tag, r.ExecutedVersion === '1' ? 'one' : 'two');
    counts[r.ExecutedVersion!] = (counts[r.ExecutedVersion!] ?? 0) + 1;
  }
  assert.deepEqual(Object.keys(counts).sort(), ['1', '2']);
  // Binomial(200, 0.3): mean 60, standard deviation about 6.5.
  assert.ok(counts['2']! >= 35 && counts['2']! <= 100, `version 2 ran ${counts['2']} of 200 times`);
});
