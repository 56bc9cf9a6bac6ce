/**
 * Resource-based policies through the official SDK and the aws CLI: AddPermission, GetPolicy and
 * RemovePermission, the document Lambda builds, policies of versions and aliases, and AWS's errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetPolicyCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
  type AddPermissionCommandInput,
} from '@aws-sdk/client-lambda';
import { failure, fnArn, refused } from '../helpers/aws-assert.js';
import { aws, skipWithoutAwsCli } from '../helpers/aws-cli.js';
import { startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(() => svc.close());

const CODE = { 'index.mjs': 'export const handler = async () => "ok";' };
const S3 = { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };

const add = (FunctionName: string, input: Partial<AddPermissionCommandInput>) =>
  svc.client.send(new AddPermissionCommand({ FunctionName, StatementId: 's3', ...S3, ...input } as AddPermissionCommandInput));
const getPolicy = (FunctionName: string, Qualifier?: string) => svc.client.send(new GetPolicyCommand({ FunctionName, Qualifier }));
const policyOf = async (FunctionName: string, Qualifier?: string) => JSON.parse((await getPolicy(FunctionName, Qualifier)).Policy!);
const remove = (FunctionName: string, StatementId: string, extra: { Qualifier?: string; RevisionId?: string } = {}) =>
  svc.client.send(new RemovePermissionCommand({ FunctionName, StatementId, ...extra }));

/** A function with version 1 and the alias `live` on it. */
async function withVersionAndAlias(name: string): Promise<void> {
  await svc.createFunction(name, CODE);
  await svc.client.send(new PublishVersionCommand({ FunctionName: name }));
  await svc.client.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}

test('AddPermission answers the statement it added; GetPolicy the whole document and its revision', async () => {
  await svc.createFunction('perm', CODE);
  const added = await add('perm', { SourceArn: 'arn:aws:s3:::my-bucket', SourceAccount: '123456789012' });
  assert.equal(added.$metadata.httpStatusCode, 201);
  const statement = {
    Sid: 's3',
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: fnArn('perm'),
    Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::my-bucket' } },
  };
  // The text itself, member order included, is what AWS answers.
  assert.equal(added.Statement, JSON.stringify(statement));

  await add('perm', { StatementId: 'xaccount', Principal: '210987654321', SourceArn: undefined, SourceAccount: undefined });
  const got = await getPolicy('perm');
  assert.equal(got.$metadata.httpStatusCode, 200);
  assert.match(got.RevisionId ?? '', /^[0-9a-f-]{36}$/);
  assert.deepEqual(JSON.parse(got.Policy!), {
    Version: '2012-10-17',
    Id: 'default',
    Statement: [
      statement,
      {
        Sid: 'xaccount',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::210987654321:root' },
        Action: 'lambda:InvokeFunction',
        Resource: fnArn('perm'),
      },
    ],
  });
  assert.ok(got.Policy!.startsWith('{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"s3","Effect":"Allow","Principal":'));
});

test('principals and the optional members each become what AWS writes', async () => {
  await svc.createFunction('fields', CODE);
  const statementOf = async (input: Partial<AddPermissionCommandInput>) => JSON.parse((await add('fields', input)).Statement!);

  const wildcard = await statementOf({ StatementId: 'any', Principal: '*', SourceAccount: '123456789012' });
  assert.equal(wildcard.Principal, '*');
  assert.deepEqual(wildcard.Condition, { StringEquals: { 'AWS:SourceAccount': '123456789012' } });
  const role = 'arn:aws:iam::123456789012:role/caller';
  assert.deepEqual((await statementOf({ StatementId: 'role', Principal: role })).Principal, { AWS: role });
  assert.equal((await statementOf({ StatementId: 'role2', Principal: role })).Condition, undefined);

  const url = await statementOf({
    StatementId: 'url',
    Action: 'lambda:InvokeFunctionUrl',
    Principal: '*',
    SourceArn: 'arn:aws:s3:::b',
    SourceAccount: '123456789012',
    PrincipalOrgID: 'o-1234567890',
    FunctionUrlAuthType: 'NONE',
  });
  assert.equal(url.Action, 'lambda:InvokeFunctionUrl');
  assert.equal(
    JSON.stringify(url.Condition),
    JSON.stringify({
      StringEquals: { 'AWS:SourceAccount': '123456789012', 'lambda:FunctionUrlAuthType': 'NONE', 'aws:PrincipalOrgID': 'o-1234567890' },
      ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::b' },
    }),
  );
  const alexa = await statementOf({
    StatementId: 'alexa',
    Principal: 'alexa-appkit.amazon.com',
    EventSourceToken: 'amzn1.ask.skill.abc-123',
  });
  assert.deepEqual(alexa.Principal, { Service: 'alexa-appkit.amazon.com' });
  assert.deepEqual(alexa.Condition, { StringEquals: { 'lambda:EventSourceToken': 'amzn1.ask.skill.abc-123' } });
  const viaUrl = await statementOf({ StatementId: 'viaurl', Principal: '*', InvokedViaFunctionUrl: true });
  assert.deepEqual(viaUrl.Condition, { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } });
  assert.deepEqual(
    (await policyOf('fields')).Statement.map((s: { Sid: string }) => s.Sid),
    ['any', 'role', 'role2', 'url', 'alexa', 'viaurl'],
  );
});

test('AddPermission refuses members against the model, unknown principals and a taken statement id', async () => {
  await svc.createFunction('strict', CODE);
  const pattern = (value: string, member: string, p: string) =>
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${p}`;
  await refused(
    add('strict', { StatementId: 'example.com' }),
    'ValidationException',
    400,
    pattern('example.com', 'statementId', '([a-zA-Z0-9-_]+)'),
  );
  await refused(
    add('strict', { Action: 's3:GetObject' }),
    'ValidationException',
    400,
    pattern('s3:GetObject', 'action', '(lambda:[*]|lambda:[a-zA-Z]+|[*])'),
  );
  await refused(
    add('strict', { Principal: 'two words' }),
    'ValidationException',
    400,
    pattern('two words', 'principal', String.raw`[^\s]+`),
  );
  await refused(add('strict', { SourceAccount: '1234' }), 'ValidationException', 400, pattern('1234', 'sourceAccount', String.raw`\d{12}`));
  await refused(
    add('strict', { Qualifier: 'bad?qualifier' }),
    'ValidationException',
    400,
    pattern('bad?qualifier', 'qualifier', String.raw`\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`),
  );
  await refused(
    add('strict', { FunctionUrlAuthType: 'OPEN' as 'NONE' }),
    'ValidationException',
    400,
    "1 validation error detected: Value 'OPEN' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
  );
  await refused(
    add('strict', { StatementId: undefined }),
    'ValidationException',
    400,
    "1 validation error detected: Value null at 'statementId' failed to satisfy constraint: Member must not be null",
  );
  const two = await failure(add('strict', { StatementId: 'a.b', Action: 'x' }));
  assert.match(two.message, /^2 validation errors detected: Value 'a\.b' at 'statementId' .*; Value 'x' at 'action' /);

  await refused(
    add('strict', { Principal: 'invalid.nonaws.com' }),
    'InvalidParameterValueException',
    400,
    'The provided principal was invalid. Please check the principal and try again.',
  );
  await refused(
    add('strict', { SourceArn: `arn:aws:s3:::${'b'.repeat(21_000)}` }),
    'PolicyLengthExceededException',
    400,
    /^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$/,
  );

  await add('strict', {});
  await refused(
    add('strict', { Principal: 'sns.amazonaws.com' }),
    'ResourceConflictException',
    409,
    'The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.',
  );
  assert.equal((await policyOf('strict')).Statement.length, 1, 'refused requests change nothing');
});

test('a missing function, version or alias, $LATEST, and a qualifier the name contradicts', async () => {
  await withVersionAndAlias('where');
  await refused(add('nope', {}), 'ResourceNotFoundException', 404, `Function not found: ${fnArn('nope')}`);
  await refused(remove('nope', 's3'), 'ResourceNotFoundException', 404, `No policy found for: ${fnArn('nope')}`);
  await refused(getPolicy('nope'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');

  await refused(add('where:gone', {}), 'ResourceNotFoundException', 404, `Cannot find alias arn: ${fnArn('where', 'gone')}`);
  await refused(add('where', { Qualifier: '42' }), 'ResourceNotFoundException', 404, `Function not found: ${fnArn('where', '42')}`);
  await refused(
    add('where', { Qualifier: 'has-$-sign' }),
    'ResourceNotFoundException',
    404,
    `Function not found: ${fnArn('where', 'has-$-sign')}`,
  );
  await refused(
    remove('where', 's3', { Qualifier: 'gone' }),
    'ResourceNotFoundException',
    404,
    `Cannot find alias arn: ${fnArn('where', 'gone')}`,
  );
  await refused(getPolicy('where', '77'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');

  await refused(
    add('where', { Qualifier: '$LATEST' }),
    'InvalidParameterValueException',
    400,
    'We currently do not support adding policies for $LATEST.',
  );
  await refused(
    add('where:live', { Qualifier: '1' }),
    'InvalidParameterValueException',
    400,
    'The derived qualifier from the function name does not match the specified qualifier.',
  );
});

test('RemovePermission removes one statement, the last one the whole policy, and checks RevisionId', async () => {
  await svc.createFunction('rm', CODE);
  await refused(getPolicy('rm'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
  await refused(remove('rm', 's3'), 'ResourceNotFoundException', 404, 'No policy is associated with the given resource.');
  await add('rm', {});
  await add('rm', { StatementId: 'sqs', Principal: 'sqs.amazonaws.com' });
  await refused(remove('rm', 'non-existent'), 'ResourceNotFoundException', 404, 'Statement non-existent is not found in resource policy.');
  await refused(
    remove('rm', 'bad/id'),
    'ValidationException',
    400,
    "1 validation error detected: Value 'bad/id' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)",
  );

  const before = await getPolicy('rm');
  await refused(
    remove('rm', 'sqs', { RevisionId: 'wrong' }),
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
  const removed = await remove('rm', 'sqs', { RevisionId: before.RevisionId });
  assert.equal(removed.$metadata.httpStatusCode, 204);
  const after = await getPolicy('rm');
  assert.notEqual(after.RevisionId, before.RevisionId);
  assert.deepEqual(
    JSON.parse(after.Policy!).Statement.map((s: { Sid: string }) => s.Sid),
    ['s3'],
  );

  await remove('rm', 's3');
  await refused(getPolicy('rm'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
});

test('AddPermission checks RevisionId against the policy, or the alias before it has one', async () => {
  await withVersionAndAlias('rev');
  const alias = await svc.client.send(new GetAliasCommand({ FunctionName: 'rev', Name: 'live' }));
  const stale = 'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id';
  await refused(add('rev', { Qualifier: 'live', RevisionId: 'wrong' }), 'PreconditionFailedException', 412, stale);
  await add('rev', { Qualifier: 'live', RevisionId: alias.RevisionId });
  const first = await getPolicy('rev', 'live');
  await add('rev', { Qualifier: 'live', StatementId: 's3_2', RevisionId: first.RevisionId });
  await refused(
    add('rev', { Qualifier: 'live', StatementId: 's3_3', RevisionId: first.RevisionId }),
    'PreconditionFailedException',
    412,
    stale,
  );
});

test('versions and aliases have policies of their own, with qualified resources', async () => {
  await withVersionAndAlias('scoped');
  await add('scoped', {});
  await refused(getPolicy('scoped', '1'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');

  // The same statement id is free in every scope; the qualifier may come in the name or as a parameter.
  await add('scoped:1', { Qualifier: '1' });
  await add(fnArn('scoped', 'live'), {});
  assert.deepEqual(
    (await policyOf('scoped', '1')).Statement.map((s: { Resource: string }) => s.Resource),
    [fnArn('scoped', '1')],
  );
  assert.deepEqual(
    (await policyOf('scoped:live')).Statement.map((s: { Resource: string }) => s.Resource),
    [fnArn('scoped', 'live')],
  );
  assert.deepEqual(
    (await policyOf('scoped')).Statement.map((s: { Resource: string }) => s.Resource),
    [fnArn('scoped')],
  );
  assert.deepEqual(
    (await policyOf('scoped', '$LATEST')).Statement.map((s: { Resource: string }) => s.Resource),
    [fnArn('scoped')],
  );

  await remove('scoped', 's3', { Qualifier: 'live' });
  await refused(getPolicy('scoped', 'live'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
  assert.equal((await policyOf('scoped', '1')).Statement.length, 1, 'the version keeps its own');
});

test('policies go with the function, version or alias they belong to, and survive a restart', async () => {
  await withVersionAndAlias('gone');
  // A version 2 needs a change to $LATEST: a Description given to PublishVersion alone is none.
  await svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'gone', Description: 'second' }));
  await svc.client.send(new PublishVersionCommand({ FunctionName: 'gone' }));
  await add('gone', {});
  await add('gone', { Qualifier: '1' });
  await add('gone', { Qualifier: '2' });
  await add('gone', { Qualifier: 'live' });

  await svc.client.send(new DeleteAliasCommand({ FunctionName: 'gone', Name: 'live' }));
  await svc.client.send(new CreateAliasCommand({ FunctionName: 'gone', Name: 'live', FunctionVersion: '1' }));
  await refused(getPolicy('gone', 'live'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
  // DeleteAlias of a name that is no alias, answered or refused, leaves the version of that number alone.
  await svc.client.send(new DeleteAliasCommand({ FunctionName: 'gone', Name: '1' })).catch(() => undefined);
  assert.equal((await policyOf('gone', '1')).Statement.length, 1);

  await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'gone', Qualifier: '2' }));
  await refused(getPolicy('gone', '2'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');

  svc = await svc.restart();
  assert.equal((await policyOf('gone')).Statement[0].Resource, fnArn('gone'));
  assert.equal((await policyOf('gone', '1')).Statement[0].Resource, fnArn('gone', '1'));

  await svc.client.send(new DeleteFunctionCommand({ FunctionName: 'gone' }));
  await refused(getPolicy('gone'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
  await svc.createFunction('gone', CODE);
  await refused(getPolicy('gone'), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
});

describe('the aws CLI', { skip: skipWithoutAwsCli }, () => {
  test('add-permission, get-policy and remove-permission as a user types them', async () => {
    await svc.createFunction('cli-perm', CODE);
    const added = await aws(svc.endpoint, [
      'lambda',
      'add-permission',
      '--function-name',
      'cli-perm',
      '--statement-id',
      's3',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
      '--source-arn',
      'arn:aws:s3:::my-bucket',
      '--source-account',
      '123456789012',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(JSON.parse(added.stdout).Statement).Condition.ArnLike['AWS:SourceArn'], 'arn:aws:s3:::my-bucket');

    const got = await aws(svc.endpoint, ['lambda', 'get-policy', '--function-name', 'cli-perm']);
    assert.equal(got.code, 0, got.stderr);
    const { Policy, RevisionId } = JSON.parse(got.stdout);
    assert.match(RevisionId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      JSON.parse(Policy).Statement.map((s: { Sid: string; Resource: string }) => [s.Sid, s.Resource]),
      [['s3', fnArn('cli-perm')]],
    );

    const taken = await aws(svc.endpoint, [
      'lambda',
      'add-permission',
      '--function-name',
      'cli-perm',
      '--statement-id',
      's3',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
    ]);
    assert.equal(taken.code, 254);
    assert.match(
      taken.stderr,
      /An error occurred \(ResourceConflictException\) when calling the AddPermission operation: The statement id \(s3\) provided already exists/,
    );

    const removed = await aws(svc.endpoint, ['lambda', 'remove-permission', '--function-name', 'cli-perm', '--statement-id', 's3']);
    assert.equal(removed.code, 0, removed.stderr);
    const none = await aws(svc.endpoint, ['lambda', 'get-policy', '--function-name', 'cli-perm']);
    assert.equal(none.code, 254);
    assert.match(
      none.stderr,
      /An error occurred \(ResourceNotFoundException\) when calling the GetPolicy operation: The resource you requested does not exist\./,
    );
  });
});
