/**
 * Warming up until the function processes are in their steady state. Each warm environment is its
 * own Node process with its own JIT: one that serves an eighth of 8 sessions' calls runs its
 * handler and pglambda's runtime client in V8's slower tiers for its first few thousand invokes,
 * and meanwhile compiles and collects. A fixed short warm-up left that in the measured runs, so
 * the warm-up runs in windows until the function processes' CPU per call stops falling.
 */
import { perCall, type CallCost } from './cpu-use.js';

export interface WarmWindow {
  /** The function processes' CPU per call, ms. */
  functionsMs: number;
  /** All this run's processes, ms per call. */
  totalMs: number;
  /** Calls per second. */
  rate: number;
}

/** Settled: a window's function CPU per call within this share of the one before. */
const SETTLED = 0.1;
/** At most this many windows, settled or not. */
const MAX_WINDOWS = 12;

/** Runs `window` until the function processes' CPU per call settles (at least two windows). */
export async function untilSettled(
  window: () => Promise<{ cost: CallCost; rate: number }>,
  log: (w: WarmWindow) => void,
): Promise<WarmWindow[]> {
  const windows: WarmWindow[] = [];
  for (;;) {
    const { cost, rate } = await window();
    const c = perCall(cost);
    const w = { functionsMs: c.functions, totalMs: c.total, rate };
    log(w);
    const before = windows.at(-1);
    windows.push(w);
    if (windows.length >= MAX_WINDOWS) return windows;
    if (before && Math.abs(w.functionsMs - before.functionsMs) <= SETTLED * before.functionsMs) return windows;
  }
}

const ms = (v: number) => `${v.toFixed(3)} ms`;
const ps = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;

/** The report's account of one warm-up: what the windows cost, first to last. */
export function describeWarmUp(what: string, windowSeconds: number, windows: WarmWindow[]): string {
  const first = windows[0]!;
  const last = windows.at(-1)!;
  const settled = windows.length < MAX_WINDOWS ? 'settled' : `had not settled (within ${SETTLED * 100}%) after ${MAX_WINDOWS} windows`;
  return (
    `${what}: ${windows.length} windows of ${windowSeconds} s, then ${settled}. The function processes' CPU per call went ` +
    `${windows.map((w) => w.functionsMs.toFixed(3)).join(' → ')} ms; all processes' from ${ms(first.totalMs)} to ${ms(last.totalMs)}, ` +
    `and ${ps(first.rate)} became ${ps(last.rate)}.`
  );
}
