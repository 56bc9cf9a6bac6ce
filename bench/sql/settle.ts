/**
 * Warming up until the function processes are in their steady state. Each warm environment is its
 * own Node process with its own JIT: one that serves an eighth of 8 sessions' calls runs its
 * handler and pglambda's runtime client in V8's slower tiers for its first few thousand invokes,
 * and meanwhile compiles and collects. A fixed short warm-up left that in the measured runs, so
 * the warm-up runs in windows until the function processes' CPU per call stops falling.
 */
import { perCall, type CallCost } from './cpu-use.js';
import { ms, ps } from './units.js';

interface WarmWindow {
  /** The function processes' CPU per call, ms. */
  functionsMs: number;
  /** All this run's processes, ms per call. */
  totalMs: number;
  /** Calls per second. */
  rate: number;
}

export interface WarmUp {
  windows: WarmWindow[];
  /** Whether the figure stopped falling before the last window allowed. */
  settled: boolean;
}

/** A window lower than the lowest before by less than this share has not fallen. */
export const FALLING = 0.03;
/** Settled: this many windows in a row have not fallen. */
export const STALLED = 2;
/** At most this many windows, settled or not. */
export const MAX_WINDOWS = 12;

/** Runs `window` until the function processes' CPU per call stops falling (STALLED windows in a row), saying each as `what`. */
export async function untilSettled(
  what: string,
  window: () => Promise<{ cost: CallCost; rate: number }>,
  say: (line: string) => void,
): Promise<WarmUp> {
  const windows: WarmWindow[] = [];
  let lowest = Infinity;
  let stalled = 0;
  while (windows.length < MAX_WINDOWS) {
    const { cost, rate } = await window();
    const c = perCall(cost);
    if (!(c.functions > 0)) throw new Error('a warm-up window saw no CPU of the function processes: are they watched?');
    const w = { functionsMs: c.functions, totalMs: c.total, rate };
    say(`warming up, ${what}: ${rate.toFixed(0)}/s, function processes ${w.functionsMs.toFixed(3)} ms per call`);
    windows.push(w);
    if (w.functionsMs < lowest * (1 - FALLING)) stalled = 0;
    else stalled++;
    lowest = Math.min(lowest, w.functionsMs);
    if (stalled >= STALLED) return { windows, settled: true };
  }
  return { windows, settled: false };
}

/** The report's account of one warm-up: what its windows cost, first to last. */
export function describeWarmUp(what: string, window: string, { windows, settled }: WarmUp): string {
  const first = windows[0]!;
  const last = windows.at(-1)!;
  const end = settled
    ? `the last ${STALLED} no more than ${FALLING * 100}% below the lowest before them`
    : `still falling when the limit of ${MAX_WINDOWS} windows ended it`;
  return (
    `${what}: ${windows.length} windows (${window}), ${end}. The function processes' CPU per call went ` +
    `${windows.map((w) => w.functionsMs.toFixed(3)).join(' → ')} ms; all processes' from ${ms(first.totalMs)} to ${ms(last.totalMs)}, ` +
    `and ${ps(first.rate)} became ${ps(last.rate)}.`
  );
}
