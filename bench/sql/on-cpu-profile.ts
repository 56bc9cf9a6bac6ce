/**
 * Where pglambda's process spends CPU, as the kernel sees it: `perf record` samples only a thread
 * that is running, where V8's profiler samples wall time (a thread descheduled inside a socket
 * write shows up as that write). With `node --perf-basic-prof`, perf names JavaScript frames; each
 * sample counts for the first pglambda or package function on its stack, with everything it
 * called (system calls, V8 built-ins, the garbage collection it set off).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { area } from './cpu-profile.js';

const run = promisify(execFile);

/** Whether this machine has Linux perf (Debian: linux-perf); a recording it may not make is reported by recordOnCpu. */
export function hasPerf(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface OnCpuRecording {
  /** perf itself, for whoever stops the run. */
  child: ChildProcess;
  /** Once the recording ended; undefined when it or its reading failed, which `say` was told. */
  summary(): Promise<OnCpuSummary | undefined>;
}

/** Samples `pid` (all its threads, with call stacks) for `seconds` into `file`. */
export function recordOnCpu(pid: number, seconds: number, file: string, say: (why: string) => void): OnCpuRecording {
  const perf = spawn('perf', ['record', '-q', '-F', '999', '-g', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  perf.stderr!.on('data', (b: Buffer) => (said += b.toString()));
  const recorded = new Promise<boolean>((resolve) => {
    perf.once('error', (err) => (say(err.message), resolve(false)));
    perf.once('exit', (code) => {
      if (code !== 0) say(`perf record exited with ${code}: ${said.trim()}`);
      resolve(code === 0);
    });
  });
  return {
    child: perf,
    summary: async () => ((await recorded) ? summariseOnCpu(file).catch((err: Error) => (say(err.message), undefined)) : undefined),
  };
}

/** The symbol map `node --perf-basic-prof` writes for `pid`. */
export const perfMap = (pid: number): string => `/tmp/perf-${pid}.map`;

export interface OnCpuSummary {
  samples: number;
  /** Share of the samples taken in the kernel (system calls, the network stack, scheduling). */
  kernel: number;
  /** The owners with the most samples, by share. */
  top: Array<{ owner: string; share: number }>;
  /** Shares by area: pglambda's source folders, packages, Node itself. */
  areas: Array<{ area: string; share: number }>;
}

/** Reads a `perf record` file; perf names JavaScript frames from the process's symbol map (perfMap), which the caller removes. */
async function summariseOnCpu(file: string): Promise<OnCpuSummary> {
  const { stdout } = await run('perf', ['script', '-i', file, '-F', 'ip,sym,dso'], { maxBuffer: 1 << 30 });
  const owners = new Map<string, number>();
  const areas = new Map<string, number>();
  let samples = 0;
  let kernel = 0;
  for (const block of stdout.split('\n\n')) {
    const frames = block
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map(frameOf);
    if (frames.length === 0) continue;
    samples++;
    if (frames[0]!.dso.includes('kernel')) kernel++;
    const owned = frames.find((f) => f.js && (/ src\//.test(f.sym) || f.sym.includes('node_modules/')));
    const js = owned ?? frames.find((f) => f.js);
    const owner = js ? js.sym : `(native: ${frames[0]!.sym})`;
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
    const a = js ? area(js.sym.slice(js.sym.lastIndexOf(' ') + 1), js.sym) : '(no JavaScript on the stack: libuv, V8 threads, the kernel)';
    areas.set(a, (areas.get(a) ?? 0) + 1);
  }
  const ranked = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).map(([k, n]) => [k, samples ? n / samples : 0] as const);
  return {
    samples,
    kernel: samples ? kernel / samples : 0,
    top: ranked(owners)
      .slice(0, 20)
      .map(([owner, share]) => ({ owner, share })),
    areas: ranked(areas).map(([name, share]) => ({ area: name, share })),
  };
}

interface Frame {
  sym: string;
  dso: string;
  js: boolean;
}

/** `perf script -F ip,sym,dso` lines: "<ip> <symbol> (<dso>)"; JavaScript frames read "JS:*name url:line:col". */
function frameOf(line: string): Frame {
  const m = /^[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)$/.exec(line);
  const sym = m?.[1] ?? line;
  const dso = m?.[2] ?? '';
  if (!sym.startsWith('JS:')) return { sym, dso, js: false };
  return { sym: shorten(sym.slice(3).replace(/^[*^~]/, '')), dso, js: true };
}

/** "name file:///…/dist/src/x.js:1:2" → "name src/x.js:1:2"; an anonymous function is named so. */
function shorten(sym: string): string {
  const short = sym
    .replaceAll('file://', '')
    .replace(/\S*\/dist\/src\//, 'src/')
    .replace(/\S*\/node_modules\//, 'node_modules/');
  return short.startsWith(' ') ? `(anonymous)${short}` : short;
}
