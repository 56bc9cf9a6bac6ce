import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { FUNCTION_ARN, TestRuntimeApi } from '../../../test/helpers/runtime-api-server.js';
import { lambdaEnv, startFunction, writeTaskRoot } from '../../../test/helpers/runtime-process.js';
import { until } from '../../../test/helpers/until.js';

const NODE = { command: process.execPath, args: [fileURLToPath(new URL('./bootstrap.js', import.meta.url))] };

function start(t: TestContext, files: Record<string, string>, handler = 'index.handler', env: NodeJS.ProcessEnv = {}) {
  return startFunction(t, NODE, files, handler, env);
}

async function invoke(t: TestContext, files: Record<string, string>, handler = 'index.handler', event: unknown = {}) {
  const { api } = await start(t, files, handler);
  const posted = await api.result(api.queue({ body: event }));
  return { kind: posted.kind, body: JSON.parse(posted.body) as unknown, headers: posted.headers };
}

describe('node runtime: loading handlers', () => {
  it('runs an async CommonJS handler and posts its JSON result', async (t) => {
    const r = await invoke(t, { 'index.js': 'exports.handler = async (event) => ({ echo: event });' }, 'index.handler', { a: 1 });
    assert.equal(r.kind, 'response');
    assert.deepEqual(r.body, { echo: { a: 1 } });
    assert.equal(r.headers['content-type'], 'application/json');
  });

  it('loads .mjs as an ES module', async (t) => {
    const r = await invoke(t, { 'index.mjs': 'export const handler = async () => typeof require;' });
    assert.deepEqual(r.body, 'undefined');
  });

  it('loads .js as ESM under "type": "module", from a subdirectory', async (t) => {
    const files = {
      'package.json': '{"type":"module"}',
      'src/app.js': 'export async function handler() { return import.meta.url.endsWith("/src/app.js"); }',
    };
    assert.deepEqual((await invoke(t, files, 'src/app.handler')).body, true);
  });

  it('loads .cjs, nested export paths and a default-exported object', async (t) => {
    assert.deepEqual((await invoke(t, { 'lib.cjs': 'module.exports = { a: { b: async () => "nested" } };' }, 'lib.a.b')).body, 'nested');
    const esmDefault = { 'index.mjs': 'export default { handler: async () => "default" };' };
    assert.deepEqual((await invoke(t, esmDefault)).body, 'default');
  });

  it('posts undefined as null', async (t) => {
    assert.equal((await invoke(t, { 'index.js': 'exports.handler = async () => undefined;' })).body, null);
  });
});

describe('node runtime: context', () => {
  it('fills the context from env and /next headers, and forwards the trace id', async (t) => {
    const { api } = await start(t, {
      'index.js': `exports.handler = async (event, context) => ({
        ...context, remaining: context.getRemainingTimeInMillis(), trace: process.env._X_AMZN_TRACE_ID });`,
    });
    const id = api.queue({
      deadlineMs: Date.now() + 10_000,
      headers: {
        'lambda-runtime-client-context': '{"custom":{"k":"v"},"env":{"platform":"x"}}',
        'lambda-runtime-cognito-identity': '{"cognitoIdentityId":"i","cognitoIdentityPoolId":"p"}',
      },
    });
    const ctx = JSON.parse((await api.result(id)).body) as Record<string, unknown>;
    assert.equal(ctx.functionName, 'test-fn');
    assert.equal(ctx.functionVersion, '$LATEST');
    assert.equal(ctx.memoryLimitInMB, '256');
    assert.equal(ctx.logGroupName, '/aws/lambda/test-fn');
    assert.match(String(ctx.logStreamName), /^2026\/01\/01\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(ctx.invokedFunctionArn, FUNCTION_ARN);
    assert.equal(ctx.awsRequestId, id);
    assert.equal(ctx.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(ctx.clientContext, { custom: { k: 'v' }, env: { platform: 'x' } });
    assert.deepEqual(ctx.identity, { cognitoIdentityId: 'i', cognitoIdentityPoolId: 'p' });
    assert.ok(Number(ctx.remaining) > 8_000 && Number(ctx.remaining) <= 10_000, `remaining ${ctx.remaining}`);
    assert.match(String(ctx.trace), /^Root=1-/);
  });

  it('leaves clientContext and identity undefined without headers, and fails the invoke on bad JSON', async (t) => {
    const { api } = await start(t, {
      'index.js': 'exports.handler = async (e, c) => [c.clientContext === undefined, c.identity === undefined];',
    });
    assert.deepEqual(JSON.parse((await api.result(api.queue())).body), [true, true]);
    const bad = await api.result(api.queue({ headers: { 'lambda-runtime-client-context': '{oops' } }));
    assert.equal(bad.kind, 'error');
    assert.match(JSON.parse(bad.body).errorMessage, /^Cannot parse ClientContext as json: SyntaxError/);
  });
});

describe('node runtime: callbacks and legacy completion', () => {
  it('waits for an empty event loop after callback(), unless told not to', async (t) => {
    const { api } = await start(t, {
      'index.js': `exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = event.wait;
        setTimeout(() => {}, 600);
        callback(null, 'cb');
      };`,
    });
    let began = Date.now();
    const waited = await api.result(api.queue({ body: { wait: true } }));
    assert.equal(JSON.parse(waited.body), 'cb');
    assert.ok(Date.now() - began >= 550, 'response came before the pending timer ran');
    await api.polling();
    began = Date.now();
    await api.result(api.queue({ body: { wait: false } }));
    assert.ok(Date.now() - began < 450, 'response waited although callbackWaitsForEmptyEventLoop = false');
  });

  it('supports callback errors, context.succeed/fail/done, and a sync handler that never calls back', async (t) => {
    const { api } = await start(t, {
      'index.js': `exports.handler = (event, context, callback) => {
        switch (event.mode) {
          case 'cb-error': return callback(new TypeError('cb failed'));
          case 'succeed': return context.succeed({ ok: 1 });
          case 'fail': return context.fail(new Error('legacy failure'));
          case 'done': return context.done(null, 'done!');
          case 'twice': callback(null, 'first'); return callback(null, 'second');
          default: return 'ignored return value';
        }
      };`,
    });
    const run = async (mode: string) => {
      const p = await api.result(api.queue({ body: { mode } }));
      return [p.kind, JSON.parse(p.body)];
    };
    const [kind, body] = await run('cb-error');
    assert.equal(kind, 'error');
    assert.equal(body.errorType, 'TypeError');
    assert.deepEqual(await run('succeed'), ['response', { ok: 1 }]);
    assert.equal((await run('fail'))[1].errorMessage, 'legacy failure');
    assert.deepEqual(await run('done'), ['response', 'done!']);
    assert.deepEqual(await run('twice'), ['response', 'first']);
    assert.deepEqual(await run('none'), ['response', null]);
  });
});

describe('node runtime: warm reuse and shutdown', () => {
  it('reuses the process and one keep-alive connection across invokes', async (t) => {
    const { api } = await start(t, { 'index.js': 'let n = 0; exports.handler = async () => ++n;' });
    for (const expected of [1, 2, 3]) assert.equal(JSON.parse((await api.result(api.queue())).body), expected);
    assert.equal(api.connections, 1);
  });

  it('exits when the Runtime API goes away', async (t) => {
    const { api, proc } = await start(t, { 'index.js': 'exports.handler = async () => 1;' });
    await api.result(api.queue());
    await api.polling();
    await api.stop();
    assert.deepEqual(await proc.exited, { code: 0, signal: null });
  });

  it('exits when its parent closes stdin', async (t) => {
    const { api, proc } = await start(t, { 'index.js': 'exports.handler = async () => 1;' });
    await api.polling();
    proc.child.stdin?.end();
    assert.deepEqual(await proc.exited, { code: 0, signal: null });
  });

  it('exits when its parent dies even without a stdin pipe', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
    const api = await TestRuntimeApi.start();
    const root = writeTaskRoot({ 'index.js': 'exports.handler = async () => 1;' });
    // The shell is the runtime's parent; stdin is /dev/null, so only the parent probe can notice.
    const shell = spawn('sh', ['-c', `"${NODE.command}" "${NODE.args[0]}" & echo $!; wait`], {
      cwd: root.dir,
      env: lambdaEnv(api.address, root.dir, 'index.handler'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = Number(String(await new Promise((resolve) => shell.stdout.once('data', resolve))));
    t.after(async () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await api.stop();
      root.remove();
    });
    await api.polling();
    shell.kill('SIGKILL');
    // Orphans are re-parented to a reaper that may never reap: a zombie ('Z') has exited too.
    const exited = () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
      } catch {
        return true;
      }
    };
    await until('the runtime to exit with its parent', exited, 5_000);
  });
});
