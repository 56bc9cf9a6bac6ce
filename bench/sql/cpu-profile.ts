/** The CPU profile: self time in a window. */
import { root } from './settings.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(root + '/')) u = u.slice(root.length + 1);
  u = u.replace(/^dist\//, '');
  return u;
}

/** Where a frame's code lives: a package, a pglambda source folder, Node core; `url` as V8 or perf names it. */
export function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native: system calls and V8 built-ins called from JavaScript)';
  const u = shortUrl(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return `node_modules/${nm[1]}`;
  if (u.startsWith('node:')) return 'Node core (node:*)';
  const src = /^src\/([^/]+)\//.exec(u);
  if (src) return `pglambda src/${src[1]}/`;
  return u;
}

export interface ProfileSummary {
  windowMs: number;
  sampledMs: number;
  idleMs: number;
  top: Array<{ fn: string; file: string; ms: number; from: Map<string, number> }>;
  areas: Array<{ area: string; ms: number }>;
}

/** Self time per function and per area, for samples between `fromUs` and `toUs` (CLOCK_MONOTONIC µs). */
export function summarise(profile: CpuProfile, fromUs: number, toUs: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The first caller outside Node core and native code: who asked for a socket write, say.
  const caller = (id: number): string => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      if (f.url && !f.url.startsWith('node:')) return `${f.functionName || '(anonymous)'} (${shortUrl(f.url)}:${f.lineNumber + 1})`;
    }
    return '';
  };
  const self = new Map<number, number>();
  let t = profile.startTime;
  let sampledUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    if (t < fromUs || t > toUs) continue;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
    sampledUs += dt;
  }
  const fns = new Map<string, { fn: string; file: string; ms: number; from: Map<string, number> }>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const ms = us / 1000;
    if (functionName === '(idle)') idleMs += ms;
    const fn = functionName || '(anonymous)';
    const file = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${fn}\u0000${file}`;
    const e = fns.get(key) ?? { fn, file, ms: 0, from: new Map<string, number>() };
    e.ms += ms;
    const from = caller(id);
    if (from) e.from.set(from, (e.from.get(from) ?? 0) + ms);
    fns.set(key, e);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
  }
  return {
    windowMs: (toUs - fromUs) / 1000,
    sampledMs: sampledUs / 1000,
    idleMs,
    top: [...fns.values()].sort((x, y) => y.ms - x.ms).slice(0, 15),
    areas: [...areas].map(([a, ms]) => ({ area: a, ms })).sort((x, y) => y.ms - x.ms),
  };
}
