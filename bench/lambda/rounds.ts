/**
 * Several conditions measured in many short interleaved rounds, so a slow stretch of a shared
 * machine lands on all of them rather than on one, and the rounds' spread shows how far apart two
 * conditions must be before a difference means anything. Within a round the sequential calls
 * alternate in short blocks, so every condition sees nearly the same moments of the machine.
 */
import { performance } from 'node:perf_hooks';
import { median, percentile, throughput } from '../harness.js';
import { cpuSnapshot, othersCores } from '../sql/cpu-use.js';

export const MEASURES = ['p50', 'rps1', 'rps16'] as const;
export type Measure = (typeof MEASURES)[number];
/** Per measure, one value per round; and every round's sequential latencies, for a p99 with enough calls behind it. */
export type Series = Record<Measure, number[]> & { latencies: number[] };

export interface RoundOptions {
  rounds: number;
  /** Sequential calls per condition and round: a multiple of BLOCK. */
  calls: number;
  /** Milliseconds per 16-caller throughput run. */
  ms: number;
}

/**
 * Sequential calls alternate in blocks of this many measured calls, each after a few unmeasured
 * ones: alternating call by call favours whichever condition follows a call to its own process (a
 * and b share one), which has just run and is still in the CPU's caches.
 */
export const BLOCK = 20;
export const SETTLE = 5;

export interface Rounds<K extends string> {
  series: Record<K, Series>;
  /** Per round, the cores the machine's other processes used meanwhile: what may have disturbed it. */
  others: number[];
}

export async function interleaved<K extends string>(conditions: Record<K, () => Promise<unknown>>, o: RoundOptions): Promise<Rounds<K>> {
  const names = Object.keys(conditions) as K[];
  const series = Object.fromEntries(names.map((k) => [k, { p50: [], rps1: [], rps16: [], latencies: [] }])) as unknown as Record<K, Series>;
  const others: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const before = cpuSnapshot();
    // Each round starts with another condition, so none is always the one measured first.
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    const latencies = new Map(names.map((k) => [k, [] as number[]]));
    for (let block = 0; block < o.calls / BLOCK; block++) {
      for (const k of order) {
        for (let i = 0; i < SETTLE; i++) await conditions[k]();
        for (let i = 0; i < BLOCK; i++) {
          const t = performance.now();
          await conditions[k]();
          latencies.get(k)!.push(performance.now() - t);
        }
      }
    }
    for (const k of names) {
      const l = latencies.get(k)!;
      series[k].p50.push(percentile(l, 50));
      // One caller making one call at a time: its rate is the calls over their summed time.
      series[k].rps1.push((l.length * 1000) / l.reduce((sum, v) => sum + v, 0));
      series[k].latencies.push(...l);
    }
    for (const k of order) series[k].rps16.push(await throughput(16, o.ms, conditions[k]));
    others.push(othersCores(before, cpuSnapshot()));
  }
  return { series, others };
}

/** The statistic the tables show: the median of the rounds' values. */
export const mid = (s: Series, m: Measure) => median(s[m]);

export const p99 = (s: Series) => percentile(s.latencies, 99);

/** Round by round, `x` minus `base`: paired, so drift over the run cancels. */
export const differences = (x: Series, base: Series, m: Measure) => x[m].map((v, i) => v - base[m][i]!);

/**
 * The two-sided sign test: how likely `k` or more of `n` paired rounds would fall on one side (or as
 * many on the other) if the conditions did not differ. It assumes nothing about the noise's shape.
 */
export function signTest(k: number, n: number): number {
  const extreme = Math.max(k, n - k);
  let tail = 0;
  for (let i = extreme; i <= n; i++) tail += choose(n, i);
  return Math.min(1, (2 * tail) / 2 ** n);
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - i + 1)) / i;
  return c;
}
