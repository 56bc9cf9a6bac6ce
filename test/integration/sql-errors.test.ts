/**
 * What a failing `aws_lambda.invoke` gives its caller on the embedded PostgreSQL 18: SQLSTATE,
 * message, detail and hint of every error of docs/sqlstates.md that a call can reach (Aurora's
 * words where Aurora has any), and that the session goes on working after each.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { connect, urlAs, type Session, type SqlError } from '../helpers/sql-session.js';

const T = { timeout: 30_000 };
/** The file's session waits up to 10 s (not the default 3 s): cold starts on a busy machine. */
const ROOMY = 'SET aws_lambda.request_timeout_ms = 10000';
const ARN = 'arn:aws:lambda:us-west-2:123456789012:function';
const RID = '[0-9a-f-]{36}';
const invalidValue = (name: string, value: string): SqlError => ({
  code: '22023',
  message: `invalid value for parameter "${name}": "${value}"`,
  hint: 'Valid values are whole numbers of milliseconds between 1 and 900000.',
});

let svc: TestService;
let s: Session;

before(async () => {
  svc = await startTestService({ examples: true });
  await Promise.all([
    svc.createFunction(
      'sleeper',
      {
        'index.mjs': 'export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return e; };',
      },
      { Timeout: 10 },
    ),
    svc.createFunction('thrower', { 'index.mjs': 'export const handler = async () => { throw new Error("Error details string"); };' }),
    svc.createFunction(
      'slowpoke',
      {
        'index.mjs': 'export const handler = async () => { await new Promise((r) => setTimeout(r, 3000)); return "late"; };',
      },
      { Timeout: 1 },
    ),
    svc.createFunction('crasher', { 'index.js': 'exports.handler = async () => { process.exit(1); };' }),
  ]);
  s = await connect(svc.postgres.superuserUrl);
  await s.query(ROOMY);
});
after(async () => {
  await s?.end();
  await svc?.close();
});

/** Runs `sql`, expects exactly `expected`, then checks that the session goes on. */
async function fails(sql: string, expected: SqlError): Promise<void> {
  assert.deepEqual(await s.error(sql), expected, sql);
  await s.assertUsable();
}

test('an unknown function: invoke API failed with what Lambda said', T, async () => {
  const e = await s.error(`SELECT * FROM aws_lambda.invoke('nope', '{}'::json)`);
  assert.equal(e.code, '58000');
  assert.equal(e.message, 'invoke API failed');
  // Lambda names the unqualified ARN; pglambda's Lambda adds :$LATEST (accepted either way here).
  assert.match(e.detail ?? '', new RegExp(String.raw`^AWS Lambda client returned 'Function not found: ${ARN}:nope(:\$LATEST)?'$`));
  assert.equal(e.hint, undefined);
  await s.assertUsable();

  // An unknown alias or version names the qualified ARN.
  const alias = await s.error(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, qualifier => 'nosuch')`);
  assert.equal(alias.code, '58000');
  assert.equal(alias.detail, `AWS Lambda client returned 'Function not found: ${ARN}:my-function:nosuch'`);
  const r = await s.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`);
  assert.equal(r.rows[0].status_code, 200, 'the bridge connection is still good');
});

test('a malformed function name or ARN is refused before any call (22023)', T, async () => {
  const hint = 'Use a function name, name:qualifier, a partial ARN (123456789012:function:name) or a full ARN.';
  for (const name of [
    'arn:aws:lambda:us-west-2:12345:function:my-function', // account id of 5 digits
    'arn:aws:lambda:us-west-2:123456789012:function:', // no name
    'arn:aws:s3:::my-bucket',
    'my function',
    'x'.repeat(65),
  ]) {
    await fails(`SELECT * FROM aws_lambda.invoke('${name}', '{}'::json)`, {
      code: '22023',
      message: `invalid function_name "${name}"`,
      hint,
    });
  }
  // Caught in SQL: an empty name, and a composite literal that is not one.
  await fails(`SELECT * FROM aws_lambda.invoke('', '{}'::json)`, { code: '22023', message: 'function_name must not be null or empty' });
  await fails(`SELECT * FROM aws_lambda.invoke('(my-function,us-west-2,x)', '{}'::json)`, {
    code: '22P02',
    message: 'malformed record literal: "(my-function,us-west-2,x)"',
    detail: 'Too many columns.',
  });
});

test('a region that conflicts with the ARN is refused; an agreeing one works', T, async () => {
  const arn = `${ARN}:my-function`;
  const conflict: SqlError = {
    code: '22023',
    message: `region "eu-west-1" conflicts with the region "us-west-2" in function_name "${arn}"`,
  };
  await fails(`SELECT * FROM aws_lambda.invoke('${arn}', '{}'::json, 'eu-west-1')`, conflict);
  await fails(`SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('${arn}', 'eu-west-1'), '{}'::json)`, conflict);
  // psql's \gset form of the composite (a text literal) with a named region: refused in SQL.
  await fails(`SELECT * FROM aws_lambda.invoke('(my-function,us-west-2)', '{}'::json, region => 'eu-west-1')`, {
    code: '22023',
    message: 'region "eu-west-1" conflicts with region "us-west-2" of function_name',
  });
  const ok = await s.query(`SELECT status_code, executed_version FROM aws_lambda.invoke('${arn}', '{}'::json, 'us-west-2')`);
  assert.deepEqual(ok.rows, [{ status_code: 200, executed_version: '$LATEST' }]);
});

test('a qualifier that conflicts with the name is refused; an agreeing one works', T, async () => {
  await fails(`SELECT * FROM aws_lambda.invoke('my-function:1', '{}'::json, qualifier => '2')`, {
    code: '22023',
    message: 'qualifier "2" conflicts with the qualifier "1" in function_name "my-function:1"',
  });
  await fails(
    `SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('${ARN}:my-function:1'), '{}'::json, qualifier => '2')`,
    { code: '22023', message: `qualifier "2" conflicts with the qualifier "1" in function_name "${ARN}:my-function:1"` },
  );
  const ok = await s.query(
    `SELECT executed_version FROM aws_lambda.invoke('my-function:custom_version', '{}'::json, qualifier => 'custom_version')`,
  );
  assert.deepEqual(ok.rows, [{ executed_version: '1' }]);
});

test('invocation_type and log_type are case-sensitive', T, async () => {
  await fails(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, invocation_type => 'event')`, {
    code: '22023',
    message: 'invalid invocation_type "event"',
    hint: 'Valid values are RequestResponse, Event and DryRun (case-sensitive).',
  });
  // The composite overload, positionally, as the reference writes its Event call.
  await fails(`SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function'), '{}'::json, 'requestresponse')`, {
    code: '22023',
    message: 'invalid invocation_type "requestresponse"',
    hint: 'Valid values are RequestResponse, Event and DryRun (case-sensitive).',
  });
  for (const logType of ['tail', 'TAIL', 'none', 'Full']) {
    await fails(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, log_type => '${logType}')`, {
      code: '22023',
      message: `invalid log_type "${logType}"`,
      hint: 'Valid values are None and Tail (case-sensitive).',
    });
  }
});

test('a client context that is not a JSON object, or not JSON', T, async () => {
  for (const context of ['[1]', '"es_MX"', '42', 'true']) {
    await fails(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, context => '${context}'::json)`, {
      code: '22023',
      message: 'context must be a JSON object',
      hint: 'Use fields such as "custom" and "env".',
    });
  }
  // The six-argument form takes the context as text: PostgreSQL's own error for bad JSON.
  const e = await s.error(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, 'us-west-2', 'RequestResponse', 'None', '{locale}')`);
  assert.equal(e.code, '22P02');
  assert.equal(e.message, 'invalid input syntax for type json');
  await s.assertUsable();
});

test('a client context over 3,583 bytes in base64 is refused; one just under passes', T, async () => {
  // {"custom":{"k":"xxx"}} as the bridge serializes it; base64 grows in steps of 4.
  const wrapper = JSON.stringify({ custom: { k: '' } }).length;
  const fits = 3 * (3580 / 4) - wrapper; // 3,580 base64 bytes
  const context = (n: number) => `json_build_object('custom', json_build_object('k', repeat('x', ${n})))`;
  await fails(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, context => ${context(fits + 1)})`, {
    code: '22023',
    message: 'context is too large: 3584 bytes in base64 (limit 3583)',
  });
  const ok = await s.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json, context => ${context(fits)})`);
  assert.equal(ok.rows[0].status_code, 200);
});

test('payloads over Lambda limits: 6 MB RequestResponse, 1 MB Event', { timeout: 60_000 }, async () => {
  // {"s":"xxx"}: 8 bytes around the string. The bridge counts the payload as written.
  const payload = (total: number) => `('{"s":"' || repeat('x', ${total - 8}) || '"}')::json`;
  await fails(`SELECT status_code FROM aws_lambda.invoke('my-function', ${payload(6_291_457)})`, {
    code: '22023',
    message: 'payload is too large: 6291457 bytes (limit 6291456 for RequestResponse invocations)',
  });
  await fails(`SELECT status_code FROM aws_lambda.invoke('my-function', ${payload(1_048_577)}, invocation_type => 'Event')`, {
    code: '22023',
    message: 'payload is too large: 1048577 bytes (limit 1048576 for Event invocations)',
  });
  const sync = await s.query(`SELECT status_code FROM aws_lambda.invoke('my-function', ${payload(6_291_456)})`);
  assert.equal(sync.rows[0].status_code, 200, 'exactly 6 MB passes');
  const event = await s.query(
    `SELECT status_code, payload FROM aws_lambda.invoke('my-function', ${payload(1_048_576)}, invocation_type => 'Event')`,
  );
  assert.deepEqual(event.rows, [{ status_code: 202, payload: null }], 'exactly 1 MB passes as an Event');
  // Spacing counts: the same value written with two more spaces is over the limit.
  const spaced = `('{"s" : "' || repeat('x', ${1_048_576 - 8}) || '"}')::json`;
  const e = await s.error(`SELECT status_code FROM aws_lambda.invoke('my-function', ${spaced}, invocation_type => 'Event')`);
  assert.equal(e.message, 'payload is too large: 1048578 bytes (limit 1048576 for Event invocations)');
  // Larger than the bridge's largest message: refused before sending, in the same words, the connection kept.
  await fails(`SELECT status_code FROM aws_lambda.invoke('my-function', ('"' || repeat('x', 70000000) || '"')::json)`, {
    code: '22023',
    message: 'payload is too large: 70000002 bytes (limit 6291456 for RequestResponse invocations)',
  });
  await s.assertUsable();
});

test('aws_lambda.request_timeout_ms bounds the wait: invoke API failed within about that time', T, async () => {
  await s.query('SET aws_lambda.request_timeout_ms = 500');
  const started = Date.now();
  const e = await s.error(`SELECT * FROM aws_lambda.invoke('sleeper', '{"ms": 3000}'::json)`);
  const took = Date.now() - started;
  assert.deepEqual(e, {
    code: '58000',
    message: 'invoke API failed',
    detail: "AWS Lambda client returned 'Request timed out after 500 ms'",
    hint: 'The request was sent: the function may have run.',
  });
  assert.ok(took >= 450 && took < 1200, `failed after ${took} ms`);
  // The same session, and the same bridge connection, go on.
  await s.query(ROOMY);
  const r = await s.query(`SELECT payload FROM aws_lambda.invoke('sleeper', '{"ms": 10}'::json)`);
  assert.deepEqual(r.rows[0].payload, { ms: 10 });
});

test('statement_timeout cancels the wait (57014); the next call reconnects', T, async () => {
  await s.query('SET statement_timeout = 500');
  const started = Date.now();
  const e = await s.error(`SELECT * FROM aws_lambda.invoke('sleeper', '{"ms": 2000}'::json)`);
  const took = Date.now() - started;
  await s.query('RESET statement_timeout');
  assert.deepEqual(e, { code: '57014', message: 'canceling statement due to statement timeout' });
  assert.ok(took < 1500, `cancelled after ${took} ms`);
  const r = await s.query(`SELECT payload FROM aws_lambda.invoke('sleeper', '{"ms": 1}'::json)`);
  assert.deepEqual(r.rows[0].payload, { ms: 1 });
});

describe("a function that fails: lambda invocation failed, with Aurora's DETAIL", () => {
  const failed = (name: string, details: string) =>
    new RegExp(String.raw`^"${ARN}:${name}" returned error "Unhandled", details: "${details}"\.$`, 's');

  test('it throws', T, async () => {
    const e = await s.error(`SELECT * FROM aws_lambda.invoke('thrower', '{"body": "Hello from Postgres!"}'::json)`);
    assert.equal(e.code, '38000');
    assert.equal(e.message, 'lambda invocation failed');
    assert.match(
      e.detail ?? '',
      failed(
        'thrower',
        String.raw`\{"errorType":"Error","errorMessage":"Error details string","trace":\["Error: Error details string",.*\]\}`,
      ),
    );
    assert.equal(e.hint, undefined);
    await s.assertUsable();
  });

  test('it times out (Timeout 1 s)', T, async () => {
    const started = Date.now();
    const e = await s.error(`SELECT * FROM aws_lambda.invoke('slowpoke', '{}'::json)`);
    assert.ok(Date.now() - started < 2500, "about the function's Timeout");
    assert.equal(e.code, '38000');
    assert.equal(e.message, 'lambda invocation failed');
    assert.match(
      e.detail ?? '',
      failed(
        'slowpoke',
        `\\{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ${RID} Error: Task timed out after 1.00 seconds"\\}`,
      ),
    );
    await s.assertUsable();
  });

  test('it crashes (process.exit(1))', T, async () => {
    const e = await s.error(`SELECT * FROM aws_lambda.invoke('crasher', '{}'::json)`);
    assert.equal(e.code, '38000');
    assert.equal(e.message, 'lambda invocation failed');
    assert.match(
      e.detail ?? '',
      failed(
        'crasher',
        `\\{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ${RID} Error: Runtime exited with error: exit status 1"\\}`,
      ),
    );
    await s.assertUsable();
  });

  test('through psql, as the reference shows it', { ...T, skip: skipWithoutPsql }, async () => {
    const r = await psql(
      svc.postgres.superuserUrl,
      String.raw`
SELECT aws_commons.create_lambda_function_arn('thrower', 'us-west-2') AS aws_lambda_arn_1 \gset
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json);
\echo :SQLSTATE
SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json);`,
    );
    assert.match(
      r.stderr,
      new RegExp(
        String.raw`^ERROR:  lambda invocation failed\nDETAIL:  "${ARN}:thrower" returned error "Unhandled", details: "\{"errorType":"Error","errorMessage":"Error details string",.*\}"\.\n`,
        's',
      ),
    );
    assert.equal(r.stdout, '38000\n200\n');
  });
});

test('a role without the GRANTs: permission denied for schema aws_lambda', T, async () => {
  await s.query(`CREATE ROLE errors_nogrant LOGIN PASSWORD 'x'`);
  const bob = await connect(urlAs(svc.postgres.superuserUrl, 'errors_nogrant', 'x'));
  try {
    assert.deepEqual(await bob.error(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json)`), {
      code: '42501',
      message: 'permission denied for schema aws_lambda',
    });
    await bob.assertUsable();
    // USAGE on the schema alone is not enough either.
    await s.query('GRANT USAGE ON SCHEMA aws_lambda TO errors_nogrant');
    assert.deepEqual(await bob.error(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::jsonb)`), {
      code: '42501',
      message: 'permission denied for function invoke',
    });
    await bob.assertUsable();
  } finally {
    await bob.end();
  }
});

test('an out-of-range request timeout fails the call with 22023 before anything is sent', T, async () => {
  const name = 'aws_lambda.request_timeout_ms';
  for (const value of ['0', '900001', '-5', '1.5', 'abc']) {
    await s.query(`SET ${name} = '${value}'`);
    await fails(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json)`, invalidValue(name, value));
  }
  await s.query(`SET ${name} = 900000`);
  assert.equal((await s.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`)).rows[0].status_code, 200);
  await s.query(ROOMY);
});

test('an out-of-range connect timeout fails the call that must connect with 22023', T, async () => {
  // aws_lambda.connect_timeout_ms is read when a connection to the bridge is opened: a new session's first call.
  const name = 'aws_lambda.connect_timeout_ms';
  for (const value of ['0', '900001', '-5', '1.5', 'abc', '900000']) {
    const fresh = await connect(svc.postgres.superuserUrl);
    try {
      await fresh.query(ROOMY);
      await fresh.query(`SET ${name} = '${value}'`);
      const call = `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`;
      if (value === '900000') assert.equal((await fresh.query(call)).rows[0].status_code, 200);
      else assert.deepEqual(await fresh.error(call), invalidValue(name, value));
      await fresh.assertUsable();
    } finally {
      await fresh.end();
    }
  }
});

test('an untyped payload is ambiguous (42725): cast it', T, async () => {
  await fails(`SELECT * FROM aws_lambda.invoke('my-function', '{}')`, {
    code: '42725',
    message: 'function aws_lambda.invoke(unknown, unknown) is not unique',
    hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
  });
  const r = await s.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::jsonb)`);
  assert.equal(r.rows[0].status_code, 200);
});

describe('the bridge is down', () => {
  const unreachable: SqlError = {
    code: '58000',
    message: 'invoke API failed',
    detail: "AWS Lambda client returned 'Unable to connect to endpoint'",
  };
  let down: TestService;
  /** A session whose connection to the bridge was open when the bridge went down. */
  let live: Session;
  before(async () => {
    down = await startTestService({ examples: true });
    live = await connect(down.postgres.superuserUrl);
    const first = await live.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`);
    assert.equal(first.rows[0].status_code, 200);
    await down.bridge.close();
  });
  after(async () => {
    await live?.end();
    await down?.close();
  });

  test('invoke API failed: Unable to connect to endpoint, in a live session', T, async () => {
    const started = Date.now();
    assert.deepEqual(await live.error(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json)`), unreachable);
    assert.ok(Date.now() - started < 1000, 'a refused connection fails at once');
    await live.assertUsable();
    assert.deepEqual(await live.error(`SELECT * FROM aws_lambda.invoke('my-function', '{}'::json)`), unreachable, 'and again');
  });

  test('invoke API failed: Unable to connect to endpoint, in a new session through psql', { ...T, skip: skipWithoutPsql }, async () => {
    const r = await psql(
      down.postgres.superuserUrl,
      `SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);\n\\echo :SQLSTATE\nSELECT 'still here';`,
    );
    assert.match(r.stderr, /^ERROR: {2}invoke API failed\nDETAIL: {2}AWS Lambda client returned 'Unable to connect to endpoint'\n/);
    assert.doesNotMatch(r.stderr, /pglambda_|password/, "libpq's reason, which may name the login, stays in the server log");
    assert.equal(r.stdout, '58000\nstill here\n');
  });
});

describe("the bridge refuses the database's login", () => {
  const INVOKE = `SELECT * FROM aws_lambda.invoke('my-function', '{}'::json)`;
  const refused = (login: string): SqlError => ({
    code: '58000',
    message: 'invoke API failed',
    detail: "AWS Lambda client returned 'Unable to connect to endpoint'",
    hint: `The bridge refused this database's login "${login}": password authentication failed. Each database has its own bridge login; run "pglambda install --database-url ..." for this database again.`,
  });
  let admin: Session;
  /** What the database's foreign server and user mapping hold now (a superuser reads the password). */
  let configured: { host: string; port: number; login: string; password: string };
  before(async () => {
    admin = await connect(svc.postgres.superuserUrl);
    configured = (
      await admin.query(`
      SELECT max(v) FILTER (WHERE k = 'host') AS host, max(v) FILTER (WHERE k = 'port')::integer AS port,
             max(v) FILTER (WHERE k = 'user') AS login, max(v) FILTER (WHERE k = 'password') AS password
      FROM (SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'aws_lambda_bridge'
            UNION ALL SELECT umoptions FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge') AS x(options),
           pg_options_to_table(x.options) AS o(k, v)`)
    ).rows[0];
  });
  after(() => admin?.end());
  const configure = (password: string) =>
    admin.query('SELECT aws_lambda_private.configure_bridge($1, $2, $3, $4)', [
      configured.host,
      configured.port,
      configured.login,
      password,
    ]);

  test('a wrong password: the HINT names the login; the session goes on, and works once the password is right', T, async () => {
    await configure('wrong');
    const fresh = await connect(svc.postgres.superuserUrl);
    try {
      await fresh.query(ROOMY);
      assert.deepEqual(await fresh.error(INVOKE), refused(configured.login));
      await fresh.assertUsable();
      assert.deepEqual(await fresh.error(INVOKE), refused(configured.login), 'each call tries again');
      await configure(configured.password);
      const r = await fresh.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`);
      assert.equal(r.rows[0].status_code, 200);
    } finally {
      await fresh.end();
    }
  });

  test('a login retired by a newer one: the HINT says so, and what it says to run mends it', T, async () => {
    // What installing into a copy of this database does to its login: a new one issued, the old retired.
    const cluster = `${svc.endpoint}/_pglambda/clusters/my-db-cluster`;
    const sign = { service: 'pglambda', region: 'us-west-2', credentials: ROOT };
    const issued = await signedFetch(new URL(`${cluster}/bridge-login`), {
      ...sign,
      method: 'POST',
      body: JSON.stringify({ Region: 'us-west-2' }),
    });
    assert.equal(issued.status, 200);
    const retired = await signedFetch(new URL(`${cluster}/bridge-logins/${configured.login}?Region=us-west-2`), {
      ...sign,
      method: 'DELETE',
    });
    assert.equal(retired.status, 200);

    const fresh = await connect(svc.postgres.superuserUrl);
    try {
      await fresh.query(ROOMY);
      assert.deepEqual(await fresh.error(INVOKE), refused(configured.login));
      await fresh.assertUsable();
      await promisify(execFile)(
        process.execPath,
        [resolve('dist/src/cli/main.js'), 'install', '--database-url', svc.postgres.superuserUrl, '--endpoint-url', svc.endpoint],
        { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
      );
      const r = await fresh.query(`SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`);
      assert.equal(r.rows[0].status_code, 200);
    } finally {
      await fresh.end();
    }
  });
});
