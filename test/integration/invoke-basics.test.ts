/**
 * Invoke as a user of the SDK sees it: results and versions, payload rules and limits, the
 * invocation-type header, DryRun, Tail logs, client context and the function's environment.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { parsed, ROOT, startTestService, text, type TestService } from '../helpers/service.js';
import { failure } from '../helpers/aws-assert.js';

const T = { timeout: 30_000 };
let svc: TestService;
let scratch: string;

before(async () => {
  svc = await startTestService();
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-basics-'));
});
after(async () => {
  await svc?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const echo = { 'index.mjs': 'export const handler = async (event) => event;' };

/** Live environment pids of one function, from the pool census. */
function pidsOf(name: string): number[] {
  return [...svc.pool.census()].filter(([key]) => key.includes(`:function:${name}:`)).flatMap(([, pids]) => pids);
}

test('RequestResponse answers the result and the executed version, also for a published version', T, async () => {
  await svc.createFunction('echo', echo);
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":[1,2]}') }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.ExecutedVersion, '$LATEST');
  assert.equal(r.FunctionError, undefined);
  assert.equal(r.LogResult, undefined);
  assert.deepEqual(parsed(r.Payload), { a: [1, 2] });

  const v = await svc.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
  const r1 = await svc.client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: v.Version, Payload: Buffer.from('7') }));
  assert.equal(r1.ExecutedVersion, v.Version);
  assert.equal(text(r1.Payload), '7');
});

test('an empty payload reaches the function as {} and undefined comes back as null', T, async () => {
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'echo' }));
  assert.deepEqual(parsed(r.Payload), {});

  await svc.createFunction('nothing', { 'index.mjs': 'export const handler = async () => {};' });
  const n = await svc.client.send(new InvokeCommand({ FunctionName: 'nothing', Payload: Buffer.from('{}') }));
  assert.equal(n.StatusCode, 200);
  assert.equal(n.FunctionError, undefined);
  assert.equal(text(n.Payload), 'null');
});

test('a payload that is not JSON is refused with InvalidRequestContentException', T, async () => {
  for (const bad of ['not json', "{'a':1}", '{"a":']) {
    const err = await failure(svc.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from(bad) })));
    assert.equal(err.name, 'InvalidRequestContentException', bad);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, /^Could not parse request body into json/);
  }
  const utf8 = await failure(svc.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from([0x22, 0x87, 0x22]) })));
  assert.equal(utf8.name, 'InvalidRequestContentException');
});

test('payload limits: 6 MiB for RequestResponse, 1 MB for Event, both 413', T, async () => {
  const json = (bytes: number) => Buffer.from(`"${'a'.repeat(bytes - 2)}"`);
  const big = await failure(svc.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: json(6_291_457) })));
  assert.equal(big.name, 'RequestEntityTooLargeException');
  assert.equal(big.$metadata.httpStatusCode, 413);
  assert.equal(big.message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');

  const ev = await failure(svc.client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: json(1_048_577) })));
  assert.equal(ev.name, 'RequestEntityTooLargeException');
  assert.equal(ev.$metadata.httpStatusCode, 413);
  assert.match(ev.message, /1048577 byte payload is too large for the Event invocation type/);

  // Just under the sync limit is fine (the echo answers it back).
  const ok = await svc.client.send(new InvokeCommand({ FunctionName: 'echo', Payload: json(6_000_000) }));
  assert.equal(ok.FunctionError, undefined);
  assert.equal(ok.Payload?.length, 6_000_000);
});

test('an invocation type outside the enum is a ValidationException', T, async () => {
  const res = await signedFetch(new URL(`${svc.endpoint}/2015-03-31/functions/echo/invocations`), {
    method: 'POST',
    service: 'lambda',
    region: 'us-west-2',
    credentials: ROOT,
    headers: { 'x-amz-invocation-type': 'event', 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 400);
  const type = res.headers.get('x-amzn-errortype') ?? '';
  const body = (await res.json()) as Record<string, string>;
  assert.match(type || body.__type || '', /ValidationException/);
  assert.match(body.message ?? body.Message ?? '', /Member must satisfy enum value set: \[Event, RequestResponse, DryRun\]/);
});

test('DryRun answers 204 without running the function', T, async () => {
  const marker = join(scratch, 'dry-run-marker');
  await svc.createFunction('dry', {
    'index.mjs': `import { appendFileSync } from 'node:fs';
      appendFileSync(${JSON.stringify(marker)}, 'init\\n');
      export const handler = async () => { appendFileSync(${JSON.stringify(marker)}, 'run\\n'); return 'ran'; };`,
  });
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'dry', InvocationType: 'DryRun', Payload: Buffer.from('{}') }));
  assert.equal(r.StatusCode, 204);
  assert.equal(r.Payload?.length ?? 0, 0);
  assert.deepEqual(pidsOf('dry'), [], 'no environment was started');
  await assert.rejects(readFile(marker, 'utf8'), { code: 'ENOENT' });

  const missing = await failure(svc.client.send(new InvokeCommand({ FunctionName: 'no-such-fn', InvocationType: 'DryRun' })));
  assert.equal(missing.name, 'ResourceNotFoundException');

  // The same function does run for a real invocation, so the marker would have shown a run.
  const real = await svc.client.send(new InvokeCommand({ FunctionName: 'dry' }));
  assert.equal(parsed(real.Payload), 'ran');
  assert.equal(await readFile(marker, 'utf8'), 'init\nrun\n');
});

test('Tail returns START/END/REPORT with the handler output; Init Duration only on the cold start', T, async () => {
  await svc.createFunction('tail', { 'index.mjs': 'export const handler = async (e) => { console.log("hello from", e.n); return e.n; };' });
  const decode = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
  const cold = await svc.client.send(new InvokeCommand({ FunctionName: 'tail', LogType: 'Tail', Payload: Buffer.from('{"n":1}') }));
  const warm = await svc.client.send(new InvokeCommand({ FunctionName: 'tail', LogType: 'Tail', Payload: Buffer.from('{"n":2}') }));
  for (const [r, n] of [
    [cold, 1],
    [warm, 2],
  ] as const) {
    const log = decode(r.LogResult);
    assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    assert.match(log, new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t[0-9a-f-]{36}\\tINFO\\thello from ${n}\\n`));
    assert.match(
      log,
      /\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t/,
    );
    const ids = [...log.matchAll(/RequestId: ([0-9a-f-]{36})/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, 1, 'one request id throughout');
    // The runtime process's peak resident set, in MB: Node itself takes some tens of them.
    const used = Number(/Max Memory Used: (\d+) MB/.exec(log)?.[1]);
    assert.ok(used >= 10 && used <= 128, `Max Memory Used: ${used} MB`);
  }
  assert.match(decode(cold.LogResult), /\tInit Duration: [\d.]+ ms\t\n$/);
  assert.doesNotMatch(decode(warm.LogResult), /Init Duration/);
});

test("REPORT's Max Memory Used is the function process's own peak, not pglambda's", T, async () => {
  // A spawned process's getrusage peak starts from its parent's memory; VmHWM is the process's own.
  // The second call, right after the first, grows the process by 40 MB and keeps them.
  await svc.createFunction('peak', {
    'index.mjs': `import { readFileSync } from 'node:fs';
      let kept;
      export const handler = async (e) => {
        if (e?.growMb) kept = Buffer.alloc(e.growMb * 1048576, 1);
        return Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
      };`,
  });
  for (const growMb of [0, 40]) {
    const Payload = Buffer.from(JSON.stringify({ growMb }));
    const r = await svc.client.send(new InvokeCommand({ FunctionName: 'peak', LogType: 'Tail', Payload }));
    const hwmMb = Math.ceil(Number(Buffer.from(r.Payload!).toString()) / 1024);
    const used = Number(/Max Memory Used: (\d+) MB/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString())?.[1]);
    assert.ok(used >= hwmMb - 1 && used <= hwmMb + 4, `grew ${growMb} MB: Max Memory Used ${used} MB, the handler's VmHWM ${hwmMb} MB`);
  }
});

test('the Tail log is at most 4 KB and cut on a UTF-8 character boundary', T, async () => {
  await svc.createFunction('chatty', {
    'index.mjs': 'export const handler = async (e) => { console.log("€".repeat(3500) + "x".repeat(e.pad)); return "ok"; };',
  });
  // Different padding moves the cut through every byte position of a 3-byte character.
  for (const pad of [0, 1, 2, 3, 4]) {
    const r = await svc.client.send(
      new InvokeCommand({ FunctionName: 'chatty', LogType: 'Tail', Payload: Buffer.from(JSON.stringify({ pad })) }),
    );
    const bytes = Buffer.from(r.LogResult ?? '', 'base64');
    assert.ok(bytes.length <= 4096, `tail has ${bytes.length} bytes`);
    assert.ok(bytes.length >= 4090, `tail keeps nearly 4 KB, has ${bytes.length}`);
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    assert.match(decoded, /^€+x*\nEND RequestId: /);
    assert.match(decoded, /REPORT RequestId: .*\n$/);
  }
});

test('ClientContext reaches context.clientContext; an invalid one is refused', T, async () => {
  await svc.createFunction('ctx', {
    'index.mjs':
      'export const handler = async (e, context) => ({ cc: context.clientContext ?? null, fn: context.functionName, id: context.awsRequestId });',
  });
  const cc = Buffer.from(JSON.stringify({ custom: { k: 'v' }, env: { e: '1' } })).toString('base64');
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'ctx', ClientContext: cc }));
  const out = parsed(r.Payload);
  assert.deepEqual(out.cc, { custom: { k: 'v' }, env: { e: '1' } });
  assert.equal(out.fn, 'ctx');
  assert.match(out.id, /^[0-9a-f-]{36}$/);

  const none = await svc.client.send(new InvokeCommand({ FunctionName: 'ctx' }));
  assert.equal(parsed(none.Payload).cc, null);

  for (const bad of ['%%%not-base64%%%', Buffer.from('not json').toString('base64'), Buffer.from('[1]').toString('base64')]) {
    const err = await failure(svc.client.send(new InvokeCommand({ FunctionName: 'ctx', ClientContext: bad })));
    assert.equal(err.$metadata.httpStatusCode, 400, bad);
    assert.equal(err.name, 'InvalidRequestContentException', bad);
  }
});

test('the function sees the Lambda environment variables and its own', T, async () => {
  await svc.createFunction(
    'envs',
    {
      'index.mjs': `import { existsSync } from 'node:fs';
      export const handler = async () => ({ env: process.env, cwd: process.cwd(), here: existsSync(process.env.LAMBDA_TASK_ROOT + '/index.mjs') });`,
    },
    { MemorySize: 256, Environment: { Variables: { MY_VAR: 'hello', OTHER: 'x y' } } },
  );
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'envs' }));
  const { env, cwd, here } = parsed(r.Payload);
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'envs');
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
  assert.equal(env.AWS_REGION, 'us-west-2');
  assert.equal(env.AWS_DEFAULT_REGION, 'us-west-2');
  assert.equal(env._HANDLER, 'index.handler');
  assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs22.x');
  assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/envs');
  assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.match(env.AWS_LAMBDA_RUNTIME_API, /^[\w.-]+:\d+$/);
  assert.equal(env.LAMBDA_TASK_ROOT, cwd);
  assert.equal(here, true, 'LAMBDA_TASK_ROOT holds the code');
  assert.equal(env.TZ, ':UTC');
  assert.equal(env.MY_VAR, 'hello');
  assert.equal(env.OTHER, 'x y');
});

test('the AWS SDK v3 is importable from an ES module handler and requirable from CommonJS', T, async () => {
  await svc.createFunction('sdk-esm', {
    'index.mjs': `import { LambdaClient } from '@aws-sdk/client-lambda';
      export const handler = async () => typeof LambdaClient;`,
  });
  await svc.createFunction('sdk-cjs', {
    'index.js': `const { LambdaClient } = require('@aws-sdk/client-lambda');
      exports.handler = async () => typeof LambdaClient;`,
  });
  await svc.createFunction('sdk-esm-js', {
    'package.json': '{"type":"module"}',
    'index.js': `import { InvokeCommand } from '@aws-sdk/client-lambda';
      export const handler = async () => typeof InvokeCommand;`,
  });
  for (const name of ['sdk-esm', 'sdk-cjs', 'sdk-esm-js']) {
    const r = await svc.client.send(new InvokeCommand({ FunctionName: name }));
    assert.equal(r.FunctionError, undefined, `${name}: ${text(r.Payload)}`);
    assert.equal(parsed(r.Payload), 'function', name);
  }
});
