/**
 * Event invocations: accepted with 202 and run later, retried on function errors, destination
 * records, expired events dropped, and at-least-once delivery across a hard crash of the service
 * and its PostgreSQL.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  type PutFunctionEventInvokeConfigCommandInput,
} from '@aws-sdk/client-lambda';
import pg from 'pg';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { freePort } from '../helpers/ports.js';
import { removeDataDir, startTestService, type TestService } from '../helpers/service.js';
import { until } from '../helpers/until.js';
import { isRunning } from '../helpers/processes.js';
import { DEFAULT_ROLE } from '../../src/service/default-role.js';

const T = { timeout: 30_000 };
const ARN = 'arn:aws:lambda:us-west-2:123456789012:function';
let svc: TestService;
let scratch: string;
const children = new Set<ChildProcess>();
/** Data dirs of `pglambda up` children, whose PostgreSQL must not outlive the test. */
const childDataDirs = new Set<string>();

before(async () => {
  svc = await startTestService({ asyncRetryBaseMs: 200 });
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-async-'));
  // Destination records land here, one JSON line each.
  await svc.createFunction('sink', {
    'index.mjs': `import { appendFileSync } from 'node:fs';
      export const handler = async (record) => { appendFileSync(${JSON.stringify(join(scratch, 'sink.jsonl'))}, JSON.stringify(record) + '\\n'); };`,
  });
});
after(async () => {
  await killChildren();
  await svc?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * Creates `started` when given, appends `<tag>` to `file` (a line per run) after `ms`, then throws
 * if `fail`, else answers `{ok: tag}`.
 */
const worker = {
  'index.mjs': `import { appendFileSync, writeFileSync } from 'node:fs';
    export const handler = async (e) => {
      if (e.started) writeFileSync(e.started, '');
      if (e.ms) await new Promise((r) => setTimeout(r, e.ms));
      appendFileSync(e.file, e.tag + '\\n');
      if (e.fail) throw new Error('failed ' + e.tag);
      return { ok: e.tag };
    };`,
};

const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const sinkRecords = async (tag: string) =>
  (await lines(join(scratch, 'sink.jsonl'))).map((l) => JSON.parse(l)).filter((r) => r.requestPayload?.tag === tag);
const event = (client: LambdaClient, name: string, payload: unknown) =>
  client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }));
const configure = (name: string, cfg: Omit<PutFunctionEventInvokeConfigCommandInput, 'FunctionName'>) =>
  svc.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, ...cfg }));

test('an Event invoke answers 202 at once and the function runs', T, async () => {
  await svc.createFunction('ev', worker);
  const file = join(scratch, 'ev.txt');
  const started = Date.now();
  const r = await event(svc.client, 'ev', { file, tag: 'hello', ms: 500 });
  assert.ok(Date.now() - started < 400, 'did not wait for the run');
  assert.equal(r.StatusCode, 202);
  assert.equal(r.Payload?.length ?? 0, 0);
  assert.equal(r.FunctionError, undefined);
  assert.deepEqual(await until('the run', async () => (await lines(file)).length > 0 && lines(file)), ['hello']);
});

test('a failing function is tried 3 times; OnFailure gets RetriesExhausted', T, async () => {
  await svc.createFunction('flaky', worker);
  await configure('flaky', { DestinationConfig: { OnFailure: { Destination: `${ARN}:sink` } } });
  const file = join(scratch, 'flaky.txt');
  const payload = { file, tag: 'flaky-1', fail: true };
  assert.equal((await event(svc.client, 'flaky', payload)).StatusCode, 202);

  const [record] = await until('the failure record', async () => (await sinkRecords('flaky-1')).length > 0 && sinkRecords('flaky-1'));
  assert.equal(record.version, '1.0');
  assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.match(record.requestContext.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(record.requestContext.functionArn, `${ARN}:flaky:$LATEST`);
  assert.equal(record.requestContext.condition, 'RetriesExhausted');
  assert.equal(record.requestContext.approximateInvokeCount, 3);
  assert.deepEqual(record.requestPayload, payload);
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.equal(record.responsePayload.errorType, 'Error');
  assert.equal(record.responsePayload.errorMessage, 'failed flaky-1');

  // A window, not a wait: a fourth try would have come within it (its delay would be 3 × 200 ms).
  await sleep(800);
  assert.deepEqual(await lines(file), ['flaky-1', 'flaky-1', 'flaky-1']);
  assert.equal((await sinkRecords('flaky-1')).length, 1);
});

test('MaximumRetryAttempts 0 means one attempt', T, async () => {
  await svc.createFunction('once', worker);
  await configure('once', { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: `${ARN}:sink` } } });
  const file = join(scratch, 'once.txt');
  await event(svc.client, 'once', { file, tag: 'once-1', fail: true });
  const [record] = await until('the failure record', async () => (await sinkRecords('once-1')).length > 0 && sinkRecords('once-1'));
  assert.equal(record.requestContext.condition, 'RetriesExhausted');
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  // A window, not a wait: a second try would have come within it (its delay would be 200 ms).
  await sleep(600);
  assert.deepEqual(await lines(file), ['once-1']);
});

test('OnSuccess gets a Success record with the response', T, async () => {
  await svc.createFunction('good', worker);
  await configure('good', { DestinationConfig: { OnSuccess: { Destination: `${ARN}:sink` } } });
  const payload = { file: join(scratch, 'good.txt'), tag: 'good-1' };
  await event(svc.client, 'good', payload);
  const [record] = await until('the success record', async () => (await sinkRecords('good-1')).length > 0 && sinkRecords('good-1'));
  assert.equal(record.requestContext.condition, 'Success');
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  assert.equal(record.requestContext.functionArn, `${ARN}:good:$LATEST`);
  assert.deepEqual(record.requestPayload, payload);
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
  assert.deepEqual(record.responsePayload, { ok: 'good-1' });
});

test('an event older than MaximumEventAgeInSeconds is dropped and reported as EventAgeExceeded', T, async () => {
  await svc.createFunction('aging', worker);
  await svc.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'aging', ReservedConcurrentExecutions: 1 }));
  await configure('aging', { MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: `${ARN}:sink` } } });
  const file = join(scratch, 'aging.txt');
  // A sync invoke holds the only slot, so the event waits in the queue (throttled, not run).
  const started = join(scratch, 'aging.started');
  const blocker = svc.client.send(
    new InvokeCommand({ FunctionName: 'aging', Payload: Buffer.from(JSON.stringify({ file, started, tag: 'blocker', ms: 1500 })) }),
  );
  await until('the blocker to start', () => existsSync(started));
  const payload = { file, tag: 'aged-1' };
  assert.equal((await event(svc.client, 'aging', payload)).StatusCode, 202);

  const db = new pg.Client({ connectionString: svc.postgres.url });
  await db.connect();
  try {
    const r = await db.query(`update lambda.event_invocations set enqueued_at = now() - interval '2 hours' where function_name = 'aging'`);
    assert.equal(r.rowCount, 1, 'the event was still queued');
  } finally {
    await db.end();
  }

  const [record] = await until('the age record', async () => (await sinkRecords('aged-1')).length > 0 && sinkRecords('aged-1'));
  assert.equal(record.requestContext.condition, 'EventAgeExceeded');
  assert.deepEqual(record.requestPayload, payload);
  assert.equal(record.responseContext, undefined);
  assert.equal((await blocker).FunctionError, undefined);
  // A window, not a wait: the slot is free now, so a dropped event that still ran would run within it.
  await sleep(500);
  assert.deepEqual(await lines(file), ['blocker'], 'the aged event never ran');
});

test('events still waiting for a worker at a clean stop run soon after the next start, not a lease later', {
  timeout: 60_000,
}, async () => {
  // One worker slot: of ten 300 ms events most are waiting, leased to this process, when it stops.
  let one = await startTestService({ asyncConcurrency: 1 });
  try {
    await one.createFunction('waiting', worker);
    const file = join(scratch, 'waiting.txt');
    const tags = Array.from({ length: 10 }, (_, i) => `w${i}`);
    for (const tag of tags) assert.equal((await event(one.client, 'waiting', { file, tag, ms: 300 })).StatusCode, 202);
    await until('the first run', async () => (await lines(file)).length > 0);
    one = await one.restart();
    // Within 8 s: before leases of 10 s could have lapsed, so the stop handed them back.
    await until(
      'every event',
      async () => {
        const seen = await lines(file);
        return tags.every((t) => seen.includes(t));
      },
      8_000,
    );
  } finally {
    await one.close();
  }
});

test('a clean stop under Event load runs no finished event again, and the next start runs the rest', { timeout: 90_000 }, async () => {
  let busy = await startTestService({ asyncConcurrency: 8 });
  try {
    await busy.createFunction('busy', worker);
    const file = join(scratch, 'busy.txt');
    const tags = Array.from({ length: 120 }, (_, i) => `b${i}`);
    // Short runs, so that many finish in the moments the stop takes.
    await Promise.all(
      tags.map(async (tag) =>
        assert.equal((await event(busy.client, 'busy', { file, tag, ms: 20 + (Number(tag.slice(1)) % 7) * 10 })).StatusCode, 202),
      ),
    );
    await until('some events to run', async () => (await lines(file)).length >= 20);
    busy = await busy.restart();
    const seen = await until(
      'every event',
      async () => {
        const done = await lines(file);
        return tags.every((t) => done.includes(t)) && done;
      },
      30_000,
    );
    // The handler appends as its last step: a run cut short by the stop never appended, so any
    // repeat is a finished event run again.
    const repeated = tags.filter((t) => seen.filter((l) => l === t).length > 1);
    assert.deepEqual(repeated, [], 'finished events ran again');
  } finally {
    await busy.close();
  }
});

// ---- durability across a hard crash, with the real CLI in a child process ----

test('a pglambda killed with SIGKILL leaves neither its PostgreSQL nor what a function forked running', { timeout: 120_000 }, () =>
  withChildService(async ({ dataDir, client, start }) => {
    const child = await start();
    const pgdata = await pgdataOf(dataDir);
    assert.ok((await processesIn(pgdata)).length > 0);
    await client.send(
      new CreateFunctionCommand({
        FunctionName: 'forker',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: DEFAULT_ROLE,
        Code: { ZipFile: await zipFiles(forker) },
      }),
    );
    const forked = Number(Buffer.from((await client.send(new InvokeCommand({ FunctionName: 'forker' }))).Payload!).toString());
    assert.ok(isRunning(forked), 'the forked process runs while pglambda does');
    child.kill('SIGKILL');
    await until('PostgreSQL to end by itself', async () => (await processesIn(pgdata)).length === 0, 15_000);
    await until(`the forked process ${forked} to end`, async () => !isRunning(forked), 15_000);
  }),
);

/** Forks a long sleep, as a careless handler might, and answers its pid. */
const forker = {
  'index.mjs': `import { spawn } from 'node:child_process';
    export const handler = async () => {
      const child = spawn('sleep', ['300'], { stdio: 'ignore' });
      child.unref();
      return child.pid;
    };`,
};

/** Kills every `pglambda up` child and its PostgreSQL (which a SIGKILLed parent leaves running). */
async function killChildren(): Promise<void> {
  for (const c of children) c.kill('SIGKILL');
  for (const dir of childDataDirs) {
    const pgdata = await pgdataOf(dir);
    for (const pid of await processesIn(pgdata)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await until('PostgreSQL to die', async () => (await processesIn(pgdata)).length === 0, 20_000).catch(() => undefined);
  }
}

async function up(dataDir: string, port: number, pgPort: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      resolve('dist/src/cli/main.js'),
      'up',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--pg-port',
      String(pgPort),
      '--bridge-port',
      String(await freePort()),
      '--async-retry-base-ms',
      '200',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  childDataDirs.add(dataDir);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await until(
    'the banner',
    async () => {
      if (child.exitCode !== null) assert.fail(`pglambda up exited ${child.exitCode}: ${out}`);
      return out.includes('pglambda is up.');
    },
    60_000,
  );
  return child;
}

async function pgdataOf(dataDir: string): Promise<string> {
  const location = await readFile(join(dataDir, 'pg-location'), 'utf8').then(
    (s) => s.trim(),
    () => dataDir,
  );
  return join(location, 'pg');
}

/** Pids of the processes working in `dir` (every PostgreSQL process runs with cwd = its pgdata). */
async function processesIn(dir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  const cwds = await Promise.all(pids.map((p) => readlink(`/proc/${p}/cwd`).catch(() => '')));
  return pids.filter((_, i) => cwds[i] === dir).map(Number);
}

/** A `pglambda up` child with its own data dir and ports, a client for it, and all of it removed afterwards. */
async function withChildService(
  run: (s: { dataDir: string; client: LambdaClient; start(): Promise<ChildProcess> }) => Promise<void>,
): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pglambda-crash-'));
  const [port, pgPort] = [await freePort(), await freePort()];
  const client = new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    await run({ dataDir, client, start: () => up(dataDir, port, pgPort) });
  } finally {
    client.destroy();
    await killChildren();
    childDataDirs.delete(dataDir);
    await removeDataDir(dataDir);
  }
}

/** kill -9 of the service and of its PostgreSQL, then waits until a new start can take the data dir over. */
async function killHard(child: ChildProcess, dataDir: string): Promise<void> {
  const pgdata = await pgdataOf(dataDir);
  const postmaster = Number((await readFile(join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  child.kill('SIGKILL');
  process.kill(postmaster, 'SIGKILL');
  await until('the service to die', async () => child.exitCode !== null || child.signalCode !== null);
  // The orphaned backends notice their postmaster's death and exit; a new postmaster needs them gone.
  await until('PostgreSQL to die', async () => (await processesIn(pgdata)).length === 0, 20_000);
  // PostgreSQL refuses to start while the old postmaster's pid exists, even as a zombie awaiting init's reaping.
  await until('the old postmaster to be reaped', async () => !existsSync(`/proc/${postmaster}`), 20_000);
}

async function stopCleanly(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await until('a clean stop', async () => child.exitCode !== null || child.signalCode !== null, 20_000);
}

test('queued events survive kill -9 of the service and its PostgreSQL, and all run', { timeout: 120_000 }, () =>
  withChildService(async ({ dataDir, client, start }) => {
    let child = await start();
    await client.send(
      new CreateFunctionCommand({
        FunctionName: 'durable',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: DEFAULT_ROLE,
        Code: { ZipFile: await zipFiles(worker) },
      }),
    );
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'durable', ReservedConcurrentExecutions: 1 }));
    const file = join(scratch, 'durable.txt');
    const ids = ['e1', 'e2', 'e3', 'e4', 'e5'];
    for (const tag of ids) assert.equal((await event(client, 'durable', { file, tag, ms: 1000 })).StatusCode, 202);
    await until('the first event to finish', async () => (await lines(file)).length >= 1, 20_000);

    await killHard(child, dataDir);
    const done = await lines(file);
    assert.ok(done.length < ids.length, `events still queued at the crash (done: ${done})`);

    child = await start();
    const all = await until(
      'every event to run',
      async () => {
        const seen = new Set(await lines(file));
        return ids.every((id) => seen.has(id)) && seen;
      },
      30_000,
    );
    assert.deepEqual([...all].sort(), ids);

    await stopCleanly(child);
    assert.deepEqual(await processesIn(await pgdataOf(dataDir)), [], 'a clean stop stops PostgreSQL too');
  }),
);

test('events accepted together in one commit survive kill -9: every one answered 202 runs', { timeout: 180_000 }, () =>
  withChildService(async ({ dataDir, client, start }) => {
    let child = await start();
    await client.send(
      new CreateFunctionCommand({
        FunctionName: 'ledger',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: DEFAULT_ROLE,
        Code: { ZipFile: await zipFiles(worker) },
      }),
    );
    // One at a time and slowly, so most accepted events are still queued when the service dies.
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'ledger', ReservedConcurrentExecutions: 1 }));
    const file = join(scratch, 'ledger.txt');
    const accepted: string[] = [];
    let crashed = false;
    // Sixteen callers at once: their events are committed in groups.
    const callers = Array.from({ length: 16 }, async (_, c) => {
      for (let i = 0; !crashed; i++) {
        const tag = `c${c}-${i}`;
        try {
          if ((await event(client, 'ledger', { file, tag, ms: 20 })).StatusCode === 202) accepted.push(tag);
        } catch {
          return;
        }
      }
    });
    await until('events accepted in groups', async () => accepted.length >= 300, 60_000);

    await killHard(child, dataDir);
    crashed = true;
    await Promise.all(callers);
    assert.ok((await lines(file)).length < accepted.length, 'events were still queued at the crash');

    child = await start();
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'ledger', ReservedConcurrentExecutions: 8 }));
    const ran = await until(
      'every accepted event to run',
      async () => {
        const seen = new Set(await lines(file));
        return accepted.every((tag) => seen.has(tag)) && seen;
      },
      90_000,
    );
    assert.ok(ran.size >= accepted.length);

    await stopCleanly(child);
  }),
);
