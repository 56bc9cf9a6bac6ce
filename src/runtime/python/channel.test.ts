import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { FUNCTION_ARN } from '../../../test/helpers/runtime-api-server.js';
import { startOnChannel } from '../../../test/helpers/runtime-channel-driver.js';

const python = process.env.PYTHON ?? 'python3';
const bootstrap = fileURLToPath(new URL('../../../../src/runtime/python/bootstrap.py', import.meta.url));
const skip = spawnSync(python, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${python} is not installed`;
const PY = { command: python, args: ['-u', bootstrap] };

const APP = `import os
count = 0

def handler(event, context):
    global count
    count += 1
    if event.get("raise"):
        raise ValueError("boom")
    if event.get("raw"):
        return b"\\x00raw"
    if event.get("block"):
        print("begun")
        import time
        time.sleep(60)
    cc = context.client_context
    return {
        "count": count, "event": event, "id": context.aws_request_id, "arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(), "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "custom": cc and cc.custom, "identity": context.identity.cognito_identity_id,
        "channel_var": os.environ.get("_PGLAMBDA_CHANNEL_FD"),
    }
`;

function start(t: TestContext, files: Record<string, string> = { 'app.py': APP }, handler = 'app.handler') {
  return startOnChannel(t, PY, files, handler).channel;
}

describe('python runtime over the channel', { skip }, () => {
  it('fills the context, forwards the trace id, hides the channel variable and announces Ready once', async (t) => {
    const channel = start(t);
    const id = channel.queue({
      body: { a: 1 },
      deadlineMs: Date.now() + 10_000,
      clientContext: '{"custom":{"k":"v"},"env":{},"client":{}}',
    });
    const posted = await channel.result(id);
    assert.equal(posted.kind, 'response');
    const r = JSON.parse(posted.body) as Record<string, unknown>;
    assert.deepEqual(
      [r.count, r.event, r.id, r.arn, r.custom, r.identity, r.channel_var],
      [1, { a: 1 }, id, FUNCTION_ARN, { k: 'v' }, null, null],
    );
    assert.ok(Number(r.remaining) > 8_000 && Number(r.remaining) <= 10_000, `remaining ${r.remaining}`);
    assert.match(String(r.trace), /^Root=1-/);
    const again = JSON.parse((await channel.result(channel.queue())).body) as Record<string, unknown>;
    assert.deepEqual([again.count, again.custom], [2, null]);
    assert.equal(channel.readyFrames, 1);
  });

  it('reports a raise with its type and requestId, and passes bytes results as they are', async (t) => {
    const channel = start(t);
    const id = channel.queue({ body: { raise: true } });
    const posted = await channel.result(id);
    assert.deepEqual([posted.kind, posted.errorType], ['error', 'ValueError']);
    const body = JSON.parse(posted.body) as { errorType: string; errorMessage: string; requestId: string };
    assert.deepEqual([body.errorType, body.errorMessage, body.requestId], ['ValueError', 'boom', id]);
    assert.equal((await channel.result(channel.queue({ body: { raw: true } }))).body, '\u0000raw');
  });

  it('fails an event that is not JSON with Runtime.UnmarshalError', async (t) => {
    const channel = start(t);
    const posted = await channel.result(channel.queue({ body: '{nope' }));
    assert.equal(posted.errorType, 'Runtime.UnmarshalError');
    assert.match(JSON.parse(posted.body).errorMessage, /^Unable to unmarshal input: /);
  });

  it('sends an init error and exits 1', async (t) => {
    const channel = start(t, {}, 'missing.handler');
    const posted = await channel.initError();
    assert.equal(posted.errorType, 'Runtime.ImportModuleError');
    assert.equal(JSON.parse(posted.body).requestId, '');
    assert.deepEqual(await channel.exited, { code: 1, signal: null });
  });

  it('exits when the channel closes while idle, and when its parent closes stdin mid-handler', async (t) => {
    const idle = start(t);
    await idle.waiting();
    idle.close();
    assert.deepEqual(await idle.exited, { code: 0, signal: null });

    const busy = start(t);
    busy.queue({ body: { block: true } });
    await busy.waitForOutput('begun');
    busy.child.stdin?.end();
    assert.deepEqual(await busy.exited, { code: 0, signal: null });
  });
});
