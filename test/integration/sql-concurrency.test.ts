/**
 * Many database sessions invoking at once through the bridge, on the embedded PostgreSQL 18: each
 * session has its own bridge connection and gets its own answer, beyond the service's 16
 * environments (the rest wait for a free one within aws_lambda.request_timeout_ms).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestService, type TestService } from '../helpers/service.js';
import { connect, type Session } from '../helpers/sql-session.js';

const SESSIONS = 32;
const SLEEP_MS = 300;

let svc: TestService;
let sessions: Session[] = [];

before(async () => {
  svc = await startTestService({ examples: true });
  await svc.createFunction(
    'echo-slowly',
    {
      'index.mjs': `export const handler = async (e) => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, ${SLEEP_MS}));
      return { n: e.n, pid: process.pid, start, end: Date.now() };
    };`,
    },
    { Timeout: 10 },
  );
  sessions = await Promise.all(Array.from({ length: SESSIONS }, () => connect(svc.postgres.superuserUrl)));
  await Promise.all(sessions.map((s) => s.query('SET aws_lambda.request_timeout_ms = 30000')));
});
after(async () => {
  await Promise.all(sessions.map((s) => s.end()));
  await svc?.close();
});

interface Run {
  n: number;
  pid: number;
  start: number;
  end: number;
}

/** The most handler runs under way at one moment. */
function mostAtOnce(runs: Run[]): number {
  const edges = runs
    .flatMap(
      (r) =>
        [
          [r.start, 1],
          [r.end, -1],
        ] as const,
    )
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

/** Every session invokes at once with its own payload; returns the answers in session order. */
async function round(offset: number) {
  return Promise.all(
    sessions.map(async (s, i) => {
      const r = await s.query(
        `SELECT status_code, payload, executed_version FROM aws_lambda.invoke('echo-slowly', json_build_object('n', $1::int))`,
        [offset + i],
      );
      return r.rows[0] as { status_code: number; payload: Run; executed_version: string };
    }),
  );
}

test(`${SESSIONS} sessions invoking at once each get their own answer`, { timeout: 60_000 }, async () => {
  const first = await round(0);
  first.forEach((r, i) => {
    assert.equal(r.status_code, 200);
    assert.equal(r.executed_version, '$LATEST');
    assert.equal(r.payload.n, i, `session ${i} got its own payload back`);
  });
  const pids = new Set(first.map((r) => r.payload.pid));
  assert.ok(pids.size > 1 && pids.size <= 16, `${pids.size} environments served ${SESSIONS} calls (at most 16)`);
  // The calls ran side by side, not one after another, and never more than 16 at once.
  const most = mostAtOnce(first.map((r) => r.payload));
  assert.ok(most >= 8 && most <= 16, `${most} handlers ran at once`);

  // Again, warm, on the same bridge connections: still each its own answer.
  const second = await round(1000);
  second.forEach((r, i) => assert.equal(r.payload.n, 1000 + i));
  const backends = await sessions[0]!.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = 'postgres'`,
  );
  assert.ok(backends.rows[0].n >= SESSIONS, 'all sessions are still there');
});
