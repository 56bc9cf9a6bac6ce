/**
 * The run's results and the targets they are judged by. Each target is a ratio to a floor measured
 * in the same run: taken round by round (the floor and the invoke of one round saw the same
 * moments of the machine), and the median of those ratios is what is judged.
 */
import { median, percentile } from '../harness.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { OnCpuSummary } from './on-cpu-profile.js';
import { perCall, type CpuUse } from './cpu-use.js';
import type { ColdStarts, HttpRounds } from './lambda-api.js';
import type { Round, TriggerRun } from './rounds.js';
import type { WarmUp } from './settle.js';
import { ms, ps } from './units.js';

export interface Results {
  rounds: Round[];
  /** The row-trigger INSERTs, after some of the rounds (all unless the first took too long). */
  triggers: TriggerRun[];
  http: HttpRounds;
  cold: ColdStarts;
  /** The invoke's warm-up at 8 clients, before the rounds. */
  sqlWarmUp: WarmUp;
  /** `onCpu` when the machine has perf. */
  profile?: { summary: ProfileSummary; tps: number; cpu: CpuUse; onCpu?: OnCpuSummary };
  /** 1-minute load averages: at the start, sampled every few seconds, at the end. */
  load: { start: number[]; samples: number[]; end: number[] };
  code: string;
  install: string;
  wallSeconds: number;
}

export interface Target {
  what: string;
  /** The measured value and its floor(s), already formatted. */
  value: string;
  floor: string;
  /** Median of the rounds' ratios, the direction the target states it. */
  ratio: number;
  /** `ratio` must be at most (`max`) or at least (`min`) `limit`. */
  bound: 'max' | 'min';
  limit: number;
  met: boolean;
  /** Extra condition that must hold, e.g. "all events ran". */
  note?: string;
}

export const x = (v: number) => `${v.toFixed(2)}×`;

/** Median over rounds of a per-round value. */
export const mid = (rounds: Round[], f: (r: Round) => number) => median(rounds.map(f));
export const seqP50 = (r: Round, q: keyof Round['seq']) => percentile(r.seq[q].latencies, 50);
export const tps8 = (r: Round, q: keyof Round['seq']) => r.bench.get(8)![q].tps;
export const cpu8 = (r: Round, q: keyof Round['seq']) => perCall(r.bench.get(8)![q].cost).total;

export function targets(res: Results): Target[] {
  const R = res.rounds;
  const t = (
    what: string,
    value: string,
    floor: string,
    ratios: number[],
    bound: 'max' | 'min',
    limit: number,
    extra = true,
    note?: string,
  ): Target => {
    const ratio = median(ratios);
    return { what, value, floor, ratio, bound, limit, met: extra && (bound === 'max' ? ratio <= limit : ratio >= limit), note };
  };
  const G = res.triggers;
  const allRan = G.every((g) => g.tally.ran === g.eventCost.calls && g.tally.errors === 0 && g.tally.queued === 0);
  const ran = G.map((g) => g.tally.ran.toLocaleString('en-US')).join(', ');
  const httpPairs = res.http.invoke.map((v, i) => v.rps / res.http.floor[i]!.rps);
  const coldP50 = percentile(res.cold.invoke, 50);
  const nodeP50 = percentile(res.cold.nodeE, 50);
  return [
    t(
      'sequential latency (one session, p50), ÷ dblink round trip',
      ms(mid(R, (r) => seqP50(r, 'invoke'))),
      ms(mid(R, (r) => seqP50(r, 'floor'))),
      R.map((r) => seqP50(r, 'invoke') / seqP50(r, 'floor')),
      'max',
      6,
    ),
    t(
      '8 sessions throughput, × dblink floor',
      ps(mid(R, (r) => tps8(r, 'invoke'))),
      ps(mid(R, (r) => tps8(r, 'floor'))),
      R.map((r) => tps8(r, 'invoke') / tps8(r, 'floor')),
      'min',
      0.25,
    ),
    t(
      '8 sessions throughput, × PL/Python + boto3 peer',
      ps(mid(R, (r) => tps8(r, 'invoke'))),
      ps(mid(R, (r) => tps8(r, 'peer'))),
      R.map((r) => tps8(r, 'invoke') / tps8(r, 'peer')),
      'min',
      3,
    ),
    t(
      'CPU per call, all processes (8 sessions), ÷ dblink round trip',
      ms(mid(R, (r) => cpu8(r, 'invoke'))),
      ms(mid(R, (r) => cpu8(r, 'floor'))),
      R.map((r) => cpu8(r, 'invoke') / cpu8(r, 'floor')),
      'max',
      4,
    ),
    t(
      'Event invokes from 8 sessions, × dblink floor',
      ps(mid(R, (r) => r.event.run.tps)),
      ps(mid(R, (r) => tps8(r, 'floor'))),
      R.map((r) => r.event.run.tps / tps8(r, 'floor')),
      'min',
      0.25,
    ),
    t(
      `${G[0]!.eventCost.calls.toLocaleString('en-US')}-row INSERT with an Event invoke per row, in dblink round trips per row`,
      `${median(G.map((g) => g.ms.event)).toFixed(0)} ms`,
      `${median(G.map((g) => g.ms.floor)).toFixed(0)} ms (dblink per row)`,
      G.map((g) => g.ms.event / g.ms.floor),
      'max',
      3,
      allRan,
      `events that ran, per INSERT: ${ran}${allRan ? ' (all)' : ' — **not all**'}; ${x(median(G.map((g) => g.ms.event / g.ms.commit)))} the accept's floor (a dblink round trip with a durable commit per row: ${x(median(G.map((g) => g.ms.commit / g.ms.floor)))} the dblink round trip)`,
    ),
    t(
      'Lambda API warm invoke, 16 HTTP callers, × trivial HTTP server',
      ps(median(res.http.invoke.map((v) => v.rps))),
      ps(median(res.http.floor.map((v) => v.rps))),
      httpPairs,
      'min',
      0.5,
    ),
    t("cold start p50, ÷ spawning `node -e ''`", ms(coldP50), ms(nodeP50), [coldP50 / nodeP50], 'max', 1.2),
  ];
}

/** How far a missed target is: the factor the ratio must improve by. */
export function shortfall(t: Target): number {
  return t.bound === 'max' ? t.ratio / t.limit : t.limit / t.ratio;
}
