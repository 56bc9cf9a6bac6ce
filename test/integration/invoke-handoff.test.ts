/**
 * The hand-off between the service and function processes: our Node and Python clients take
 * invocations over the framed channel, while AWS_LAMBDA_RUNTIME_API keeps serving HTTP for
 * `provided` runtimes and for handlers that call it themselves; response bodies over the limit
 * fail the invoke on both paths.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
const invoke = (name: string, payload: unknown = {}) =>
  svc.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
const TOO_LARGE = {
  errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
  errorType: 'Function.ResponseSizeTooLarge',
};

test('a Node handler may answer through AWS_LAMBDA_RUNTIME_API itself; the first answer wins', T, async () => {
  await svc.createFunction('self-post', {
    'index.js': `exports.handler = async (event, context) => {
      if (!event.viaHttp) return 'normal';
      const url = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/' + context.awsRequestId + '/response';
      const res = await fetch(url, { method: 'POST', body: '"from http"' });
      return 'from the handler after ' + res.status;
    };`,
  });
  const r = await invoke('self-post', { viaHttp: true });
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  assert.equal(parsed(r.Payload), 'from http');
  // The runtime's own late answer is refused, and the environment carries on.
  assert.equal(parsed((await invoke('self-post')).Payload), 'normal');
});

test('a Python response over 6 MB is Function.ResponseSizeTooLarge; the next invoke works', {
  ...T,
  skip: has('python3') ? false : 'python3 is not installed',
}, async () => {
  await svc.createFunction(
    'py-big',
    { 'app.py': 'def handler(event, context):\n    return "x" * event["size"]\n' },
    {
      Runtime: 'python3.12',
      Handler: 'app.handler',
      MemorySize: 512,
    },
  );
  const big = await invoke('py-big', { size: 6_400_000 });
  assert.equal(big.FunctionError, 'Unhandled');
  assert.deepEqual(parsed(big.Payload), TOO_LARGE);
  const ok = await invoke('py-big', { size: 10 });
  assert.equal(ok.FunctionError, undefined, text(ok.Payload));
  assert.equal(parsed(ok.Payload), 'x'.repeat(10));
});

test('a provided runtime posting over 6 MB over HTTP gets 413 and the caller Function.ResponseSizeTooLarge', {
  ...T,
  skip: has('curl') ? false : 'curl is not installed',
}, async () => {
  const bootstrap = `#!/bin/sh
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
BODY="$(mktemp)"
head -c 6400000 /dev/zero | tr '\\0' 'x' > "$BODY"
while true; do
  HEADERS="$(mktemp)"
  curl -sS -D "$HEADERS" -o /dev/null "$API/invocation/next" || exit 0
  ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  STATUS="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$API/invocation/$ID/response" --data-binary @"$BODY")"
  echo "posted: $STATUS"
done
`;
  await svc.createFunction('shell-big', { bootstrap: { content: bootstrap, mode: 0o755 } }, { Runtime: 'provided.al2023', Handler: 'x' });
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'shell-big', Payload: Buffer.from('{}'), LogType: 'Tail' }));
  assert.equal(r.FunctionError, 'Unhandled');
  assert.deepEqual(parsed(r.Payload), TOO_LARGE);
});
