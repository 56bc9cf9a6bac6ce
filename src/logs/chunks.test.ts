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
import type { GroupKey, LogEventRecord, StreamKey } from './model.js';
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
  // A client the pool has let go may still be closing when the server stops at the end.
  pool = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2 }).on('error', () => undefined);
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

const groupId = async (key: GroupKey = group) => (await logs.groups.find(key))!.id;
const streamId = async (key: StreamKey) => (await logs.streams.find(await groupId(key), key.stream))!.id;

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
  const byTime = [...written].sort((a, b) => a.ts - b.ts);
  const asc = await pages({ pattern: '', ascending: true, limit: 7 });
  assert.deepEqual(
    asc.map((e) => e.timestamp),
    byTime.map((w) => w.ts),
  );
  assert.equal(new Set(asc.map((e) => e.message)).size, written.length);
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
  const id = await streamId(streams[1]!);
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

  const t0 = written[0]!.ts;
  const inRange: string[] = [];
  let ranged = await logs.events.readStream(id, streams[1]!.stream, {
    startFromHead: true,
    limit: 6,
    startTime: t0 + 200,
    endTime: t0 + 400,
  });
  while (ranged.events.length > 0) {
    inRange.push(...ranged.events.map((e) => e.message));
    ranged = await logs.events.readStream(id, streams[1]!.stream, {
      from: ranged.forward,
      startFromHead: true,
      limit: 6,
      startTime: t0 + 200,
      endTime: t0 + 400,
    });
  }
  assert.deepEqual(
    inRange,
    written.filter((w) => w.s === 1 && w.ts >= t0 + 200 && w.ts < t0 + 400).map((w) => w.message),
  );
});

test('lines far apart in time, or many, make chunks of their own, read back in order; a page holds at most 1 MB', async () => {
  const key = { ...group, group: '/aws/lambda/apart', stream: '2026/12/06/[$LATEST]x' };
  const t = Date.UTC(2026, 11, 7);
  const big = (c: string) => `${c.repeat(300 * 1024)}\n`;
  const lines = [
    { timestamp: t, message: 'first\n' },
    { timestamp: t + 20_000, message: big('a') },
    { timestamp: t + 21_000, message: big('b') },
    { timestamp: t + 22_000, message: big('c') },
    { timestamp: t + 23_000, message: big('d') },
  ];
  for (const line of lines) logs.writer.append(key, line);
  await logs.writer.flush();
  const { rows } = await pool.query(
    `select cardinality(c.messages)::int as lines from logs.log_chunks c join logs.log_groups g on g.id = c.group_id
     where g.name = $1 order by c.id`,
    [key.group],
  );
  assert.deepEqual(
    rows.map((r) => r.lines),
    [1, 4],
  );
  const groupOf = await groupId(key);
  const first = await logs.events.filter(groupOf, { pattern: '', ascending: true, limit: 100, startTime: t + 15_000 });
  assert.deepEqual(
    first.items.map((e) => e.message[0]),
    ['a', 'b', 'c'],
  );
  const rest = await logs.events.filter(groupOf, { pattern: '', ascending: true, limit: 100, startTime: t + 15_000, after: first.next });
  assert.deepEqual(
    rest.items.map((e) => e.message[0]),
    ['d'],
  );
  assert.equal(rest.next, undefined);
});

test('two objects naming one stream write to its chunks in the order written', async () => {
  const a = { ...group, group: '/aws/lambda/twice', stream: '2026/12/06/[$LATEST]z' };
  const b = { ...a };
  const t = Date.UTC(2026, 11, 9);
  const sent = [
    [a, t],
    [b, t + 1],
    [a, t + 20_000],
    [b, t + 20_001],
    [a, t + 20_002],
  ] as const;
  sent.forEach(([key, timestamp], i) => logs.writer.append(key, { timestamp, message: `${i}\n` }));
  await logs.writer.flush();
  const stream = await streamId(a);
  const page = await logs.events.readStream(stream, a.stream, { startFromHead: true, limit: 10 });
  assert.deepEqual(
    page.events.map((e) => e.message),
    ['0\n', '1\n', '2\n', '3\n', '4\n'],
  );
});

test("an invocation's lines come back whole however many writes they took", async () => {
  const key = { ...group, group: '/aws/lambda/long', stream: '2026/12/06/[$LATEST]y' };
  const t = Date.UTC(2026, 11, 8);
  const expected = ['init\n', 'START one\n', 'REPORT RequestId: one\n'];
  for (const message of expected) logs.writer.append(key, { timestamp: t, message });
  await logs.writer.flush();
  const second = ['START two\n'];
  for (let i = 0; i < 150; i++) second.push(`line ${i}\n`);
  second.push('REPORT RequestId: two\n');
  for (const [i, message] of second.entries()) {
    logs.writer.append(key, { timestamp: t + 1 + i, message });
    await logs.writer.flush();
  }
  const recent = await logs.invocations.recent({ ...key }, 5);
  assert.deepEqual(
    recent.map((inv) => [inv.requestId, inv.log]),
    [
      ['one', expected.join('')],
      ['two', second.join('')],
    ],
  );
});

test("pglambda logs' invocations: each the lines of its stream after the REPORT before it", async () => {
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
  const two = new pg.Pool({ connectionString: url.toString(), max: 1 }).on('error', () => undefined);
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

test('closing stores the lines that came while its flush was writing, and leaves nothing to write later', async () => {
  const log = testLogger({ echo: false });
  // The service ends its database pool right after the writer closes.
  const ownPool = new pg.Pool({ connectionString: postgres.superuserUrl, max: 1 }).on('error', () => undefined);
  const own = createLogs(ownPool, 0, log.logger);
  const key = { ...group, group: '/aws/lambda/closing', stream: '2026/12/06/[$LATEST]c' };
  const stored = async () =>
    (
      await pool.query(
        `select e.message from logs.log_events e join logs.log_groups g on g.id = e.group_id where g.name = $1 order by e.id`,
        [key.group],
      )
    ).rows.map((r) => r.message);
  own.writer.append(key, { timestamp: Date.now(), message: 'before\n' });
  const closed = own.writer.close();
  own.writer.append(key, { timestamp: Date.now(), message: 'while\n' });
  await closed;
  // Stored by the time close() returns, not by a write still to come.
  assert.deepEqual(await stored(), ['before\n', 'while\n']);
  await ownPool.end();
  own.writer.append(key, { timestamp: Date.now(), message: 'after\n' });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await stored(), ['before\n', 'while\n']);
  assert.deepEqual(log.saying('could not store'), []);
});
