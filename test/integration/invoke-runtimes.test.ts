/**
 * Each runtime family invoked through the SDK: Node CommonJS, ES module and callback handlers,
 * Python, and `provided.al2023` with a shell bootstrap speaking the Runtime API with curl.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { parsed, startTestService, text, type TestService } from '../helpers/service.js';

const T = { timeout: 30_000 };
let svc: TestService;

before(async () => {
  svc = await startTestService();
});
after(() => svc?.close());

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const pythonBootstrap = resolve('src/runtime/python/bootstrap.py');
const pythonSkip = !has('python3')
  ? 'python3 is not installed'
  : !existsSync(pythonBootstrap)
    ? `the Python runtime client ${pythonBootstrap} is not there yet`
    : false;
const curlSkip = has('curl') ? false : 'curl is not installed';

const invoke = (name: string, payload: unknown, logType?: 'Tail') =>
  svc.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: logType }));
const tailOf = (r: { LogResult?: string }) => Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');

test('Node CommonJS handler (index.js, exports.handler)', T, async () => {
  await svc.createFunction('cjs', {
    'index.js': `const path = require('node:path');
      let n = 0;
      exports.handler = async (event) => ({ n: ++n, sum: event.a + event.b, mod: typeof module, base: path.basename(__filename) });`,
  });
  assert.deepEqual(parsed((await invoke('cjs', { a: 1, b: 2 })).Payload), { n: 1, sum: 3, mod: 'object', base: 'index.js' });
  assert.deepEqual(parsed((await invoke('cjs', { a: 5, b: 5 })).Payload), { n: 2, sum: 10, mod: 'object', base: 'index.js' });
});

test('Node ES module handler (.mjs) in a subfolder, with top-level await', T, async () => {
  await svc.createFunction(
    'esm',
    {
      'src/app.mjs': `const config = await Promise.resolve({ greeting: 'hi' });
      export const handler = async (event) => ({ msg: config.greeting + ' ' + event.who, url: import.meta.url.endsWith('/src/app.mjs') });`,
    },
    { Handler: 'src/app.handler' },
  );
  const r = await invoke('esm', { who: 'there' });
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  assert.deepEqual(parsed(r.Payload), { msg: 'hi there', url: true });
});

test('Node callback handler, with callbackWaitsForEmptyEventLoop and a nested handler name', T, async () => {
  await svc.createFunction('callback', {
    'index.js': `exports.handler = (event, context, callback) => {
        setTimeout(() => callback(null, { doubled: event.x * 2, left: context.getRemainingTimeInMillis() > 0 }), 20);
      };`,
  });
  const ok = await invoke('callback', { x: 21 });
  assert.deepEqual(parsed(ok.Payload), { doubled: 42, left: true });

  // A pending 10 s timer would hold the answer until the timeout, unless the handler opts out.
  await svc.createFunction('callback-nowait', {
    'index.js': `exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = false;
        setTimeout(() => {}, 10_000);
        callback(null, 'quick');
      };`,
  });
  const started = Date.now();
  const quick = await invoke('callback-nowait', {});
  assert.equal(parsed(quick.Payload), 'quick');
  assert.ok(Date.now() - started < 2000, 'answered without waiting for the timer');

  await svc.createFunction(
    'callback-nested',
    {
      'index.js': `exports.nested = { fn: (event, context, callback) => callback(new Error('nope: ' + event.x)) };`,
    },
    { Handler: 'index.nested.fn' },
  );
  const bad = await invoke('callback-nested', { x: 1 });
  assert.equal(bad.FunctionError, 'Unhandled');
  const body = parsed(bad.Payload);
  assert.equal(body.errorType, 'Error');
  assert.equal(body.errorMessage, 'nope: 1');
});

test('Python handler returns a dict; its print appears in the Tail log', { ...T, skip: pythonSkip }, async () => {
  await svc.createFunction(
    'py',
    {
      'lambda_function.py': `import os
count = 0

def lambda_handler(event, context):
    global count
    count += 1
    print("python says", event["name"])
    return {"hello": event["name"], "count": count, "fn": context.function_name,
            "mem": context.memory_limit_in_mb, "handler": os.environ["_HANDLER"]}
`,
    },
    { Runtime: 'python3.12', Handler: 'lambda_function.lambda_handler' },
  );
  const r = await invoke('py', { name: 'ada' }, 'Tail');
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  assert.deepEqual(parsed(r.Payload), { hello: 'ada', count: 1, fn: 'py', mem: '128', handler: 'lambda_function.lambda_handler' });
  const log = tailOf(r);
  assert.match(log, /^START RequestId: /);
  assert.match(log, /python says ada\n/);
  assert.match(log, /END RequestId: [\s\S]*REPORT RequestId: /);
  assert.equal(parsed((await invoke('py', { name: 'bob' })).Payload).count, 2, 'the warm environment is reused');
});

const curlBootstrap = `#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -LD "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  rm -f "$HEADERS"
  echo "shell got $EVENT"
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\\"echo\\":$EVENT,\\"fn\\":\\"$AWS_LAMBDA_FUNCTION_NAME\\",\\"handler\\":\\"$_HANDLER\\"}"
done
`;

test('provided.al2023 with a shell bootstrap using curl against the Runtime API', { ...T, skip: curlSkip }, async () => {
  await svc.createFunction(
    'shell',
    { bootstrap: { content: curlBootstrap, mode: 0o755 } },
    {
      Runtime: 'provided.al2023',
      Handler: 'function.handler',
    },
  );
  const r = await invoke('shell', { k: 1 }, 'Tail');
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  assert.deepEqual(parsed(r.Payload), { echo: { k: 1 }, fn: 'shell', handler: 'function.handler' });
  assert.match(tailOf(r), /shell got \{"k":1\}\n/);
  const again = await invoke('shell', [1, 2]);
  assert.deepEqual(parsed(again.Payload).echo, [1, 2]);
});

test('a bootstrap without the executable bit fails at invoke with Runtime.InvalidEntrypoint', T, async () => {
  await svc.createFunction(
    'not-exec',
    { bootstrap: { content: curlBootstrap, mode: 0o644 } },
    {
      Runtime: 'provided.al2023',
      Handler: 'function.handler',
    },
  );
  for (let i = 0; i < 2; i++) {
    const r = await invoke('not-exec', {}, 'Tail');
    assert.equal(r.StatusCode, 200);
    assert.equal(r.FunctionError, 'Unhandled');
    const body = parsed(r.Payload);
    assert.equal(body.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: fork\/exec .*bootstrap: permission denied$/);
    assert.match(tailOf(r), /REPORT RequestId: .*Status: error\tError Type: Runtime.InvalidEntrypoint/);
  }

  await svc.createFunction('no-bootstrap', { 'main.sh': 'echo hi' }, { Runtime: 'provided.al2023', Handler: 'x' });
  const missing = await invoke('no-bootstrap', {});
  assert.equal(missing.FunctionError, 'Unhandled');
  assert.equal(parsed(missing.Payload).errorType, 'Runtime.InvalidEntrypoint');
  assert.match(parsed(missing.Payload).errorMessage, /no such file or directory/);
});

// Not a runtime of its own, but the shared path: every runtime's code lives in LAMBDA_TASK_ROOT.
test('every Node handler runs with its code folder as cwd', T, async () => {
  await svc.createFunction('cwd', { 'index.js': 'exports.handler = async () => process.cwd();' });
  const cwd = parsed((await invoke('cwd', {})).Payload) as string;
  assert.ok(existsSync(join(cwd, 'index.js')));
});
