/**
 * pglambda's own PostgreSQL failing under it: connections cut, the server killed, the server
 * stopped. The service keeps running, the API answers (an AWS-shaped error while the database is
 * away, not a hang or a crash), a killed server is started again, no accepted Event is lost, and
 * the event queue's trouble is said once, not by every worker slot twice a second.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { InvokeCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import pg from 'pg';
import { startTestService, type TestService } from '../helpers/service.js';
import { WARN } from '../helpers/logger.js';
import { until } from '../helpers/until.js';

let svc: TestService;
let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-db-down-'));
  // Eight worker slots: before, each said the queue was down twice a second.
  svc = await startTestService({ asyncConcurrency: 8 });
  // Appends its tag to a file after `ms`: the record of which events ran.
  await svc.createFunction('recorder', {
    'index.mjs': `import { appendFileSync } from 'node:fs';
      export const handler = async (e) => {
        await new Promise((r) => setTimeout(r, e.ms));
        appendFileSync(${JSON.stringify(join(scratch, 'ran.txt'))}, e.tag + '\\n');
      };`,
  });
});
after(async () => {
  await svc?.close();
  await rm(scratch, { recursive: true, force: true });
});

const ran = async () => (await readFile(join(scratch, 'ran.txt'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const answers = () =>
  svc.client.send(new ListFunctionsCommand({})).then(
    () => true,
    () => false,
  );

/** Accepts `n` Events tagged `<prefix><i>` that each take `ms`; returns the tags. */
async function accept(prefix: string, n: number, ms: number): Promise<string[]> {
  const tags = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  for (const tag of tags) {
    const r = await svc.client.send(
      new InvokeCommand({ FunctionName: 'recorder', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ tag, ms })) }),
    );
    assert.equal(r.StatusCode, 202);
  }
  return tags;
}

const allRan = (tags: string[]) =>
  until(
    `all of ${tags[0]}… to run`,
    async () => {
      const seen = await ran();
      return tags.every((t) => seen.includes(t));
    },
    40_000,
  );

test('connections cut under Event load: pglambda stays up and every accepted Event runs', { timeout: 60_000 }, async () => {
  const tags = await accept('cut', 40, 100);
  const admin = new pg.Client({ connectionString: svc.postgres.superuserUrl });
  await admin.connect();
  try {
    // Twice: idle pooled connections, the ones checked out by running events, all; then the ones
    // made again since.
    const cut = new Set<number>();
    for (let i = 0; i < 2; i++) {
      const pids = await until('connections to cut', async () => {
        const r = await admin.query(`select pid from pg_stat_activity where datname = 'pglambda' and pid <> pg_backend_pid()`);
        const fresh = r.rows.map((row) => row.pid as number).filter((pid) => !cut.has(pid));
        return fresh.length > 0 && fresh;
      });
      await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
      for (const pid of pids) cut.add(pid);
    }
  } finally {
    await admin.end();
  }
  await until('the API to answer', answers);
  await allRan(tags);
  // Bridges hear of logins changed by other processes on a channel; its connection was cut too.
  await until('the bridge to listen for login changes again', async () => {
    const db = new pg.Client({ connectionString: svc.postgres.superuserUrl });
    await db.connect();
    try {
      return (await db.query(`select 1 from pg_stat_activity where query = 'listen pglambda_bridge_logins'`)).rowCount === 1;
    } finally {
      await db.end();
    }
  });
});

test('a killed PostgreSQL is started again and every accepted Event runs', { timeout: 90_000 }, async () => {
  const tags = await accept('killed', 30, 200);
  const before = svc.postgres.pid;
  process.kill(before, 'SIGKILL');
  await until('PostgreSQL to be started again', () => svc.postgres.pid !== before, 30_000);
  const restarted = svc.log.saying(`PostgreSQL (pid ${before}) ended unexpectedly (signal SIGKILL); starting it again`);
  assert.deepEqual(
    restarted.map((l) => [l.level, l.component]),
    [[WARN, 'postgres']],
    svc.log.lines.map((l) => l.msg).join('\n'),
  );
  await until('the API to answer', answers, 20_000);
  await allRan(tags);
});

test('a stop with its PostgreSQL gone still ends, though an Event completed meanwhile', { timeout: 60_000 }, async () => {
  await accept('last', 1, 1000);
  await svc.postgres.stop();
  await until('the event to complete', async () => (await ran()).includes('last0'));
  // Its removal from the queue fails; the stop tries once, and the event would run again after a start.
  // Unreferenced: the deadline must not hold the test process open once the stop ended.
  const ended = await Promise.race([svc.close().then(() => true), sleep(20_000, false, { ref: false })]);
  assert.ok(ended, 'the stop ended');
});

test('with its PostgreSQL stopped, pglambda stays up, answers, and says so once', { timeout: 60_000 }, async () => {
  // A service of its own: the queue's first slot must be idle and polling when the database goes.
  const alone = await startTestService({ asyncConcurrency: 8 });
  try {
    await alone.postgres.stop();
    const e = await alone.client.send(new ListFunctionsCommand({})).then(
      () => undefined,
      (err: Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }) => err,
    );
    assert.ok(e, 'the API call failed');
    assert.equal(e.$metadata?.httpStatusCode, 500);
    // The caller sees a ServiceException; the log has what went wrong, under the request's id.
    const failed = alone.log.saying('unexpected error');
    assert.deepEqual(
      failed.map((l) => [l.level, l.component, l.requestId]),
      [[50, 'aws', e.$metadata?.requestId]],
    );
    assert.match((failed[0]!.err as Error).message, /ECONNREFUSED/);
    // A window, not a wait: eight slots polling twice a second would say it dozens of times in it.
    await sleep(3000);
    const queue = alone.log.saying('event queue');
    assert.deepEqual(
      queue.map((l) => [l.level, l.component, l.msg]),
      [[WARN, 'events', "the event queue (pglambda's PostgreSQL) is unavailable; retrying"]],
    );
  } finally {
    await alone.close();
  }
});
