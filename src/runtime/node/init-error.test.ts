import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { startFunction } from '../../../test/helpers/runtime-process.js';

const NODE = { command: process.execPath, args: [fileURLToPath(new URL('./bootstrap.js', import.meta.url))] };

interface InitFailure {
  errorType: string;
  errorMessage: string;
  trace: string[];
  header: unknown;
  exitCode: number | null;
  stdout: string;
}

async function initFailure(t: TestContext, files: Record<string, string>, handler: string): Promise<InitFailure> {
  const { api, proc } = await startFunction(t, NODE, files, handler);
  const posted = await api.initError();
  const { code } = await proc.exited;
  const body = JSON.parse(posted.body) as { errorType: string; errorMessage: string; trace: string[] };
  return { ...body, header: posted.headers['lambda-runtime-function-error-type'], exitCode: code, stdout: proc.stdout };
}

describe('node runtime: init errors', () => {
  it('reports a missing module as Runtime.ImportModuleError, logs it, and exits 129', async (t) => {
    const f = await initFailure(t, {}, 'missing.handler');
    assert.equal(f.errorType, 'Runtime.ImportModuleError');
    assert.equal(f.header, 'Runtime.ImportModuleError');
    assert.match(f.errorMessage, /^Error: Cannot find module 'missing'\nRequire stack:\n- /);
    assert.equal(f.trace[0], `Runtime.ImportModuleError: ${f.errorMessage.split('\n')[0]}`);
    assert.equal(f.exitCode, 129);
    assert.match(
      f.stdout,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime\.ImportModuleError","errorMessage":"Error: Cannot find module 'missing'\\nRequire stack:/m,
    );
  });

  it('names the requiring file when user code requires a missing package', async (t) => {
    const f = await initFailure(t, { 'index.js': 'require("no-such-package"); exports.handler = async () => 1;' }, 'index.handler');
    assert.equal(f.errorType, 'Runtime.ImportModuleError');
    assert.match(f.errorMessage, /^Error: Cannot find module 'no-such-package'\nRequire stack:\n- .*\/index\.js\n/);
  });

  it('treats a missing package imported by an ES module as Runtime.ImportModuleError', async (t) => {
    const f = await initFailure(t, { 'index.mjs': 'import "no-such-package"; export const handler = 1;' }, 'index.handler');
    assert.equal(f.errorType, 'Runtime.ImportModuleError');
    assert.match(f.errorMessage, /^Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package 'no-such-package'/);
  });

  it('reports Runtime.HandlerNotFound for a missing or non-function export', async (t) => {
    const missing = await initFailure(t, { 'index.js': 'exports.other = () => 1;' }, 'index.handler');
    assert.equal(missing.errorType, 'Runtime.HandlerNotFound');
    assert.equal(missing.errorMessage, 'index.handler is undefined or not exported');
    const notFn = await initFailure(t, { 'index.js': 'exports.handler = 42;' }, 'index.handler');
    assert.equal(notFn.errorMessage, 'index.handler is not a function');
  });

  it('reports Runtime.UserCodeSyntaxError for CommonJS and ES modules', async (t) => {
    const cjs = await initFailure(t, { 'index.js': 'exports.handler = (;' }, 'index.handler');
    assert.equal(cjs.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(cjs.errorMessage, /^SyntaxError: /);
    const esm = await initFailure(t, { 'index.mjs': 'export const handler = (;' }, 'index.handler');
    assert.equal(esm.errorType, 'Runtime.UserCodeSyntaxError');
  });

  it('reports Runtime.MalformedHandlerName for a handler without a dot or with ..', async (t) => {
    const bad = await initFailure(t, { 'index.js': '' }, 'index');
    assert.deepEqual([bad.errorType, bad.errorMessage], ['Runtime.MalformedHandlerName', 'Bad handler']);
    const up = await initFailure(t, {}, '../index.handler');
    assert.equal(up.errorType, 'Runtime.MalformedHandlerName');
    assert.match(up.errorMessage, /is not a valid handler name/);
  });

  it('reports an error thrown at module load under its own name', async (t) => {
    const f = await initFailure(t, { 'index.js': 'throw new RangeError("init boom");' }, 'index.handler');
    assert.deepEqual([f.errorType, f.errorMessage, f.trace[0]], ['RangeError', 'init boom', 'RangeError: init boom']);
    assert.equal(f.exitCode, 129);
  });
});
