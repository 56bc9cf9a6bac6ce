/**
 * How failures look to an SDK caller: handler errors, timeouts, init errors, crashes, memory
 * exhaustion and oversized responses; and that the function works again afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { parsed, startTestService, text, type TestService } from '../helpers/service.js';

const T = { timeout: 30_000 };
let svc: TestService;

before(async () => {
  svc = await startTestService();
});
after(() => svc?.close());

const pythonSkip =
  spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0
    ? 'python3 is not installed'
    : !existsSync(resolve('src/runtime/python/bootstrap.py'))
      ? 'the Python runtime client src/runtime/python/bootstrap.py is not there yet'
      : false;

const invoke = (name: string, payload: unknown = {}) =>
  svc.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }));
const tailOf = (r: { LogResult?: string }) => Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');
const pidsOf = (name: string) => [...svc.pool.census()].filter(([key]) => key.includes(`:function:${name}:`)).flatMap(([, pids]) => pids);
const RID = '[0-9a-f-]{36}';

/** An invoke that failed the way Lambda reports function errors: 200, Unhandled, a JSON error body. */
async function failed(name: string, payload: unknown = {}) {
  const r = await invoke(name, payload);
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, 'Unhandled', text(r.Payload));
  return { body: parsed(r.Payload), log: tailOf(r) };
}

test('a thrown error is Unhandled with errorType, errorMessage and trace', T, async () => {
  await svc.createFunction('thrower', {
    'index.mjs': `class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }
      export const handler = async (e) => { if (e.plain) throw 'just a string'; throw new ValidationError('bad input ' + e.n); };`,
  });
  const { body, log } = await failed('thrower', { n: 7 });
  assert.deepEqual(Object.keys(body).sort(), ['errorMessage', 'errorType', 'trace']);
  assert.equal(body.errorType, 'ValidationError');
  assert.equal(body.errorMessage, 'bad input 7');
  assert.equal(body.trace[0], 'ValidationError: bad input 7');
  assert.match(body.trace[1], /^\s+at /);
  assert.match(log, new RegExp(`\\t${RID}\\tERROR\\tInvoke Error \\t\\{"errorType":"ValidationError"`));

  const plain = await failed('thrower', { plain: true });
  assert.deepEqual(plain.body, { errorType: 'string', errorMessage: 'just a string', trace: [] });

  // The environment survives a handled error: the next invoke is warm in the same process.
  const pid = pidsOf('thrower');
  await failed('thrower', { n: 8 });
  assert.deepEqual(pidsOf('thrower'), pid);
});

test('a rejected promise is Unhandled too', T, async () => {
  await svc.createFunction('rejecter', {
    'index.js': `exports.handler = () => new Promise((_, reject) => setTimeout(() => reject(new TypeError('went wrong')), 10));`,
  });
  const { body } = await failed('rejecter');
  assert.equal(body.errorType, 'TypeError');
  assert.equal(body.errorMessage, 'went wrong');
  assert.ok(Array.isArray(body.trace));
});

test('a Python raise reports the exception class and a stackTrace', { ...T, skip: pythonSkip }, async () => {
  await svc.createFunction(
    'py-raise',
    {
      'app.py': `class OrderError(Exception):
    pass

def handler(event, context):
    raise OrderError("no order " + str(event["id"]))
`,
    },
    { Runtime: 'python3.12', Handler: 'app.handler' },
  );
  const { body } = await failed('py-raise', { id: 42 });
  assert.equal(body.errorType, 'OrderError');
  assert.equal(body.errorMessage, 'no order 42');
  assert.ok(Array.isArray(body.stackTrace) && body.stackTrace.length > 0);
  assert.match(body.stackTrace.join(''), /app\.py", line 5, in handler/);
});

test('a timeout answers Sandbox.Timedout after about Timeout seconds; the next invoke gets a fresh process', T, async () => {
  await svc.createFunction(
    'slow',
    {
      'index.mjs': `let calls = 0;
      export const handler = async (e) => { calls++; if (e.wait) await new Promise((r) => setTimeout(r, e.wait)); return calls; };`,
    },
    { Timeout: 1 },
  );
  assert.equal(parsed((await invoke('slow')).Payload), 1);
  assert.equal(parsed((await invoke('slow')).Payload), 2);
  const [before] = pidsOf('slow');

  const started = Date.now();
  const { body, log } = await failed('slow', { wait: 3000 });
  const took = Date.now() - started;
  assert.ok(took >= 950 && took < 2000, `answered after ${took} ms`);
  assert.equal(body.errorType, 'Sandbox.Timedout');
  assert.match(body.errorMessage, new RegExp(`^RequestId: ${RID} Error: Task timed out after 1.00 seconds$`));
  assert.match(log, /REPORT RequestId: .*\tStatus: timeout\t/);

  const r = await invoke('slow');
  assert.equal(r.FunctionError, undefined);
  assert.equal(parsed(r.Payload), 1, 'module state was reset');
  const [after] = pidsOf('slow');
  assert.notEqual(after, before);
  assert.throws(() => process.kill(before!, 0), 'the timed-out process is gone');
});

test('a slow init is not timed against Timeout, nor counted in Duration', T, async () => {
  await svc.createFunction(
    'slow-init',
    {
      'index.mjs': `await new Promise((r) => setTimeout(r, 1500));
      export const handler = async (e, context) => context.getRemainingTimeInMillis();`,
    },
    { Timeout: 1 },
  );
  const r = await invoke('slow-init');
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  assert.ok(parsed(r.Payload) > 800, `remaining time ${text(r.Payload)} ms`);
  const report = /Duration: ([\d.]+) ms\t.*\tInit Duration: ([\d.]+) ms/.exec(tailOf(r));
  assert.ok(report, tailOf(r));
  assert.ok(Number(report[1]) < 500, `Duration ${report[1]} ms`);
  assert.ok(Number(report[2]) >= 1400, `Init Duration ${report[2]} ms`);
});

test('init errors: missing module, missing handler, syntax error', T, async () => {
  await svc.createFunction('no-module', { 'index.js': `require('left-pad-that-does-not-exist'); exports.handler = async () => 1;` });
  const imp = await failed('no-module');
  assert.equal(imp.body.errorType, 'Runtime.ImportModuleError');
  assert.match(imp.body.errorMessage, /Cannot find module 'left-pad-that-does-not-exist'/);

  await svc.createFunction('no-file', { 'other.js': 'exports.handler = async () => 1;' });
  assert.equal((await failed('no-file')).body.errorType, 'Runtime.ImportModuleError');

  await svc.createFunction('no-export', { 'index.js': 'exports.handle = async () => 1;' });
  const nf = await failed('no-export');
  assert.equal(nf.body.errorType, 'Runtime.HandlerNotFound');
  assert.equal(nf.body.errorMessage, 'index.handler is undefined or not exported');

  await svc.createFunction('bad-syntax', { 'index.mjs': 'export const handler = async () => { return 1 +; };' });
  const syn = await failed('bad-syntax');
  assert.equal(syn.body.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(syn.body.errorMessage, /SyntaxError/);

  // Init errors repeat on every invoke, and leave no environment running.
  assert.equal((await failed('no-export')).body.errorType, 'Runtime.HandlerNotFound');
  assert.deepEqual(pidsOf('no-export'), []);
});

test('process.exit(3) in the handler is Runtime.ExitError with exit status 3', T, async () => {
  await svc.createFunction('exiter', {
    'index.js': 'exports.handler = async (e) => { if (e.exit !== undefined) process.exit(e.exit); return "alive"; };',
  });
  const { body, log } = await failed('exiter', { exit: 3 });
  assert.equal(body.errorType, 'Runtime.ExitError');
  assert.match(body.errorMessage, new RegExp(`^RequestId: ${RID} Error: Runtime exited with error: exit status 3$`));
  assert.match(log, /Status: error\tError Type: Runtime.ExitError/);

  const zero = await failed('exiter', { exit: 0 });
  assert.equal(zero.body.errorType, 'Runtime.ExitError');
  assert.match(zero.body.errorMessage, /Runtime exited without providing a reason$/);

  assert.equal(parsed((await invoke('exiter')).Payload), 'alive');
});

test('running out of memory is Runtime.OutOfMemory, and the next invoke works', { timeout: 60_000 }, async () => {
  await svc.createFunction(
    'hog',
    {
      'index.js': `exports.handler = async (e) => {
        if (!e.hog) return 'fine';
        const keep = [];
        for (;;) keep.push(new Array(1_000_000).fill(keep.length));
      };`,
    },
    { MemorySize: 128, Timeout: 30 },
  );
  const started = Date.now();
  const { body, log } = await failed('hog', { hog: true });
  assert.equal(body.errorType, 'Runtime.OutOfMemory');
  assert.match(body.errorMessage, new RegExp(`^RequestId: ${RID} Error: Runtime exited with error: signal: killed$`));
  assert.match(log, /Error Type: Runtime.OutOfMemory/);
  assert.ok(Date.now() - started < 20_000, 'the process died well before the timeout');

  const r = await invoke('hog');
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  assert.equal(parsed(r.Payload), 'fine');
});

test('a response over 6 MB is Function.ResponseSizeTooLarge; a smaller one passes', T, async () => {
  await svc.createFunction('big', { 'index.js': `exports.handler = async (e) => 'x'.repeat(e.size);` }, { MemorySize: 512 });
  const { body } = await failed('big', { size: 6_400_000 });
  assert.deepEqual(body, {
    errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    errorType: 'Function.ResponseSizeTooLarge',
  });
  const ok = await invoke('big', { size: 6_000_000 });
  assert.equal(ok.FunctionError, undefined);
  assert.equal(ok.Payload?.length, 6_000_002);
});
