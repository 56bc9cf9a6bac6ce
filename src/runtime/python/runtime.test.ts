import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { FUNCTION_ARN } from '../../../test/helpers/runtime-api-server.js';
import { startFunction } from '../../../test/helpers/runtime-process.js';

/** PYTHON picks another interpreter, e.g. to check the oldest supported one (3.9). */
const python = process.env.PYTHON ?? 'python3';
const bootstrap = fileURLToPath(new URL('../../../../src/runtime/python/bootstrap.py', import.meta.url));
const skip = spawnSync(python, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${python} is not installed`;
const PY = { command: python, args: [bootstrap] };
const TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

const APP = `import json, logging, os
from decimal import Decimal
count = 0
logger = logging.getLogger()
logger.setLevel(logging.INFO)

def handler(event, context):
    global count
    count += 1
    mode = event.get("mode")
    if mode == "raise":
        raise ValueError("boom " + str(event["n"]))
    if mode == "unserialisable":
        return {"s": {1, 2}}
    if mode == "log":
        print("printed", event["n"])
        logger.info("two\\nlines", extra={"order": event["n"]})
        return None
    cc = context.client_context
    return {
        "count": count, "decimal": Decimal("1.5"), "name": context.function_name, "version": context.function_version,
        "memory": context.memory_limit_in_mb, "arn": context.invoked_function_arn, "id": context.aws_request_id,
        "group": context.log_group_name, "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(), "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "custom": cc and cc.custom, "installation": cc and cc.client and cc.client.installation_id,
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
    }
`;

interface PyError {
  errorMessage: string;
  errorType: string;
  requestId: string;
  stackTrace: string[];
}

async function initFailure(t: TestContext, files: Record<string, string>, handler: string) {
  const { api, proc } = await startFunction(t, PY, files, handler);
  const posted = await api.initError();
  const { code } = await proc.exited;
  return {
    body: JSON.parse(posted.body) as PyError,
    header: posted.headers['lambda-runtime-function-error-type'],
    code,
    stdout: proc.stdout,
  };
}

describe('python runtime', { skip }, () => {
  it('returns JSON results, fills the context, and reuses process and connection', async (t) => {
    const { api } = await start(t);
    const id = api.queue({
      deadlineMs: Date.now() + 10_000,
      headers: {
        'lambda-runtime-client-context': '{"custom":{"k":"v"},"env":{},"client":{"installation_id":"inst"}}',
        'lambda-runtime-cognito-identity': '{"cognitoIdentityId":"i","cognitoIdentityPoolId":"p"}',
      },
    });
    const r = JSON.parse((await api.result(id)).body) as Record<string, unknown>;
    assert.deepEqual(
      [r.count, r.decimal, r.name, r.version, r.memory, r.arn, r.id, r.group],
      [1, 1.5, 'test-fn', '$LATEST', '256', FUNCTION_ARN, id, '/aws/lambda/test-fn'],
    );
    assert.match(String(r.stream), /^2026\/01\/01\/\[\$LATEST\]/);
    assert.ok(Number(r.remaining) > 8_000 && Number(r.remaining) <= 10_000, `remaining ${r.remaining}`);
    assert.match(String(r.trace), /^Root=1-/);
    assert.deepEqual([r.custom, r.installation, r.identity], [{ k: 'v' }, 'inst', ['i', 'p']]);

    const second = JSON.parse((await api.result(api.queue())).body) as Record<string, unknown>;
    assert.deepEqual([second.count, second.custom, second.identity], [2, null, [null, null]]);
    assert.equal(api.connections, 1);
  });

  it('prints verbatim and logs one record per logging call', async (t) => {
    const { api, proc } = await start(t);
    const id = api.queue({ body: { mode: 'log', n: 7 } });
    assert.equal((await api.result(id)).body, 'null');
    await proc.waitForOutput('lines');
    assert.match(proc.stdout, new RegExp(`^printed 7\\n\\[INFO\\]\\t${TS}\\t${id}\\ttwo\\rlines\\n$`));
  });

  it('writes JSON log records under AWS_LAMBDA_LOG_FORMAT=JSON, extra fields included', async (t) => {
    const { api, proc } = await startFunction(t, PY, { 'app.py': APP }, 'app.handler', { AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    const id = api.queue({ body: { mode: 'log', n: 7 } });
    await api.result(id);
    await proc.waitForOutput('lines');
    const record = JSON.parse(proc.stdout.split('\n')[1]) as Record<string, unknown>;
    assert.deepEqual(record, {
      timestamp: record.timestamp,
      level: 'INFO',
      message: 'two\nlines',
      logger: 'root',
      requestId: id,
      order: 7,
    });
    assert.match(String(record.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('posts a raised exception with requestId and stackTrace, logged as one [ERROR] record', async (t) => {
    const { api, proc } = await start(t);
    const id = api.queue({ body: { mode: 'raise', n: 3 } });
    const posted = await api.result(id);
    assert.equal(posted.kind, 'error');
    const body = JSON.parse(posted.body) as PyError;
    assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.deepEqual([body.errorType, body.errorMessage, body.requestId], ['ValueError', 'boom 3', id]);
    assert.match(body.stackTrace[0], /^ {2}File ".*\/app\.py", line 12, in handler\n {4}raise ValueError/);
    await proc.waitForOutput('[ERROR]');
    assert.match(
      proc.stdout,
      /^\[ERROR\] ValueError: boom 3\rTraceback \(most recent call last\):\r\u00a0\u00a0File ".*app\.py", line 12, in handler\r\u00a0{4}raise/m,
    );
    assert.equal(JSON.parse((await api.result(api.queue())).body).count, 2, 'the environment survives');
  });

  it('fails a result json cannot encode with Runtime.MarshalError', async (t) => {
    const { api } = await start(t);
    const body = JSON.parse((await api.result(api.queue({ body: { mode: 'unserialisable' } }))).body) as PyError;
    assert.equal(body.errorType, 'Runtime.MarshalError');
    assert.match(body.errorMessage, /^Unable to marshal response: Object of type set is not JSON serializable/);
  });

  it('loads a handler from a slashed module path', async (t) => {
    const { api } = await startFunction(t, PY, { 'pkg/mod.py': 'def handler(e, c):\n    return "nested"\n' }, 'pkg/mod.handler');
    assert.equal(JSON.parse((await api.result(api.queue())).body), 'nested');
  });

  it('reports each init error type with an empty requestId, then exits 1', async (t) => {
    const missing = await initFailure(t, {}, 'missing.handler');
    assert.deepEqual(
      [missing.body.errorType, missing.body.errorMessage, missing.body.requestId, missing.code],
      ['Runtime.ImportModuleError', "Unable to import module 'missing': No module named 'missing'", '', 1],
    );
    assert.equal(missing.header, 'Runtime.ImportModuleError');
    assert.match(missing.stdout, /^\[ERROR\] Runtime\.ImportModuleError: Unable to import module 'missing'/m);

    const notFound = await initFailure(t, { 'app.py': 'x = 1\n' }, 'app.handler');
    assert.deepEqual(
      [notFound.body.errorType, notFound.body.errorMessage],
      ['Runtime.HandlerNotFound', "Handler 'handler' missing on module 'app'"],
    );

    const syntax = await initFailure(t, { 'app.py': 'def handler(:\n' }, 'app.handler');
    assert.equal(syntax.body.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(syntax.body.errorMessage, /^Syntax error in module 'app': /);

    const malformed = await initFailure(t, { 'app.py': '' }, 'app');
    assert.equal(malformed.body.errorType, 'Runtime.MalformedHandlerName');
    assert.match(malformed.body.errorMessage, /^Bad handler 'app': /);

    const raising = await initFailure(t, { 'app.py': 'raise KeyError("cfg")\n' }, 'app.handler');
    assert.deepEqual([raising.body.errorType, raising.body.errorMessage], ['KeyError', "'cfg'"]);
    assert.ok(
      raising.body.stackTrace.some((line) => /app\.py", line 1, in <module>/.test(line)),
      raising.body.stackTrace.join(''),
    );
  });

  it('says once, in the log, how to make boto3 importable when a handler cannot import it', async (t) => {
    // As if this Python had no boto3, whatever the machine has.
    const hidden = 'import sys\nsys.modules["boto3"] = None\n';
    const note =
      /^pglambda: boto3 is not importable on Python 3\.\d+\.\d+ \(\/.+\), which runs this function; .*apt-get install python3-boto3.*pip install boto3 -t DIR\)$/m;
    const atInit = await initFailure(t, { 'app.py': `${hidden}import boto3\n` }, 'app.handler');
    assert.equal(atInit.body.errorType, 'Runtime.ImportModuleError');
    assert.match(atInit.stdout, note);

    const { api, proc } = await startFunction(
      t,
      PY,
      { 'app.py': `${hidden}def handler(event, context):\n    import boto3\n` },
      'app.handler',
    );
    for (let i = 0; i < 2; i++) assert.equal(JSON.parse((await api.result(api.queue())).body).errorType, 'ModuleNotFoundError');
    await proc.waitForOutput('[ERROR]');
    assert.match(proc.stdout, note);
    assert.equal(proc.stdout.match(/pglambda: boto3/g)?.length, 1, proc.stdout);
  });

  it('says which Python runs a runtime of another version, and nothing when they match', async (t) => {
    const [version, executable] = spawnSync(python, ['-c', 'import platform, sys; print(platform.python_version()); print(sys.executable)'])
      .stdout.toString()
      .trim()
      .split('\n');
    const own = `python${version!.split('.').slice(0, 2).join('.')}`;
    const other = await startFunction(t, PY, { 'app.py': APP }, 'app.handler', { AWS_EXECUTION_ENV: 'AWS_Lambda_python3.99' });
    await other.api.result(other.api.queue());
    assert.equal(other.proc.stdout, `pglambda: python3.99 runs on this machine's Python ${version} (${executable})\n`);
    const same = await startFunction(t, PY, { 'app.py': APP }, 'app.handler', { AWS_EXECUTION_ENV: `AWS_Lambda_${own}` });
    await same.api.result(same.api.queue());
    assert.equal(same.proc.stdout, '');
  });

  it('says once that a botocore older than 1.31 ignores AWS_ENDPOINT_URL', async (t) => {
    const files = {
      'botocore/__init__.py': '__version__ = "1.29.27"\n',
      'app.py': 'import botocore\ndef handler(event, context):\n    return 1\n',
    };
    const { api, proc } = await startFunction(t, PY, files, 'app.handler', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4575' });
    for (let i = 0; i < 2; i++) assert.equal((await api.result(api.queue())).body, '1');
    assert.match(
      proc.stdout,
      /^pglambda: botocore 1\.29\.27 on Python \S+ \(.+\) ignores AWS_ENDPOINT_URL .*endpoint_url=os\.environ\['AWS_ENDPOINT_URL'\]/m,
    );
    assert.equal(proc.stdout.match(/pglambda: botocore/g)?.length, 1, proc.stdout);
  });

  it('exits when the Runtime API goes away, or when its parent closes stdin', async (t) => {
    const first = await start(t);
    await first.api.polling();
    await first.api.stop();
    assert.deepEqual(await first.proc.exited, { code: 0, signal: null });

    const second = await start(t);
    await second.api.polling();
    second.proc.child.stdin?.end();
    assert.deepEqual(await second.proc.exited, { code: 0, signal: null });
  });
});

function start(t: TestContext) {
  return startFunction(t, PY, { 'app.py': APP }, 'app.handler');
}
