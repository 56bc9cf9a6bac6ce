import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { FUNCTION_ARN } from '../../../test/helpers/runtime-api-server.js';
import { startOnChannel } from '../../../test/helpers/runtime-channel-driver.js';

const NODE = { command: process.execPath, args: [fileURLToPath(new URL('./bootstrap.js', import.meta.url))] };

function start(t: TestContext, files: Record<string, string>, handler = 'index.handler') {
  return startOnChannel(t, NODE, files, handler).channel;
}

describe('node runtime over the channel', () => {
  it('fills the context, forwards the trace id, hides the channel variable and announces Ready once', async (t) => {
    const channel = start(t, {
      'index.js': `let n = 0; exports.handler = async (event, context) => ({ ...context, n: ++n, event,
        remaining: context.getRemainingTimeInMillis(), trace: process.env._X_AMZN_TRACE_ID,
        channelVar: process.env._PGLAMBDA_CHANNEL_FD ?? null });`,
    });
    const id = channel.queue({ body: { a: 1 }, deadlineMs: Date.now() + 10_000, clientContext: '{"custom":{"k":"v"}}' });
    const posted = await channel.result(id);
    assert.equal(posted.kind, 'response');
    const ctx = JSON.parse(posted.body) as Record<string, unknown>;
    assert.equal(ctx.awsRequestId, id);
    assert.equal(ctx.invokedFunctionArn, FUNCTION_ARN);
    assert.deepEqual(ctx.event, { a: 1 });
    assert.deepEqual(ctx.clientContext, { custom: { k: 'v' } });
    assert.equal(ctx.identity, undefined);
    assert.equal(ctx.functionName, 'test-fn');
    assert.equal(ctx.logGroupName, '/aws/lambda/test-fn');
    assert.equal(ctx.callbackWaitsForEmptyEventLoop, true);
    assert.ok(Number(ctx.remaining) > 8_000 && Number(ctx.remaining) <= 10_000, `remaining ${ctx.remaining}`);
    assert.match(String(ctx.trace), /^Root=1-/);
    assert.equal(ctx.channelVar, null);

    const again = JSON.parse((await channel.result(channel.queue())).body) as Record<string, unknown>;
    assert.deepEqual([again.n, again.clientContext], [2, undefined]);
    assert.equal(channel.readyFrames, 1);
  });

  it('reports handler errors with their type, and a malformed client context as an error', async (t) => {
    const channel = start(t, { 'index.js': 'exports.handler = async () => { throw new TypeError("no"); };' });
    const posted = await channel.result(channel.queue());
    assert.equal(posted.kind, 'error');
    assert.equal(posted.errorType, 'TypeError');
    const body = JSON.parse(posted.body) as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual([body.errorType, body.errorMessage, body.trace[0]], ['TypeError', 'no', 'TypeError: no']);
    const bad = await channel.result(channel.queue({ clientContext: '{oops' }));
    assert.equal(bad.kind, 'error');
    assert.match(JSON.parse(bad.body).errorMessage, /^Cannot parse ClientContext as json: SyntaxError/);
  });

  it('sends an init error and exits 129', async (t) => {
    const channel = start(t, {}, 'missing.handler');
    const posted = await channel.initError();
    assert.equal(posted.errorType, 'Runtime.ImportModuleError');
    assert.equal(JSON.parse(posted.body).errorType, 'Runtime.ImportModuleError');
    assert.deepEqual(await channel.exited, { code: 129, signal: null });
  });

  it('delivers the error of an uncaught exception before exiting', async (t) => {
    const channel = start(t, { 'index.js': 'exports.handler = () => { setImmediate(() => { throw new RangeError("late"); }); };' });
    const posted = await channel.result(channel.queue());
    assert.deepEqual([posted.kind, posted.errorType], ['error', 'RangeError']);
    assert.deepEqual(await channel.exited, { code: 129, signal: null });
  });

  it('waits for an empty event loop after callback(), unless told not to', async (t) => {
    const channel = start(t, {
      'index.js': `exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = event.wait;
        setTimeout(() => {}, 600);
        callback(null, 'cb');
      };`,
    });
    let began = Date.now();
    assert.equal(JSON.parse((await channel.result(channel.queue({ body: { wait: true } }))).body), 'cb');
    assert.ok(Date.now() - began >= 550, 'response came before the pending timer ran');
    await channel.waiting();
    began = Date.now();
    await channel.result(channel.queue({ body: { wait: false } }));
    assert.ok(Date.now() - began < 450, 'response waited although callbackWaitsForEmptyEventLoop = false');
  });

  it('exits when the channel closes while idle, and when its parent closes stdin mid-handler', async (t) => {
    const idle = start(t, { 'index.js': 'exports.handler = async () => 1;' });
    await idle.result(idle.queue());
    await idle.waiting();
    idle.close();
    assert.deepEqual(await idle.exited, { code: 0, signal: null });

    // A handler runs with the event loop; the channel is read only between invocations.
    const busy = start(t, {
      'index.js': 'exports.handler = async () => { console.log("begun"); await new Promise((r) => setTimeout(r, 60_000)); };',
    });
    busy.queue();
    await busy.waitForOutput('begun');
    busy.child.stdin!.end();
    assert.deepEqual(await busy.exited, { code: 0, signal: null });
  });

  it('is frozen between invocations: a timer falling due meanwhile fires once the next event came', async (t) => {
    const channel = start(t, {
      'index.js': `let firedAt = null;
        exports.handler = async (event) => {
          if (event.arm) setTimeout(() => (firedAt = Date.now()), 200);
          return firedAt;
        };`,
    });
    assert.equal(JSON.parse((await channel.result(channel.queue({ body: { arm: true } }))).body), null);
    await new Promise((r) => setTimeout(r, 600));
    const sent = Date.now();
    const firedAt = JSON.parse((await channel.result(channel.queue())).body) as number;
    assert.ok(firedAt >= sent, `the timer fired ${sent - firedAt} ms before the next event was sent`);
  });

  it('drops a keep-alive connection its peer closed while the process waited', async (t) => {
    // A server that keeps connections open without saying for how long, and closes each 200 ms
    // after its response: the client's agent learns of it only by reading the end of file.
    const server = createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        setTimeout(() => socket.end(), 200);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const channel = start(t, {
      'index.js': `const http = require('node:http');
        const agent = new http.Agent({ keepAlive: true });
        exports.handler = (event) => new Promise((resolve, reject) =>
          http.get(event.url, { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject));`,
    });
    assert.equal((await channel.result(channel.queue({ body: { url } }))).body, '200');
    await new Promise((r) => setTimeout(r, 600));
    const again = await channel.result(channel.queue({ body: { url } }));
    assert.deepEqual([again.kind, again.body], ['response', '200']);
  });
});
