/**
 * When a remote invoke is sent again: only when it cannot have run (throttled, or refused at
 * connect); never after a server error or a timeout; an expired session is handed back to the caller.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { rootIdentity } from '../aws/sts/identity.js';
import { BridgeError } from './errors.js';
import { RemoteLambda, SessionExpired } from './remote-lambda.js';
import { parseRequest } from './request.js';
import { resolveTarget } from './target.js';

const remote = new RemoteLambda();
const servers: Server[] = [];
after(() => {
  remote.close();
  for (const s of servers) s.close();
});

const session = { credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, identity: rootIdentity('123456789012') };

/** A Lambda stand-in answering each request with the next of `answers` (the last repeats); counts requests. */
async function lambdaAnswering(...answers: Array<{ status: number; type?: string; message?: string; delayMs?: number }>) {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    const a = answers[Math.min(requests++, answers.length - 1)]!;
    setTimeout(() => {
      if (a.status === 200) return res.writeHead(200, { 'x-amz-executed-version': '$LATEST' }).end('"ok"');
      res
        .writeHead(a.status, { 'content-type': 'application/json', 'x-amzn-errortype': a.type ?? '' })
        .end(JSON.stringify({ message: a.message }));
    }, a.delayMs ?? 0);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), requests: () => requests };
}

function call(url: URL, timeoutMs = 3000) {
  const req = parseRequest(`${JSON.stringify([2, 'f', null, null, null, null, null, String(timeoutMs), ''])}\n{}`);
  const target = resolveTarget(req.functionName, req.region, req.qualifier, { accountId: '123456789012', region: 'us-west-2' });
  return remote.invoke(req, target, 'c', session, url);
}

const failure = async (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );

test('a throttled invoke is sent again and succeeds', async () => {
  const lambda = await lambdaAnswering(
    { status: 429, type: 'TooManyRequestsException', message: 'Rate Exceeded.' },
    { status: 429, type: 'TooManyRequestsException', message: 'Rate Exceeded.' },
    { status: 200 },
  );
  const row = await call(lambda.url);
  assert.equal(row.payload, '"ok"');
  assert.equal(lambda.requests(), 3);
});

test('throttled throughout: four tries, then the SDK-worded failure', async () => {
  const lambda = await lambdaAnswering({ status: 429, type: 'TooManyRequestsException', message: 'Rate Exceeded.' });
  const e = (await failure(call(lambda.url))) as BridgeError;
  assert.equal(e.detail, "AWS Lambda client returned 'Rate Exceeded.'");
  assert.equal(lambda.requests(), 4);
});

test('a server error or a timeout is never sent again: the function may have run', async () => {
  const broken = await lambdaAnswering({ status: 500, type: 'ServiceException', message: 'An internal error occurred.' });
  assert.equal(((await failure(call(broken.url))) as BridgeError).detail, "AWS Lambda client returned 'An internal error occurred.'");
  assert.equal(broken.requests(), 1);
  const slow = await lambdaAnswering({ status: 200, delayMs: 500 });
  assert.equal(((await failure(call(slow.url, 100))) as BridgeError).detail, "AWS Lambda client returned 'Request timed out after 100 ms'");
  assert.equal(slow.requests(), 1);
});

test('a refused connection is tried again; an expired session goes back to the caller', async () => {
  const closed = await lambdaAnswering({ status: 200 });
  const port = closed.url.port;
  await new Promise<void>((r) => servers.pop()!.close(() => r()));
  const started = Date.now();
  const e = (await failure(call(new URL(`http://127.0.0.1:${port}`)))) as BridgeError;
  assert.equal(e.detail, "AWS Lambda client returned 'Unable to connect to endpoint'");
  assert.ok(Date.now() - started >= 700, 'waited 100 + 200 + 400 ms between the tries');
  const expired = await lambdaAnswering({
    status: 403,
    type: 'ExpiredTokenException',
    message: 'The security token included in the request is expired',
  });
  assert.ok((await failure(call(expired.url))) instanceof SessionExpired);
  assert.equal(expired.requests(), 1);
});
