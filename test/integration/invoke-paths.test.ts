/**
 * The bridge reaches pglambda's own Lambda two ways: in-process (every call without an
 * endpoint_override) and by a SigV4-signed Invoke over HTTP (a superuser's endpoint_override, here
 * pointed at the same pglambda), the way it reaches any other Lambda endpoint. One table of calls, run
 * both ways: the rows and the errors must be the same.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateAliasCommand, PublishVersionCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { startTestService, type TestService } from '../helpers/service.js';
import { connect, type Session } from '../helpers/sql-session.js';

const T = { timeout: 60_000 };

let svc: TestService;
let local: Session;
let http: Session;

before(async () => {
  svc = await startTestService();
  await Promise.all([
    svc.createFunction('echo', {
      'index.mjs': `export const handler = async (event, context) => {
        console.log('echo', JSON.stringify(event));
        return { event, clientContext: context.clientContext ?? null, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
      };`,
    }),
    svc.createFunction('thrower', { 'index.mjs': 'export const handler = async () => { throw new TypeError("no such thing"); };' }),
    svc.createFunction(
      'sleeper',
      { 'index.mjs': 'export const handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 1; };' },
      { Timeout: 5 },
    ),
    svc.createFunction('throttled', { 'index.mjs': 'export const handler = async () => 1;' }),
  ]);
  await svc.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
  await svc.client.send(new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' }));
  await svc.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'throttled', ReservedConcurrentExecutions: 0 }));
  local = await connect(svc.postgres.superuserUrl);
  http = await connect(svc.postgres.superuserUrl);
  for (const s of [local, http]) await s.query('SET aws_lambda.request_timeout_ms = 10000');
  await http.query(`SET aws_lambda.endpoint_override = '${svc.endpoint}'`);
  // Warm environments for every version both paths run, so no answer carries an Init Duration.
  for (const q of ['echo', 'echo:1', 'echo:live']) await local.query(`SELECT * FROM aws_lambda.invoke('${q}', '{}'::json)`);
});

after(async () => {
  await local?.end();
  await http?.end();
  await svc?.close();
});

/** A log tail with what differs between any two invocations (request ids, durations, memory) masked. */
function comparableTail(logResult: string | null): string | null {
  if (logResult === null) return null;
  return Buffer.from(logResult, 'base64')
    .toString('utf8')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d+(\.\d+)? (ms|MB)/g, '<n> $2')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>');
}

type Outcome = { row: Record<string, unknown> } | { error: { code: string; message: string; detail?: string; hint?: string } };

async function outcome(s: Session, sql: string): Promise<Outcome> {
  try {
    const r = await s.client.query(sql);
    const row = { ...r.rows[0] };
    if ('log_result' in row) row.log_result = comparableTail(row.log_result as string | null);
    return { row };
  } catch (err) {
    const e = err as { code: string; message: string; detail?: string; hint?: string };
    await s.assertUsable();
    return { error: { code: e.code, message: e.message, detail: e.detail, hint: e.hint } };
  }
}

const CASES: Array<[string, string]> = [
  ['a RequestResponse call', `SELECT * FROM aws_lambda.invoke('echo', '{"n": 12345678901234567890, "k": 1, "k": 2}'::json)`],
  ['a jsonb payload', `SELECT * FROM aws_lambda.invoke('echo', '{"b": [1, 2.50]}'::jsonb)`],
  ['no payload', `SELECT * FROM aws_lambda.invoke('echo', NULL::json)`],
  ['a full ARN', `SELECT * FROM aws_lambda.invoke('arn:aws:lambda:us-west-2:123456789012:function:echo', '{}'::json)`],
  ['the composite overload', `SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('echo', 'us-west-2'), '{}'::json)`],
  ['a version', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, qualifier => '1')`],
  ['an alias in the name', `SELECT * FROM aws_lambda.invoke('echo:live', '{}'::json)`],
  ['$LATEST', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, qualifier => '$LATEST')`],
  [
    'a client context',
    `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, context => '{"custom": {"k": "v"}, "env": {"locale": "en"}}'::json)`,
  ],
  [
    'a log tail',
    `SELECT status_code, payload, executed_version, log_result FROM aws_lambda.invoke('echo', '{"t": 1}'::json, log_type => 'Tail')`,
  ],
  ['an Event', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, invocation_type => 'Event')`],
  ['a DryRun', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, invocation_type => 'DryRun')`],
  ['a DryRun of what does not exist', `SELECT * FROM aws_lambda.invoke('nope', '{}'::json, invocation_type => 'DryRun')`],
  ['an unknown function', `SELECT * FROM aws_lambda.invoke('nope', '{}'::json)`],
  ['an unknown version', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, qualifier => '9')`],
  ['an unknown alias, as an Event', `SELECT * FROM aws_lambda.invoke('echo:gone', '{}'::json, invocation_type => 'Event')`],
  ['another region', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, 'us-east-1')`],
  [
    'another account, no resource policy',
    `SELECT * FROM aws_lambda.invoke('arn:aws:lambda:us-west-2:111111111111:function:echo', '{}'::json)`,
  ],
  ['a function error', `SELECT * FROM aws_lambda.invoke('thrower', '{}'::json)`],
  ['reserved concurrency 0', `SELECT * FROM aws_lambda.invoke('throttled', '{}'::json)`],
  ['an invalid log type', `SELECT * FROM aws_lambda.invoke('echo', '{}'::json, log_type => 'tail')`],
  ['a qualifier conflicting with the name', `SELECT * FROM aws_lambda.invoke('echo:1', '{}'::json, qualifier => '2')`],
  [
    'an Event payload over 1 MB',
    `SELECT * FROM aws_lambda.invoke('echo', json_build_object('x', repeat('x', 1048576)), invocation_type => 'Event')`,
  ],
];

for (const [name, sql] of CASES) {
  test(`in-process and HTTP paths agree: ${name}`, T, async () => {
    const viaLocal = await outcome(local, sql);
    const viaHttp = await outcome(http, sql);
    assert.deepEqual(viaLocal, viaHttp);
  });
}

test('in-process and HTTP paths agree: a call that outlasts aws_lambda.request_timeout_ms', T, async () => {
  const sql = `SELECT * FROM aws_lambda.invoke('sleeper', '{}'::json)`;
  const results: Outcome[] = [];
  for (const s of [local, http]) {
    await s.query('SET aws_lambda.request_timeout_ms = 300');
    results.push(await outcome(s, sql));
    await s.query('SET aws_lambda.request_timeout_ms = 10000');
  }
  assert.deepEqual(results[0], {
    error: {
      code: '58000',
      message: 'invoke API failed',
      detail: "AWS Lambda client returned 'Request timed out after 300 ms'",
      hint: 'The request was sent: the function may have run.',
    },
  });
  assert.deepEqual(results[0], results[1]);
});

test('an endpoint_override that answers nothing fails the HTTP path alone', T, async () => {
  const port = new URL(svc.endpoint).port;
  const unreachable = `http://127.0.0.1:${Number(port) === 1 ? 2 : 1}`;
  await http.query(`SET aws_lambda.endpoint_override = '${unreachable}'`);
  try {
    assert.deepEqual(await outcome(http, `SELECT status_code FROM aws_lambda.invoke('echo', '{}'::json)`), {
      error: {
        code: '58000',
        message: 'invoke API failed',
        detail: "AWS Lambda client returned 'Unable to connect to endpoint'",
        hint: undefined,
      },
    });
    assert.deepEqual(await outcome(local, `SELECT status_code FROM aws_lambda.invoke('echo', '{}'::json)`), { row: { status_code: 200 } });
  } finally {
    await http.query(`SET aws_lambda.endpoint_override = '${svc.endpoint}'`);
  }
});
