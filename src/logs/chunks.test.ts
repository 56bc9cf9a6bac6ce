/**
 * Log lines stored a chunk per stream and write, read back as lines: GetLogEvents' pages of a
 * stream, FilterLogEvents' pages of a group in time order (reading many chunks, streams whose
 * times interleave), `pglambda logs`' invocations, and logs:3 turning the rows of logs:2 into chunks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPlainPostgres, type PlainPostgres } from '../../test/helpers/plain-postgres.js';
import { testLogger } from '../../test/helpers/logger.js';
import { stateMigrations } from '../service/state-schema.js';
import { migrate } from '../state/migrate.js';
import { createLogs, type Logs } from './index.js';
import type { LogEventRecord, StreamKey } from './model.js';
import type { FilterQuery } from './log-events.js';

let postgres: PlainPostgres;
let pool: pg.Pool;
let logs: Logs;

const group = { accountId: '123456789012', region: 'us-west-2', group: '/aws/lambda/chunky' };
const streams: StreamKey[] = ['a', 'b', 'c'].map((s) => ({ ...group, stream: `2026/12/06/[$LATEST]${s}` }));
/** Every line written, in the order written: stream index, time, text. */
const written: { s: number; ts: number; message: string }[] = [];

before(async () => {
  postgres = await startPlainPostgres();
  pool = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2 });
  await migrate(pool, stateMigrations);
  logs = createLogs(pool, 0, testLogger().logger);
  // 90 writes of one to four lines per stream: 270 chunks, the streams' times interleaved, some equal.
  const t0 = Date.UTC(2026, 11, 6);
  for (let w = 0; w < 90; w++) {
    for (let s = 0; s < streams.length; s++) {
      for (let i = 0; i <= (w + s) % 4; i++) {
        const last = i === (w + s) % 4;
        const line = { s, ts: t0 + w * 10 + ((s * 7 + i) % 10), message: last ? `REPORT RequestId: w${w}s${s}\n` : `w${w} s${s} i${i}\n` };
        written.push(line);
        logs.writer.append(streams[s]!, { timestamp: line.ts, message: line.message });
      }
    }
    await logs.writer.flush();
  }
});
after(async () => {
  await pool?.end();
  await postgres?.stop();
});

const groupId = async () => (await pool.query('select id from logs.log_groups where name = $1', [group.group])).rows[0].id as string;
const streamId = async (s: number) => (await logs.streams.find(await groupId(), streams[s]!.stream))!.id;

async function pages(q: Omit<FilterQuery, 'after'>): Promise<LogEventRecord[]> {
  const id = await groupId();
  const all: LogEventRecord[] = [];
  let after: FilterQuery['after'];
  do {
    const page = await logs.events.filter(id, { ...q, after });
    all.push(...page.items);
    after = page.next;
  } while (after);
  return all;
}

test('chunks: a flush stores one per stream, however many lines', async () => {
  const { rows } = await pool.query('select count(*)::int as chunks, sum(cardinality(messages))::int as lines from logs.log_chunks');
  assert.deepEqual(rows[0], { chunks: 270, lines: written.length });
});

test('FilterLogEvents pages through every chunk in time order, both ways, with a pattern and a range', async () => {
  const order = (a: { ts: number; i: number }, b: { ts: number; i: number }) => a.ts - b.ts;
  const byTime = written.map((w, i) => ({ ...w, i })).sort((a, b) => order(a, b));
  const asc = await pages({ pattern: '', ascending: true, limit: 7 });
  assert.deepEqual(
    asc.map((e) => e.timestamp),
    byTime.map((w) => w.ts),
  );
  assert.deepEqual(new Set(asc.map((e) => e.message)).size, written.length);
  const desc = await pages({ pattern: '', ascending: false, limit: 11 });
  assert.deepEqual(
    desc.map((e) => e.message),
    asc.map((e) => e.message).reverse(),
  );

  const t0 = written[0]!.ts;
  const some = await pages({ pattern: 'REPORT -s1', ascending: true, limit: 5, startTime: t0 + 300, endTime: t0 + 600 });
  const expected = asc.filter(
    (e) => e.message.includes('REPORT') && !e.message.includes('s1') && e.timestamp >= t0 + 300 && e.timestamp <= t0 + 600,
  );
  assert.ok(expected.length > 20);
  assert.deepEqual(
    some.map((e) => e.message),
    expected.map((e) => e.message),
  );
  assert.ok(some.every((e) => e.streamName === streams[0]!.stream || e.streamName === streams[2]!.stream));
});

test('GetLogEvents pages through a stream in the order written, forward and back', async () => {
  const id = await streamId(1);
  const mine = written.filter((w) => w.s === 1).map((w) => w.message);
  const forward: string[] = [];
  let page = await logs.events.readStream(id, streams[1]!.stream, { startFromHead: true, limit: 9 });
  while (page.events.length > 0) {
    forward.push(...page.events.map((e) => e.message));
    page = await logs.events.readStream(id, streams[1]!.stream, { from: page.forward, startFromHead: true, limit: 9 });
  }
  assert.deepEqual(forward, mine);

  const back: string[] = [];
  page = await logs.events.readStream(id, streams[1]!.stream, { startFromHead: false, limit: 4 });
  while (page.events.length > 0) {
    back.unshift(...page.events.map((e) => e.message));
    page = await logs.events.readStream(id, streams[1]!.stream, { from: page.backward, startFromHead: false, limit: 4 });
  }
  assert.deepEqual(back, mine);
});

test("pglambda logs' invocations: each the lines of its stream after the REPORT before it", async () => {
  await logs.writer.flush();
  const recent = await logs.invocations.recent(group, 5);
  assert.equal(recent.length, 5);
  // The five latest REPORT lines by time, oldest first; each invocation's lines are one write's.
  assert.deepEqual(
    recent.map((inv) => inv.requestId),
    ['w88s2', 'w88s1', 'w89s0', 'w89s2', 'w89s1'],
  );
  for (const inv of recent) {
    const [w, s] = /^w(\d+)s(\d+)$/.exec(inv.requestId)!.slice(1).map(Number) as [number, number];
    const lines = written.filter((l) => l.message.startsWith(`w${w} s${s} `) || l.message === `REPORT RequestId: w${w}s${s}\n`);
    assert.equal(lines.length, ((w + s) % 4) + 1);
    assert.equal(inv.log, lines.map((l) => l.message).join(''));
    assert.equal(inv.logStream, streams[s]!.stream);
  }
});

test('logs:3 turns the lines of logs:2 into chunks, in the order they were written', async () => {
  await pool.query('create database logs_two');
  const url = new URL(postgres.superuserUrl);
  url.pathname = '/logs_two';
  const two = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await migrate(
      two,
      stateMigrations.filter((m) => m.id !== 'logs:3'),
    );
    await two.query(`insert into logs.log_groups (account_id, region, name, created_ms) values ('1', 'r', 'g', 0)`);
    await two.query(`insert into logs.log_streams (group_id, name, created_ms) values (1, 's', 0), (1, 't', 0)`);
    await two.query(`insert into logs.log_events (group_id, stream_id, ts, ingested_ms, message)
                     values (1, 1, 10, 11, 'one'), (1, 2, 5, 11, 'two'), (1, 1, 20, 21, 'three')`);
    await migrate(two, stateMigrations);
    const { rows } = await two.query('select stream_id::int, ts::int, ingested_ms::int, message from logs.log_events order by id');
    assert.deepEqual(rows, [
      { stream_id: 1, ts: 10, ingested_ms: 11, message: 'one' },
      { stream_id: 2, ts: 5, ingested_ms: 11, message: 'two' },
      { stream_id: 1, ts: 20, ingested_ms: 21, message: 'three' },
    ]);
    await two.query(`insert into logs.log_chunks (group_id, stream_id, first_ts, last_ts, ingested_ms, ts, messages)
                     values (1, 1, 30, 30, 31, '{30}', '{four}')`);
    const last = await two.query('select message from logs.log_events order by id desc limit 1');
    assert.equal(last.rows[0].message, 'four');
  } finally {
    await two.end();
  }
});
