/** A handful of cases through the real `aws` CLI, as a user would type them. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { aws, skipWithoutAwsCli } from '../helpers/aws-cli.js';
import { ROLE, startTestService, type TestService } from '../helpers/service.js';

describe('the aws CLI', { skip: skipWithoutAwsCli }, () => {
  let svc: TestService;
  let dir: string;
  before(async () => {
    svc = await startTestService();
    dir = await mkdtemp(join(tmpdir(), 'pglambda-cli-'));
    await writeFile(
      join(dir, 'fn.zip'),
      await zipFiles({
        'index.js':
          'exports.handler = async (e, ctx) => { console.log("cli says", JSON.stringify(e)); return { echo: e, fn: ctx.functionName }; };',
      }),
    );
  });
  after(async () => {
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('create-function, invoke with a log tail, list-functions', async () => {
    const created = await aws(
      svc.endpoint,
      [
        'lambda',
        'create-function',
        '--function-name',
        'cli-fn',
        '--runtime',
        'nodejs20.x',
        '--handler',
        'index.handler',
        '--role',
        ROLE,
        '--zip-file',
        'fileb://fn.zip',
        '--publish',
      ],
      dir,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).FunctionArn, 'arn:aws:lambda:us-west-2:123456789012:function:cli-fn');

    const invoked = await aws(
      svc.endpoint,
      [
        'lambda',
        'invoke',
        '--function-name',
        'cli-fn',
        '--cli-binary-format',
        'raw-in-base64-out',
        '--payload',
        '{"k":"v"}',
        '--log-type',
        'Tail',
        'out.json',
      ],
      dir,
    );
    assert.equal(invoked.code, 0, invoked.stderr);
    const meta = JSON.parse(invoked.stdout);
    assert.equal(meta.StatusCode, 200);
    assert.equal(meta.ExecutedVersion, '$LATEST');
    assert.match(Buffer.from(meta.LogResult, 'base64').toString(), /INFO\tcli says {"k":"v"}/);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8')), { echo: { k: 'v' }, fn: 'cli-fn' });

    const listed = await aws(svc.endpoint, ['lambda', 'list-functions']);
    assert.deepEqual(
      JSON.parse(listed.stdout).Functions.map((f: { FunctionName: string }) => f.FunctionName),
      ['cli-fn'],
    );
  });

  test('wait function-active-v2 returns once a new function is Active; list-functions shows no state', async () => {
    // AWS answers Pending at create and Active later (LocalStack's snapshots of AWS, test_lambda_api.snapshot.json,
    // TestLambdaRevisions::test_function_revisions_basic; ListFunctions entries without State: TestLambdaFunction::test_list_functions).
    const created = await aws(
      svc.endpoint,
      [
        'lambda',
        'create-function',
        '--function-name',
        'cli-waited',
        '--runtime',
        'nodejs20.x',
        '--handler',
        'index.handler',
        '--role',
        ROLE,
        '--zip-file',
        'fileb://fn.zip',
      ],
      dir,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).State, 'Pending');
    const waited = await aws(svc.endpoint, ['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-waited']);
    assert.equal(waited.code, 0, waited.stderr);
    const got = JSON.parse((await aws(svc.endpoint, ['lambda', 'get-function', '--function-name', 'cli-waited'])).stdout);
    assert.deepEqual([got.Configuration.State, got.Configuration.LastUpdateStatus], ['Active', 'Successful']);
    const listed = JSON.parse((await aws(svc.endpoint, ['lambda', 'list-functions'])).stdout).Functions;
    assert.deepEqual(
      listed.filter((f: { State?: string }) => f.State !== undefined),
      [],
    );
  });

  test('errors print as AWS errors do', async () => {
    const missing = await aws(svc.endpoint, ['lambda', 'get-function', '--function-name', 'nope']);
    assert.equal(missing.code, 254);
    assert.match(
      missing.stderr,
      /An error occurred \(ResourceNotFoundException\) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-west-2:123456789012:function:nope/,
    );

    const badTimeout = await aws(svc.endpoint, [
      'lambda',
      'update-function-configuration',
      '--function-name',
      'cli-fn',
      '--timeout',
      '901',
    ]);
    assert.equal(badTimeout.code, 254);
    assert.match(badTimeout.stderr, /\(ValidationException\).*Member must have value less than or equal to 900/);

    // aws CLI v2 base64-decodes --payload unless told otherwise: AWS answers this, and so do we.
    const raw = await aws(svc.endpoint, ['lambda', 'invoke', '--function-name', 'cli-fn', '--payload', 'not json', 'out.json'], dir);
    assert.notEqual(raw.code, 0);
  });

  test('aliases and a qualified invoke', async () => {
    assert.equal(
      (await aws(svc.endpoint, ['lambda', 'create-alias', '--function-name', 'cli-fn', '--name', 'live', '--function-version', '1'])).code,
      0,
    );
    const invoked = await aws(svc.endpoint, ['lambda', 'invoke', '--function-name', 'cli-fn:live', 'out2.json'], dir);
    assert.equal(JSON.parse(invoked.stdout).ExecutedVersion, '1');
    const dry = await aws(svc.endpoint, ['lambda', 'invoke', '--function-name', 'cli-fn', '--invocation-type', 'DryRun', 'out3.json'], dir);
    assert.equal(JSON.parse(dry.stdout).StatusCode, 204);
  });
});
