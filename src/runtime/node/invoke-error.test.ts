import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { startFunction } from '../../../test/helpers/runtime-process.js';

const NODE = { command: process.execPath, args: [fileURLToPath(new URL('./bootstrap.js', import.meta.url))] };

const HANDLER = `
class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }
exports.handler = async (event) => {
  switch (event.mode) {
    case 'throw': throw new Error('boom');
    case 'custom': throw new ValidationError('bad input');
    case 'reject': return Promise.reject(new TypeError('rejected'));
    case 'string': throw 'just a string';
    case 'object': throw { code: 7 };
    case 'bigint': return { n: 1n };
    case 'hang': return new Promise(() => {});
    case 'unhandled': Promise.reject(new Error('late')); return new Promise((r) => setTimeout(r, 200, 'too late'));
    case 'uncaught': setTimeout(() => { throw new Error('async boom'); }, 10); return new Promise(() => setTimeout(() => {}, 200));
    default: return 'ok';
  }
};`;

async function run(t: TestContext, mode: string) {
  const started = await startFunction(t, NODE, { 'index.js': HANDLER }, 'index.handler');
  const posted = await started.api.result(started.api.queue({ body: { mode } }));
  return { ...started, kind: posted.kind, body: JSON.parse(posted.body) as { errorType: string; errorMessage: string; trace: string[] } };
}

describe('node runtime: invoke errors', () => {
  it('posts a thrown Error as {errorType, errorMessage, trace} and logs an Invoke Error line', async (t) => {
    const { kind, body, proc, api } = await run(t, 'throw');
    assert.equal(kind, 'error');
    assert.deepEqual([body.errorType, body.errorMessage, body.trace[0]], ['Error', 'boom', 'Error: boom']);
    assert.match(body.trace[1], /^ {4}at /);
    await proc.waitForOutput('Invoke Error');
    const id = api.posted[0].requestId;
    assert.match(
      proc.stdout,
      new RegExp(`Z\\t${id}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"boom","stack":\\["Error: boom",`),
    );
    // The environment survives a handled failure.
    assert.equal(JSON.parse((await api.result(api.queue({ body: { mode: 'ok' } }))).body), 'ok');
  });

  it('uses the error name, and typeof for non-Error throws', async (t) => {
    assert.equal((await run(t, 'custom')).body.errorType, 'ValidationError');
    assert.deepEqual((await run(t, 'reject')).body.errorType, 'TypeError');
    assert.deepEqual((await run(t, 'string')).body, { errorType: 'string', errorMessage: 'just a string', trace: [] });
    assert.deepEqual((await run(t, 'object')).body, { errorType: 'object', errorMessage: '[object Object]', trace: [] });
  });

  it('fails an unserialisable result', async (t) => {
    const { body } = await run(t, 'bigint');
    assert.deepEqual([body.errorType, body.errorMessage], ['Error', 'Unable to stringify response body']);
  });

  it('fails with Runtime.NodeJsExit when an async handler never settles and nothing is left to run', async (t) => {
    const { body } = await run(t, 'hang');
    assert.equal(body.errorType, 'Runtime.NodeJsExit');
  });

  it('reports an unhandled rejection for the current invoke, then exits 128', async (t) => {
    const { body, proc } = await run(t, 'unhandled');
    assert.deepEqual([body.errorType, body.errorMessage], ['Runtime.UnhandledPromiseRejection', 'Error: late']);
    assert.equal((await proc.exited).code, 128);
  });

  it('reports an uncaught exception for the current invoke, then exits 129', async (t) => {
    const { body, proc } = await run(t, 'uncaught');
    assert.deepEqual([body.errorType, body.errorMessage], ['Error', 'async boom']);
    assert.equal((await proc.exited).code, 129);
    assert.match(proc.stdout, /\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"async boom"/);
  });
});
