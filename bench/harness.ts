/** Shared pieces of the benchmarks: child processes, a keep-alive HTTP client, statistics, the report. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Starts a command and resolves once its output matches `ready`, with the match. */
export function startProcess(
  command: string,
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (b: Buffer) => {
      seen += b.toString();
      const match = ready.exec(seen);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        child.removeAllListeners('exit');
        resolve({ child, match });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (seen += b.toString()));
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${seen}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One POST over a kept-alive connection; resolves with the status. */
export function post(url: URL, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': body.length, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Latencies (ms) of `n` sequential calls, after `warmup` unmeasured ones. */
export async function sequential(n: number, warmup: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    out.push(performance.now() - t);
  }
  return out;
}

/** Calls per second with `callers` concurrent loops for `ms`. */
export async function throughput(callers: number, ms: number, call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const end = start + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        await call();
        done++;
      }
    }),
  );
  // Until the last call returned: the calls still in flight at `end` are counted, so is their time.
  return done / ((performance.now() - start) / 1000);
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

// Compiled to dist/bench/: the project is two levels up.
const project = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The commit the benchmark runs, read at its start: the code changes under a long run when others commit meanwhile. */
export function revision(): string {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: project, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  try {
    const changed = git(['status', '--porcelain', '--', 'src']) !== '';
    return `${git(['rev-parse', '--short', 'HEAD'])}${changed ? ', with uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export interface Row {
  what: string;
  value: number;
  floor: number;
  unit: 'ms' | '/s';
  target?: string;
}

export function table(rows: Row[]): string {
  const lines = ['| measure | pglambda | floor | ratio | target |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const ratio = r.unit === 'ms' ? r.value / r.floor : r.floor / r.value;
    const fmt = (v: number) => (r.unit === 'ms' ? `${v.toFixed(3)} ms` : `${Math.round(v)} /s`);
    lines.push(`| ${r.what} | ${fmt(r.value)} | ${fmt(r.floor)} | ${ratio.toFixed(1)}× | ${r.target ?? ''} |`);
  }
  return lines.join('\n');
}
