/**
 * The SQL measures in interleaved rounds: every round measures every way of calling once, each
 * round starting with another one, so a slow stretch of this shared machine lands on floors and
 * invokes alike; the report takes medians of rounds.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { sequential } from '../harness.js';
import { cpuSnapshot, cpuUse, othersCores, type CallCost, type Watched } from './cpu-use.js';
import type { EventCheck, EventTally } from './event-check.js';
import { insertSql, type TriggerTable } from './pg15-setup.js';
import { pgbench, warmUpRun, type PgbenchResult } from './pgbench.js';
import { untilSettled, type WarmUp } from './settle.js';
import { CLIENTS, EVENT_CLIENTS, N, QUERIES, SECONDS, TRIGGER_ROWS, WARMUP, type QueryKey } from './settings.js';

export const QUERY_KEYS = Object.keys(QUERIES) as QueryKey[];

export interface Sequential {
  latencies: number[];
  cost: CallCost;
}

export interface EventRun {
  run: PgbenchResult;
  /** From the run's start until the queue held none of its events. */
  drainedMs: number;
  /** CPU from the run's start until its events had all run, over the events accepted. */
  cost: CallCost;
}

export interface TriggerRun {
  /** The round it followed (0-based). */
  round: number;
  /** Wall time of each table's INSERT, ms. */
  ms: Record<TriggerTable, number>;
  floorCost: CallCost;
  /** From the event INSERT's start until its events had all run, per row. */
  eventCost: CallCost;
  tally: EventTally;
}

export interface Round {
  seq: Record<QueryKey, Sequential>;
  bench: Map<number, Record<QueryKey, PgbenchResult>>;
  event: EventRun;
  /** Cores the machine's other processes used during the round, and the 1-minute load average at its end. */
  others: number;
  load: number;
}

export interface Sessions extends Record<QueryKey, pg.Client> {}

export interface RoundContext {
  sessions: Sessions;
  env: NodeJS.ProcessEnv;
  scripts: Record<QueryKey | 'event', string>;
  watch: Watched;
  events: EventCheck;
  log: (line: string) => void;
}

/** Seconds of each window of the invoke's warm-up at 8 clients. */
export const WARM_WINDOW_SECONDS = 5;

/**
 * Unmeasured: starts the function processes 8 sessions need and warms every path once, then runs
 * the invoke at 8 clients until those processes' CPU per call has settled (settle.ts); its windows.
 */
export async function warmUp(ctx: RoundContext): Promise<WarmUp> {
  for (const q of QUERY_KEYS) await warmUpRun(ctx.env, ctx.scripts[q], 8, 2);
  await warmUpRun(ctx.env, ctx.scripts.event, EVENT_CLIENTS, 1);
  await drain(ctx, performance.now());
  for (const q of QUERY_KEYS) await sequential(0, WARMUP, () => ctx.sessions[q].query(QUERIES[q]));
  return untilSettled(
    'invoke at 8 clients',
    async () => {
      const run = await pgbench(ctx.env, ctx.scripts.invoke, 8, WARM_WINDOW_SECONDS, ctx.watch);
      return { cost: run.cost, rate: run.tps };
    },
    ctx.log,
  );
}

export async function round(ctx: RoundContext, r: number): Promise<Round> {
  const begin = cpuSnapshot();
  const order = QUERY_KEYS.map((_, i) => QUERY_KEYS[(i + r) % QUERY_KEYS.length]!);

  const seq = {} as Record<QueryKey, Sequential>;
  for (const q of order) {
    const before = cpuSnapshot();
    const latencies = await sequential(N, 0, () => ctx.sessions[q].query(QUERIES[q]));
    const after = cpuSnapshot();
    seq[q] = { latencies, cost: { cpu: cpuUse(before, after, ctx.watch), seconds: Number(after.at - before.at) / 1e9, calls: N } };
  }

  const bench = new Map<number, Record<QueryKey, PgbenchResult>>();
  for (const c of CLIENTS) {
    const row = {} as Record<QueryKey, PgbenchResult>;
    for (const q of order) row[q] = await pgbench(ctx.env, ctx.scripts[q], c, SECONDS, ctx.watch);
    bench.set(c, row);
    ctx.log(`round ${r + 1}, ${c} client(s): ${order.map((q) => `${q} ${row[q].tps.toFixed(0)}/s`).join(', ')}`);
  }

  const run = await pgbench(ctx.env, ctx.scripts.event, EVENT_CLIENTS, SECONDS, ctx.watch);
  const drainedMs = (await drain(ctx, performance.now())) + Number(run.end.at - run.start.at) / 1e6;
  const drained = cpuSnapshot();
  const event: EventRun = {
    run,
    drainedMs,
    cost: { cpu: cpuUse(run.start, drained, ctx.watch), seconds: Number(drained.at - run.start.at) / 1e9, calls: run.transactions },
  };
  ctx.log(
    `round ${r + 1}, Event from ${EVENT_CLIENTS} sessions: ${run.tps.toFixed(0)}/s accepted, all ran ${(drainedMs / 1000).toFixed(1)} s after the run began`,
  );

  return { seq, bench, event, others: othersCores(begin, cpuSnapshot(), ctx.watch.postmaster), load: loadavg()[0]! };
}

/** Waits until the queue is empty; ms since `since`. */
async function drain(ctx: RoundContext, since: number): Promise<number> {
  const deadline = performance.now() + 300_000;
  while ((await ctx.events.queued()) > 0) {
    if (performance.now() > deadline) throw new Error('Event invocations did not drain within 5 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - since;
}

/**
 * The row-trigger INSERTs, each in a session already connected (the floor's and the invoke's), the
 * floor and the invoke taking turns at going first; then the invoke's events are counted.
 */
export async function triggerRun(ctx: RoundContext, r: number): Promise<TriggerRun> {
  const admin = ctx.sessions.select1;
  await admin.query('TRUNCATE bench_rows_plain, bench_rows_floor, bench_rows_commit, bench_rows_event');
  const ms = {} as Record<TriggerTable, number>;
  const timed = async (table: TriggerTable, session: pg.Client) => {
    const t = performance.now();
    await session.query(insertSql(table, TRIGGER_ROWS));
    ms[table] = performance.now() - t;
  };
  await timed('plain', admin);
  await timed('commit', ctx.sessions.floor);
  let floorCost: CallCost | undefined;
  let eventCost: CallCost | undefined;
  let tally: EventTally | undefined;
  const floor = async () => {
    const before = cpuSnapshot();
    await timed('floor', ctx.sessions.floor);
    const after = cpuSnapshot();
    floorCost = { cpu: cpuUse(before, after, ctx.watch), seconds: Number(after.at - before.at) / 1e9, calls: TRIGGER_ROWS };
  };
  const event = async () => {
    const mark = await ctx.events.mark();
    const before = cpuSnapshot();
    const t = performance.now();
    await timed('event', ctx.sessions.invoke);
    tally = await ctx.events.settle(mark, t, TRIGGER_ROWS, 300_000);
    const after = cpuSnapshot();
    eventCost = { cpu: cpuUse(before, after, ctx.watch), seconds: Number(after.at - before.at) / 1e9, calls: TRIGGER_ROWS };
  };
  for (const step of r % 2 ? [event, floor] : [floor, event]) await step();
  ctx.log(
    `round ${r + 1}, ${TRIGGER_ROWS}-row INSERT: plain ${ms.plain.toFixed(0)} ms, dblink per row ${ms.floor.toFixed(0)} ms, dblink with a durable commit per row ${ms.commit.toFixed(0)} ms, Event invoke per row ${ms.event.toFixed(0)} ms; ${tally!.ran} events ran`,
  );
  return { round: r, ms, floorCost: floorCost!, eventCost: eventCost!, tally: tally! };
}
