/**
 * `pglambda bridge` as a service: two stateless replicas on one state database serve a cluster bound
 * to AWS (a second pglambda standing for AWS); either serves the database's login, a login retired
 * through one is refused by the other at once (LISTEN/NOTIFY), `/healthz` and `/readyz` answer, and
 * SIGTERM lets an invoke in flight finish.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import pg from 'pg';
import { freePort } from '../helpers/ports.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { COLD_START_ROOM } from '../helpers/sql-session.js';
import { until } from '../helpers/until.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
const ROLE_ARN = 'arn:aws:iam::123456789012:role/bridge-invoker';
const INVOKE = `SELECT status_code, payload FROM aws_lambda.invoke('on-aws', '{"n": 1}'::json)`;

let aws: TestService;
interface Replica {
  child: ChildProcess;
  port: number;
  health: number;
  /** What it wrote on stderr: JSON log lines. */
  said: () => string;
}
const replicas: Replica[] = [];
/** What the bridges' processes get: their AWS credentials, and where "AWS" is. */
let bridgeEnv: NodeJS.ProcessEnv;

const appUrl = () => {
  const url = new URL(aws.postgres.superuserUrl);
  url.pathname = '/app';
  return url.toString();
};

async function inApp<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: appUrl(), options: COLD_START_ROOM });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The bridge the database calls, from a new session (a new bridge connection). */
const pointAt = (port: number) => inApp((c) => c.query(`ALTER SERVER aws_lambda_bridge OPTIONS (SET port '${port}')`));
const invoke = () => inApp(async (c) => (await c.query(INVOKE)).rows[0]);

async function startReplica(): Promise<Replica> {
  const [port, health] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      main,
      'bridge',
      '--state-url',
      aws.postgres.url,
      '--port',
      String(port),
      '--health-port',
      String(health),
      '--drain-seconds',
      '10',
      '--log-level',
      'debug',
    ],
    {
      env: bridgeEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let said = '';
  child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  const replica = { child, port, health, said: () => said };
  replicas.push(replica);
  await until(
    'the bridge to get ready',
    () => {
      if (child.exitCode !== null) assert.fail(`the bridge exited with ${child.exitCode}`);
      return fetch(`http://127.0.0.1:${health}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
    },
    20_000,
  ).catch((err: Error) => assert.fail(`${err.message}; it said:\n${said}`));
  return replica;
}

async function install(port: number): Promise<void> {
  await run(
    process.execPath,
    [
      main,
      'install',
      '--database-url',
      appUrl(),
      '--state-url',
      aws.postgres.url,
      '--bridge-host',
      '127.0.0.1',
      '--bridge-port',
      String(port),
      '--cluster',
      'app-db',
      '--region',
      'us-west-2',
      '--aws-role-arn',
      ROLE_ARN,
      '--external-id',
      'app-db-ext',
    ],
    { env: bridgeEnv },
  );
}

before(async () => {
  aws = await startTestService({ grantAll: false });
  // With `started`, it first leaves that file behind: the test knows the invoke is under way.
  await aws.createFunction('on-aws', {
    'index.mjs': `import { writeFileSync } from 'node:fs';
      export const handler = async (e) => {
        if (e.started) writeFileSync(e.started, '');
        if (e.ms) await new Promise((r) => setTimeout(r, e.ms));
        return { from: 'aws', e };
      };`,
  });
  const iam = new IAMClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: ROOT });
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'bridge-invoker',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::123456789012:root' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'app-db-ext' } },
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'bridge-invoker',
        PolicyName: 'invoke',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:us-west-2:123456789012:function:on-aws' },
          ],
        }),
      }),
    );
  } finally {
    iam.destroy();
  }
  bridgeEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-west-2',
  };
  const admin = new pg.Client({ connectionString: aws.postgres.superuserUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  await admin.end();
  await startReplica();
  await startReplica();
  await install(replicas[0]!.port);
});

after(async () => {
  for (const r of replicas) r.child.kill('SIGKILL');
  await aws?.close();
});

test('either replica serves the database: the login and the binding live in the state database', async () => {
  assert.deepEqual(await invoke(), { status_code: 200, payload: { from: 'aws', e: { n: 1 } } });
  await pointAt(replicas[1]!.port);
  assert.deepEqual(await invoke(), { status_code: 200, payload: { from: 'aws', e: { n: 1 } } });
  const health = await fetch(`http://127.0.0.1:${replicas[1]!.health}/healthz`);
  assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
  const metrics = await fetch(`http://127.0.0.1:${replicas[1]!.health}/metrics`);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await metrics.text();
  assert.match(
    text,
    /^pglambda_bridge_invocations_total\{cluster="app-db",function="arn:aws:lambda:us-west-2:123456789012:function:on-aws",outcome="ok"\} 1$/m,
  );
  assert.match(
    text,
    /^pglambda_bridge_invoke_duration_seconds_count\{cluster="app-db",function="arn:aws:lambda:us-west-2:123456789012:function:on-aws"\} 1$/m,
  );
  assert.match(text, /^pglambda_bridge_sessions \d+$/m);
  assert.match(text, /^pglambda_bridge_process_cpu_seconds_total /m);
  // Its log: JSON lines; each invoke at debug level, without its payload.
  const lines = replicas[1]!
    .said()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.msg === 'bridge ready' && l.level === 30 && l.port === replicas[1]!.port));
  const call = lines.find((l) => l.msg === 'invoke');
  assert.deepEqual(
    [call.cluster, call.function, call.outcome, call.level],
    ['app-db', 'arn:aws:lambda:us-west-2:123456789012:function:on-aws', 'ok', 20],
  );
  assert.ok(!replicas[1]!.said().includes('"n":1'), 'no payload in the log');
});

test('a login retired by a new install is refused at once by every replica, the one that knew it too', async () => {
  const old = await inApp(async (c) =>
    Object.fromEntries(
      (
        await c.query(
          `select o.option_name, o.option_value from pg_user_mappings m, pg_options_to_table(m.umoptions) o where m.srvname = 'aws_lambda_bridge'`,
        )
      ).rows.map((r) => [r.option_name, r.option_value]),
    ),
  );
  // Both replicas have the old login in memory now.
  for (const r of replicas) {
    await pointAt(r.port);
    assert.equal((await invoke()).status_code, 200);
  }
  await install(replicas[0]!.port);
  for (const r of replicas) {
    const direct = new pg.Client({ host: '127.0.0.1', port: r.port, user: old.user, password: old.password, database: 'x' });
    await assert.rejects(direct.connect(), /password authentication failed/);
    await direct.end().catch(() => undefined);
    assert.ok(
      r
        .said()
        .split('\n')
        .some((l) => l.includes('"msg":"bridge login refused"') && l.includes(`"login":"${old.user}"`) && l.includes('"retired":true')),
    );
    assert.ok(!r.said().includes(old.password), 'no password in the log');
  }
  assert.equal((await invoke()).status_code, 200);
});

test("a cluster that is not bound to AWS is told this bridge does not run pglambda's own Lambda", async () => {
  const admin = new pg.Client({ connectionString: aws.postgres.superuserUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE local_app');
  await admin.end();
  const url = new URL(aws.postgres.superuserUrl);
  url.pathname = '/local_app';
  await run(
    process.execPath,
    [
      main,
      'install',
      '--database-url',
      url.toString(),
      '--state-url',
      aws.postgres.url,
      '--bridge-host',
      '127.0.0.1',
      '--bridge-port',
      String(replicas[0]!.port),
      '--cluster',
      'local-db',
      '--region',
      'us-west-2',
    ],
    { env: bridgeEnv },
  );
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const e = await client.query(INVOKE).then(
      () => assert.fail('invoked'),
      (err: pg.DatabaseError) => err,
    );
    assert.deepEqual(
      [e.code, e.message, e.detail],
      [
        '58000',
        'invoke API failed',
        "AWS Lambda client returned 'DB cluster local-db invokes pglambda's own Lambda, which this bridge does not run'",
      ],
    );
    const text = await (await fetch(`http://127.0.0.1:${replicas[0]!.health}/metrics`)).text();
    assert.match(text, /^pglambda_bridge_errors_total\{cluster="local-db",code="58000"\} 1$/m);
  } finally {
    await client.end();
  }
});

test('SIGTERM drains: not ready any more, and an invoke in flight finishes before the replica exits', async () => {
  const replica = replicas[0]!;
  await pointAt(replica.port);
  const started = join(tmpdir(), `pglambda-drain-${process.pid}`);
  const slow = inApp(
    async (c) =>
      (await c.query(`SELECT status_code FROM aws_lambda.invoke('on-aws', $1::json)`, [JSON.stringify({ ms: 1500, started })])).rows[0]
        .status_code,
  );
  await until('the invoke to start', () => existsSync(started));
  await rm(started, { force: true });
  // Listened for before the signal: the replica may exit before the invoke's answer is read here.
  const exited = once(replica.child, 'exit');
  replica.child.kill('SIGTERM');
  const ready = await until('readyz to stop answering 200', () =>
    fetch(`http://127.0.0.1:${replica.health}/readyz`).then(
      (r) => r.status !== 200 && r.status,
      () => 'closed',
    ),
  );
  assert.ok(ready === 503 || ready === 'closed', `readyz answered ${ready}`);
  assert.equal(await slow, 200);
  const [code] = await exited;
  assert.equal(code, 0);
});
