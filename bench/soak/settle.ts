/**
 * pglambda at rest: no Event left in its queue, no function process left warm, its state pool's idle
 * connections closed; then its resident size and open files, sampled once a second, before and
 * after a full garbage collection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { collectGarbage } from './collect-garbage.js';
import { countRoles, tree, usage, type Role, type Usage } from './procs.js';
import type { Queue } from './queue.js';
import { COLLECTED_SAMPLES, POOL_IDLE_MS, SETTLE_SAMPLES } from './settings.js';

export interface Settled {
  /** Milliseconds until the queue was empty, then until no function process was left. */
  drainedMs: number;
  idleMs: number;
  /** As it was, whenever V8 last collected. */
  samples: Usage[];
  /** After a full collection: what the process holds. */
  collected: Usage[];
  /** The lowest of the samples after the collection, of resident size and of open files. */
  rssKiB: number;
  fds: number;
  /** The processes under pglambda once settled, by role. */
  processes: Record<Role, number>;
}

const DRAIN_DEADLINE_MS = 600_000;
const IDLE_DEADLINE_MS = 120_000;

async function until(check: () => boolean | Promise<boolean>, deadlineMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > deadlineMs) throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
    await sleep(250);
  }
  return performance.now() - t0;
}

async function sample(pid: number, n: number): Promise<Usage[]> {
  const out: Usage[] = [];
  for (let i = 0; i < n; i++) {
    if (i) await sleep(1000);
    out.push(usage(pid));
  }
  return out;
}

/** `inspector`: the WebSocket URL of pglambda's inspector. */
export async function settle(pid: number, queue: Queue, inspector: string): Promise<Settled> {
  const drainedMs = await until(async () => (await queue.depth()).queued === 0, DRAIN_DEADLINE_MS, 'the Event queue did not drain');
  const idleMs = await until(() => countRoles(tree(pid)).function === 0, IDLE_DEADLINE_MS, 'function processes stayed');
  await sleep(POOL_IDLE_MS);
  const samples = await sample(pid, SETTLE_SAMPLES);
  await collectGarbage(inspector);
  const collected = await sample(pid, COLLECTED_SAMPLES);
  return {
    drainedMs,
    idleMs,
    samples,
    collected,
    rssKiB: Math.min(...collected.map((s) => s.rssKiB)),
    fds: Math.min(...collected.map((s) => s.fds)),
    processes: countRoles(tree(pid).slice(1)),
  };
}
