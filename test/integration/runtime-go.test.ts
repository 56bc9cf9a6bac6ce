/**
 * A Go `provided.al2023` function at Lambda's default 128 MB: a standard-library-only bootstrap
 * (test/fixtures/go-bootstrap, built here when Debian's golang-go is installed) speaking the Runtime
 * API over HTTP as aws-lambda-go does. Success, a handler error, a panic and a timeout.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = hasGo ? false : 'needs Go (Debian golang-go) to build the bootstrap';
const T = { timeout: 180_000, skip };

let svc: TestService;
let scratch: string;

before(async () => {
  if (!hasGo) return;
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-go-'));
  const env = { ...process.env, CGO_ENABLED: '0', GOCACHE: join(scratch, 'cache'), GOPATH: join(scratch, 'gopath'), GOFLAGS: '' };
  await run('go', ['build', '-o', join(scratch, 'bootstrap'), resolve('test/fixtures/go-bootstrap/main.go')], { env });
  svc = await startTestService();
  await svc.createFunction(
    'go-fn',
    { bootstrap: { content: await readFile(join(scratch, 'bootstrap')), mode: 0o755 } },
    { Runtime: 'provided.al2023', Handler: 'bootstrap', MemorySize: 128, Timeout: 2 },
  );
});
after(async () => {
  await svc?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const invoke = async (payload: unknown) => {
  const r = await svc.client.send(
    new InvokeCommand({ FunctionName: 'go-fn', LogType: 'Tail', Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  return {
    error: r.FunctionError,
    body: JSON.parse(Buffer.from(r.Payload!).toString()),
    log: Buffer.from(r.LogResult ?? '', 'base64').toString(),
  };
};

test('runs at 128 MB and answers', T, async () => {
  const r = await invoke({ mode: 'ok' });
  assert.deepEqual([r.error, r.body], [undefined, { go: true, mode: 'ok' }]);
  assert.match(r.log, /hello from go\n/);
  assert.match(r.log, /REPORT RequestId: \S+\tDuration: .*\tMemory Size: 128 MB\t/);
});

test('a handler error comes back as the function error it posted', T, async () => {
  const r = await invoke({ mode: 'error' });
  assert.deepEqual([r.error, r.body], ['Unhandled', { errorMessage: 'bad input', errorType: 'InputError' }]);
});

test('a panic is Runtime.ExitError, and the next call gets a new process', T, async () => {
  const r = await invoke({ mode: 'panic' });
  assert.equal(r.error, 'Unhandled');
  assert.equal(r.body.errorType, 'Runtime.ExitError');
  assert.match(r.body.errorMessage, /Runtime exited with error: exit status 2$/);
  assert.match(r.log, /panic: boom/);
  assert.deepEqual((await invoke({ mode: 'ok' })).body, { go: true, mode: 'ok' });
});

test('past its timeout it is Sandbox.Timedout', T, async () => {
  const r = await invoke({ mode: 'sleep', ms: 4000 });
  assert.equal(r.error, 'Unhandled');
  assert.equal(r.body.errorType, 'Sandbox.Timedout');
  assert.match(r.body.errorMessage, /Task timed out after 2\.00 seconds$/);
});
