/** `pglambda deploy`, `invoke` and `logs` against a running service, as a user types them. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
let svc: TestService;
let dir: string;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const pglambda = (args: string[]): Promise<Ran> =>
  run(process.execPath, [main, ...args], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: svc.endpoint,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: Ran) => e,
  );

before(async () => {
  svc = await startTestService();
  dir = await mkdtemp(join(tmpdir(), 'pglambda-deploy-'));
  await writeFile(
    join(dir, 'index.mjs'),
    'export const handler = async (e) => { console.log("deployed v1 got", e.n); return { v: 1, n: e.n }; };',
  );
});
after(async () => {
  await svc.close();
  await rm(dir, { recursive: true, force: true });
});

test('deploy creates, then updates and publishes; invoke prints the result; logs prints stored logs', { timeout: 60_000 }, async () => {
  const created = await pglambda(['deploy', dir, '--name', 'hello', '--runtime', 'nodejs20.x']);
  assert.match(created.stdout, /^created arn:aws:lambda:us-west-2:123456789012:function:hello \(version \$LATEST/m);
  assert.match(created.stderr, /^zipped 1 file, \d+ B, into \d+ B; deploying hello…$/m);

  const first = await pglambda(['invoke', 'hello', '--payload', '{"n":7}', '--log']);
  assert.deepEqual(JSON.parse(first.stdout), { v: 1, n: 7 });
  assert.match(first.stderr, /INFO\tdeployed v1 got 7/);

  await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => ({ v: 2 });');
  const updated = await pglambda(['deploy', dir, '--name', 'hello', '--runtime', 'nodejs20.x', '--publish']);
  assert.match(updated.stdout, /^updated arn:aws:lambda:us-west-2:123456789012:function:hello \(version 1,/m);
  assert.deepEqual(JSON.parse((await pglambda(['invoke', 'hello', '--qualifier', '1'])).stdout), { v: 2 });

  const logs = await pglambda(['logs', 'hello']);
  assert.match(logs.stdout, /START RequestId: [0-9a-f-]+ Version: \$LATEST/);
  assert.match(logs.stdout, /deployed v1 got 7/);
  assert.match(logs.stdout, /START RequestId: [0-9a-f-]+ Version: 1/);
  // The route behind it validates its limit as Lambda validates MaxItems.
  for (const limit of ['-5', '0', '1001', 'x']) {
    const r = await signedFetch(new URL(`${svc.endpoint}/_pglambda/logs/hello?limit=${limit}`), {
      method: 'GET',
      service: 'lambda',
      region: 'us-west-2',
      credentials: ROOT,
    });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.equal(
      (await r.json()).message,
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must be a whole number from 1 to 1000`,
    );
  }

  const missing = await pglambda(['invoke', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Function not found: arn:aws:lambda:us-west-2:123456789012:function:nope/);
});
