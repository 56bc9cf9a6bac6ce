/**
 * Synchronous `aws_lambda.invoke` from SQL, end to end: one session's sequential latency (p50/p99)
 * and pgbench at 1, 8 and 32 clients, for a no-op Node function — each beside its floors measured
 * in the same run the same way: `SELECT 1`, and a dblink round trip to a trivial wire-protocol
 * server (bench/trivial-pgwire-server.ts). The Lambda invoke alone (raw keep-alive HTTP POST) shows
 * how the time splits. Where a target is missed, a second start of pglambda under `--cpu-prof`
 * shows where its time goes during the 8-client run. Writes bench/results/sql-invoke.md.
 *
 * BENCH_N (2000) sequential calls per measure, BENCH_SECONDS (5) per pgbench run, BENCH_PROFILE=0
 * skips the profile, BENCH_DEBUG=1 shows pglambda's output. pgbench is Debian's (postgresql-client);
 * without it the pgbench rows are left out with a note.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipFiles } from '../src/lambda/code/make-zip.js';
import { machine, percentile, post, sequential, startProcess, throughput } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const N = Number(process.env.BENCH_N ?? 2000);
const WARMUP = Math.min(200, N);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = [1, 8, 32] as const;
const PROFILE = process.env.BENCH_PROFILE !== '0';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const INVOKE_SQL = `SELECT status_code FROM aws_lambda.invoke('noop', '{}'::json)`;
const FLOOR_SQL = 'SELECT bench_floor()';
const SELECT1_SQL = 'SELECT 1';

// ---------------------------------------------------------------------------------------------
// pglambda as a child process

interface Pglambda {
  child: ChildProcess;
  endpoint: string;
  databaseUrl: string;
}

async function startPglambda(dataDir: string, pgPort: number, nodeFlags: string[] = []): Promise<Pglambda> {
  const { child, match } = await startProcess(process.execPath, [...nodeFlags, join(root, 'dist/src/cli/main.js'), 'up',
    '--data-dir', dataDir, '--port', '0', '--pg-port', String(pgPort), '--bridge-port', '0'],
  /AWS endpoint\s+(\S+)[\s\S]*export DATABASE_URL=(\S+)[\s\S]*Ctrl-C stops/);
  if (process.env.BENCH_DEBUG) {
    child.stdout!.on('data', (b: Buffer) => process.stderr.write(`[pglambda] ${b}`));
    child.stderr!.on('data', (b: Buffer) => process.stderr.write(`[pglambda] ${b}`));
    child.on('exit', (code, signal) => console.error(`[pglambda] exited ${code ?? signal}`));
  }
  return { child, endpoint: match[1]!, databaseUrl: match[2]! };
}

/** SIGINT, as Ctrl-C: pglambda stops its function processes and PostgreSQL, then exits. */
async function stopPglambda(p: Pglambda): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGINT');
  await exited;
}

/**
 * The start grants my-db-cluster only my-function; until IAM lets a user grant more, the bench adds
 * `noop` to the cluster's grants in pglambda's state database (read once, at the first invoke).
 */
async function grantNoop(superuserUrl: string): Promise<void> {
  const url = new URL(superuserUrl);
  url.pathname = '/pglambda';
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await c.query(`insert into rds.invoke_grants (account_id, region, identifier, resource)
      values ('123456789012', 'us-west-2', 'my-db-cluster', 'arn:aws:lambda:us-west-2:123456789012:function:noop') on conflict do nothing`);
  } finally {
    await c.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// pgbench

function findPgbench(): string | null {
  for (const p of ['/usr/lib/postgresql/15/bin/pgbench']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench']).toString().trim() || null;
  } catch {
    return null;
  }
}

interface PgbenchResult {
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
  aborted: number;
  cpu: CpuUse;
  /** Wall time of the pgbench process, connections included (what `cpu` averages over). */
  seconds: number;
}

function libpqEnv(databaseUrl: string, options?: string): NodeJS.ProcessEnv {
  const u = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
    ...(options ? { PGOPTIONS: options } : {}),
  };
}

async function pgbench(bin: string, env: NodeJS.ProcessEnv, script: string, clients: number, seconds: number, watch: Watched): Promise<PgbenchResult> {
  await new Promise((r) => setTimeout(r, 200)); // the previous run's backends have exited
  const before = cpuSnapshot();
  const child = spawn(bin, ['-n', '-f', script, '-c', String(clients), '-j', String(clients), '-T', String(seconds), '-M', 'simple'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 100)); // its backends exit and are reaped
  const after = cpuSnapshot();
  const cpu = cpuUse(before, after, watch);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const result: PgbenchResult = {
    tps: num(/tps = ([\d.]+)/),
    latencyMs: num(/latency average = ([\d.]+) ms/),
    transactions: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || 0,
    aborted: (out.match(/aborted in command/g) ?? []).length,
    cpu,
    seconds: Number(after.at - before.at) / 1e9,
  };
  if (!Number.isFinite(result.tps) || (code !== 0 && result.aborted === 0)) throw new Error(`pgbench exited (${code}):\n${out}`);
  if (result.aborted) console.error(`pgbench: ${result.aborted} client(s) aborted:\n${out.split('\n').filter((l) => /aborted/.test(l)).slice(0, 3).join('\n')}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// CPU use by process during a run, from /proc

/** `ticks`: the process's own user + system time; `reaped`: that of its children it has waited for. */
interface ProcStat { pid: number; ppid: number; comm: string; ticks: number; reaped: number }
interface Snapshot { at: bigint; procs: Map<number, ProcStat>; total: number; idle: number }
interface Watched { pglambda: number; floorServer: number }

function cpuSnapshot(): Snapshot {
  const procs = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const f = s.slice(close + 2).split(' ');
      procs.set(Number(name), {
        pid: Number(name), ppid: Number(f[1]), comm: s.slice(s.indexOf('(') + 1, close),
        ticks: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { at: process.hrtime.bigint(), procs, total: cpu.slice(0, 8).reduce((a, b) => a + b, 0), idle: cpu[3]! + cpu[4]! };
}

/** Cores in use on average (2.0 = both cores of this machine busy), by group. */
type CpuUse = Record<'pglambda' | 'functions' | 'postgres' | 'pgbench' | 'floorServer' | 'bench' | 'other' | 'idle', number>;

function cpuUse(a: Snapshot, b: Snapshot, watch: Watched): CpuUse {
  const seconds = Number(b.at - a.at) / 1e9;
  const descends = (pid: number, from: number): boolean => {
    for (let p = b.procs.get(pid) ?? a.procs.get(pid); p && p.pid > 1; p = b.procs.get(p.ppid) ?? a.procs.get(p.ppid)) if (p.ppid === from) return true;
    return false;
  };
  const use: CpuUse = { pglambda: 0, functions: 0, postgres: 0, pgbench: 0, floorServer: 0, bench: 0, other: 0, idle: 0 };
  let accounted = 0;
  const add = (group: keyof CpuUse, ticks: number) => {
    if (ticks <= 0) return;
    use[group] += ticks / CLK_TCK / seconds;
    accounted += ticks;
  };
  for (const p of b.procs.values()) {
    const before = a.procs.get(p.pid);
    const own = p.ticks - (before?.ticks ?? 0);
    const reaped = p.reaped - (before?.reaped ?? 0);
    // pgbench has exited (and been reaped by this process) by the second snapshot, and so have the
    // PostgreSQL backends that served it (reaped by the postmaster): their time is their parent's
    // `reaped` time.
    if (p.pid === process.pid) {
      add('bench', own);
      add('pgbench', reaped);
    } else if (p.pid === watch.pglambda) add('pglambda', own);
    else if (p.pid === watch.floorServer) add('floorServer', own);
    else if (descends(p.pid, watch.pglambda)) add(p.comm.startsWith('postgres') ? 'postgres' : 'functions', own + reaped);
  }
  const jiffies = b.total - a.total; // all cores
  const cores = jiffies / (seconds * CLK_TCK);
  use.idle = ((b.idle - a.idle) / jiffies) * cores;
  use.other = Math.max(0, cores - use.idle - accounted / CLK_TCK / seconds);
  return use;
}

// ---------------------------------------------------------------------------------------------
// The CPU profile: self time in a window

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

function shortUrl(url: string): string {
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(root + '/')) u = u.slice(root.length + 1);
  u = u.replace(/^dist\//, '');
  return u;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native: system calls and V8 built-ins called from JavaScript)';
  const u = shortUrl(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return `node_modules/${nm[1]}`;
  if (u.startsWith('node:')) return 'Node core (node:*)';
  const src = /^src\/([^/]+)\//.exec(u);
  if (src) return `pglambda src/${src[1]}/`;
  return u;
}

interface ProfileSummary {
  windowMs: number;
  sampledMs: number;
  idleMs: number;
  top: Array<{ fn: string; file: string; ms: number; from: Map<string, number> }>;
  areas: Array<{ area: string; ms: number }>;
}

/** Self time per function and per area, for samples between `fromUs` and `toUs` (CLOCK_MONOTONIC µs). */
function summarise(profile: CpuProfile, fromUs: number, toUs: number): ProfileSummary {
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

// ---------------------------------------------------------------------------------------------
// The run

const pgbenchBin = findPgbench();
const work = await mkdtemp(join(tmpdir(), 'pglambda-bench-sql-'));
const dataDir = join(work, 'data');
const profDir = join(work, 'profile');
const pgPort = await freePort();
const started: ChildProcess[] = [];
const load0 = loadavg();
let service = await startPglambda(dataDir, pgPort);
started.push(service.child);
const { child: floorServer, match: floorMatch } = await startProcess(process.execPath, [join(here, 'trivial-pgwire-server.js')], /listening (\d+)/);
started.push(floorServer);
const { child: httpFloor, match: httpMatch } = await startProcess(process.execPath, [join(here, 'trivial-server.js')], /listening (\d+)/);
started.push(httpFloor);
const floorPort = Number(floorMatch[1]);
const httpFloorUrl = `http://127.0.0.1:${httpMatch[1]}`;

try {
  const lambda = new LambdaClient({ endpoint: service.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'noop', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/bench',
    Code: { ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => null;' }) },
  }));

  await grantNoop(service.databaseUrl);

  // Errors reach the awaiting query; a connection dropped at the end is not one.
  const admin = new pg.Client({ connectionString: service.databaseUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`CREATE OR REPLACE FUNCTION bench_floor() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ('floor' = ANY(coalesce(dblink_get_connections(), '{}'))) THEN
    PERFORM dblink_connect('floor', 'host=127.0.0.1 port=${floorPort} user=bench password=bench dbname=bench');
  END IF;
  RETURN (SELECT status_code FROM dblink('floor', '{"v":1}') AS t(status_code int, payload text, executed_version text, log_result text));
END $$`);

  // (a) One session, sequential, simple query protocol (node-postgres sends a Query message when
  // a query has no parameters).
  const session = new pg.Client({ connectionString: service.databaseUrl });
  session.on('error', () => undefined);
  await session.connect();
  const check = await session.query(INVOKE_SQL);
  if (check.rows[0]?.status_code !== 200) throw new Error(`unexpected invoke result ${JSON.stringify(check.rows)}`);
  if ((await session.query(FLOOR_SQL)).rows[0]?.bench_floor !== 200) throw new Error('bench_floor() did not answer 200');
  const watch: Watched = { pglambda: service.child.pid!, floorServer: floorServer.pid! };
  // Each sequential run also records the CPU every process spent on it: per call, in steady state
  // (one session, no connection set-up inside the run).
  const seqCpu = new Map<SeqKey, [string, CallCost]>();
  const run = async (key: SeqKey, what: string, call: () => Promise<unknown>, n = N, warmup = WARMUP) => {
    const before = cpuSnapshot();
    const out = await sequential(n, warmup, call);
    const after = cpuSnapshot();
    seqCpu.set(key, [what, { cpu: cpuUse(before, after, watch), seconds: Number(after.at - before.at) / 1e9, calls: n + warmup }]);
    return out;
  };
  const seq = {
    select1: await run('select1', '`SELECT 1`', () => session.query(SELECT1_SQL)),
    floor: await run('floor', '`bench_floor()` (dblink → trivial wire server)', () => session.query(FLOOR_SQL)),
    invoke: await run('invoke', '`aws_lambda.invoke`', () => session.query(INVOKE_SQL)),
  };
  // The Lambda invoke alone: the same request as lambda-invoke.ts, one keep-alive connection.
  const invokeUrl = new URL(`${service.endpoint}/2015-03-31/functions/noop/invocations`);
  const auth = { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-west-2/lambda/aws4_request, SignedHeaders=host, Signature=0' };
  const rawInvoke = () => post(invokeUrl, Buffer.from('{}'), auth);
  const lambdaRaw = await run('raw', 'Lambda invoke alone (raw HTTP POST)', rawInvoke);
  const lambdaSdk = await run('sdk', 'Lambda invoke alone (`@aws-sdk/client-lambda` in this process)',
    () => lambda.send(new InvokeCommand({ FunctionName: 'noop', Payload: Buffer.from('{}') })), Math.min(N, 1000), 100);
  // Everything but the Lambda invoke: aws_lambda.invoke with the bridge's SDK call sent to a
  // trivial HTTP server answering 200 `null` (aws_lambda.endpoint_override, superuser only).
  await session.query(`SET aws_lambda.endpoint_override = '${httpFloorUrl}'`);
  const viaStub = await run('stub', '`aws_lambda.invoke` to the stub HTTP server', () => session.query(INVOKE_SQL));
  await session.query('RESET aws_lambda.endpoint_override');
  await throughput(8, 1000, rawInvoke); // unmeasured: starts the function processes 8 callers need
  const rawRps8 = await throughput(8, SECONDS * 1000, rawInvoke);
  await session.end();

  // (b) pgbench.
  type Bench = Record<'select1' | 'floor' | 'invoke', PgbenchResult>;
  const bench = new Map<number, Bench>();
  let stubBench: PgbenchResult | undefined;
  if (pgbenchBin) {
    const scripts = { select1: join(work, 'select1.sql'), floor: join(work, 'floor.sql'), invoke: join(work, 'invoke.sql') };
    await writeFile(scripts.select1, `${SELECT1_SQL};\n`);
    await writeFile(scripts.floor, `${FLOOR_SQL};\n`);
    await writeFile(scripts.invoke, `${INVOKE_SQL};\n`);
    const env = libpqEnv(service.databaseUrl);
    for (const c of CLIENTS) {
      if (c === 32) await admin.query('ALTER DATABASE postgres SET aws_lambda.request_timeout_ms = 30000');
      // Unmeasured: starts the function processes this many clients need, opens nothing that stays.
      await pgbench(pgbenchBin, env, scripts.invoke, c, 1, watch);
      const row = {
        select1: await pgbench(pgbenchBin, env, scripts.select1, c, SECONDS, watch),
        floor: await pgbench(pgbenchBin, env, scripts.floor, c, SECONDS, watch),
        invoke: await pgbench(pgbenchBin, env, scripts.invoke, c, SECONDS, watch),
      };
      bench.set(c, row);
      console.error(`pgbench ${c} clients: SELECT 1 ${row.select1.tps.toFixed(0)}/s, floor ${row.floor.tps.toFixed(0)}/s, invoke ${row.invoke.tps.toFixed(0)}/s`);
      if (c === 8) stubBench = await pgbench(pgbenchBin, libpqEnv(service.databaseUrl, `-c aws_lambda.endpoint_override=${httpFloorUrl}`), scripts.invoke, 8, SECONDS, watch);
    }
  }
  await admin.end();
  lambda.destroy();

  const p50 = percentile(seq.invoke, 50);
  const tps8 = bench.get(8)?.invoke.tps;
  const missed = p50 >= 1 || (tps8 !== undefined && tps8 < 3000);

  // The profile: a second start under --cpu-prof, so the numbers above are the profiler's
  // overhead free; the same 8-client pgbench run, then SIGINT so the profile is written.
  let profile: { summary: ProfileSummary; tps: number; cpu: CpuUse } | undefined;
  if (missed && PROFILE && pgbenchBin) {
    await stopPglambda(service);
    service = await startPglambda(dataDir, pgPort, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    started.push(service.child);
    const script = join(work, 'invoke.sql');
    const env = libpqEnv(service.databaseUrl);
    const pw: Watched = { pglambda: service.child.pid!, floorServer: floorServer.pid! };
    await pgbench(pgbenchBin, env, script, 8, 2, pw);
    const from = Number(process.hrtime.bigint() / 1000n);
    const run = await pgbench(pgbenchBin, env, script, 8, SECONDS, pw);
    const to = Number(process.hrtime.bigint() / 1000n);
    const pid = service.child.pid!;
    await stopPglambda(service);
    const file = readdirSync(profDir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile for pid ${pid} in ${profDir}`);
    const cpuProfile = JSON.parse(await readFile(join(profDir, file), 'utf8')) as CpuProfile;
    profile = { summary: summarise(cpuProfile, from, to), tps: run.tps, cpu: run.cpu };
  }

  const report = render({ seq, seqCpu, lambdaRaw, lambdaSdk, viaStub, rawRps8, bench, stubBench, profile, load0 });
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'sql-invoke.md'), report);
  console.log(report);
} finally {
  const stopped = await stopPglambda(service).then(() => true, (err: Error) => (console.error(`stopping pglambda: ${err.message}`), false));
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill();
  // As root, the embedded cluster lives outside the data dir, which names it in pg-location.
  const cluster = await readFile(join(dataDir, 'pg-location'), 'utf8').then((t) => t.trim(), () => '');
  if (cluster && stopped) await rm(cluster, { recursive: true, force: true }).catch(() => undefined);
  await rm(work, { recursive: true, force: true }).catch(() => undefined);
}
process.exit(0);

// ---------------------------------------------------------------------------------------------
// The report

interface CallCost { cpu: CpuUse; seconds: number; calls: number }
type SeqKey = 'select1' | 'floor' | 'invoke' | 'raw' | 'sdk' | 'stub';

interface Results {
  seq: Record<'select1' | 'floor' | 'invoke', number[]>;
  seqCpu: Map<SeqKey, [string, CallCost]>;
  lambdaRaw: number[];
  lambdaSdk: number[];
  viaStub: number[];
  rawRps8: number;
  bench: Map<number, Record<'select1' | 'floor' | 'invoke', PgbenchResult>>;
  stubBench?: PgbenchResult;
  profile?: { summary: ProfileSummary; tps: number; cpu: CpuUse };
  load0: number[];
}

/** Up to two callers that account for at least a fifth of a function's self time, with their shares. */
function callers(from: Map<string, number>, total: number): string {
  return [...from].filter(([, t]) => t >= total * 0.2).sort((a, b) => b[1] - a[1]).slice(0, 2).map(([f, t]) => `\`${f}\` ${((t / total) * 100).toFixed(0)}%`).join(', ');
}

function render(r: Results): string {
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  const ps = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
  const x = (v: number) => `${v.toFixed(1)}×`;
  const rows: string[] = ['| measure | pglambda | floor: `SELECT 1` | floor: dblink → trivial wire server | ratio (÷ `SELECT 1` / ÷ dblink) | target |', '|---|---|---|---|---|---|'];
  const lat = (what: string, v: number, f1: number, f2: number, target = '') =>
    rows.push(`| ${what} | ${ms(v)} | ${ms(f1)} | ${ms(f2)} | ${x(v / f1)} / ${x(v / f2)} | ${target} |`);
  const tput = (what: string, v: number, f1: number, f2: number, target = '') =>
    rows.push(`| ${what} | ${ps(v)} | ${ps(f1)} | ${ps(f2)} | ${x(f1 / v)} / ${x(f2 / v)} | ${target} |`);
  const p = (xs: number[], q: number) => percentile(xs, q);
  const seqP50 = p(r.seq.invoke, 50);
  lat('one session, sequential: p50', seqP50, p(r.seq.select1, 50), p(r.seq.floor, 50), `under 1 ms: **${seqP50 < 1 ? 'met' : 'missed'}**`);
  lat('one session, sequential: p99', p(r.seq.invoke, 99), p(r.seq.select1, 99), p(r.seq.floor, 99));
  for (const [c, b] of r.bench) {
    const target = c === 8 ? `≥ 3,000/s: **${b.invoke.tps >= 3000 ? 'met' : 'missed'}**` : '';
    tput(`pgbench ${c} client${c > 1 ? 's' : ''}: throughput`, b.invoke.tps, b.select1.tps, b.floor.tps, target);
    lat(`pgbench ${c} client${c > 1 ? 's' : ''}: average latency`, b.invoke.latencyMs, b.select1.latencyMs, b.floor.latencyMs);
  }
  const problems = [...r.bench].flatMap(([c, b]) => Object.entries(b).filter(([, v]) => v.failed || v.aborted)
    .map(([k, v]) => `${k} at ${c} clients: ${v.failed} failed transaction(s), ${v.aborted} client(s) aborted`));

  const lambdaP50 = p(r.lambdaRaw, 50);
  const stubP50 = p(r.viaStub, 50);
  const floorP50 = p(r.seq.floor, 50);
  const s1 = p(r.seq.select1, 50);
  const split = [
    '| part (one session, p50) | time | share of the SQL invoke |',
    '|---|---|---|',
    `| \`SELECT 1\`: client ↔ PostgreSQL, one simple query | ${ms(s1)} | ${((s1 / seqP50) * 100).toFixed(0)}% |`,
    `| + a PL/pgSQL function and a dblink round trip to a trivial wire server (\`bench_floor()\` − \`SELECT 1\`) | ${ms(floorP50 - s1)} | ${(((floorP50 - s1) / seqP50) * 100).toFixed(0)}% |`,
    `| + aws_lambda's SQL (request JSON, settings) and the bridge's own work: parse, resolve, the SDK's InvokeCommand to a stub HTTP server (\`invoke\` with endpoint_override − \`bench_floor()\`) | ${ms(stubP50 - floorP50)} | ${(((stubP50 - floorP50) / seqP50) * 100).toFixed(0)}% |`,
    `| + the Lambda invoke itself instead of the stub (\`invoke\` − \`invoke\` with endpoint_override) | ${ms(seqP50 - stubP50)} | ${(((seqP50 - stubP50) / seqP50) * 100).toFixed(0)}% |`,
    `| = \`aws_lambda.invoke\` from SQL | ${ms(seqP50)} | 100% |`,
  ].join('\n');

  const b8 = r.bench.get(8);
  const cpuTable = (list: Array<[string, CpuUse]>) => [
    '| run | pglambda (one Node process: endpoint + bridge) | function processes | PostgreSQL (backends + postmaster) | pgbench | trivial wire server | other processes on the machine | idle |',
    '|---|---|---|---|---|---|---|---|',
    ...list.map(([what, u]) => `| ${what} | ${u.pglambda.toFixed(2)} | ${u.functions.toFixed(2)} | ${u.postgres.toFixed(2)} | ${u.pgbench.toFixed(2)} | ${u.floorServer.toFixed(2)} | ${u.other.toFixed(2)} | ${u.idle.toFixed(2)} |`),
  ].join('\n');

  // CPU milliseconds per transaction, by process group: what a transaction costs whatever else runs.
  const cost = (b: PgbenchResult): CallCost => ({ cpu: b.cpu, seconds: b.seconds, calls: b.transactions });
  const perTx = (b: CallCost) => {
    const f = (cores: number) => (cores * b.seconds * 1000) / b.calls;
    const c = { pglambda: f(b.cpu.pglambda), functions: f(b.cpu.functions), postgres: f(b.cpu.postgres), client: f(b.cpu.pgbench + b.cpu.bench), floorServer: f(b.cpu.floorServer) };
    return { ...c, total: c.pglambda + c.functions + c.postgres + c.client + c.floorServer };
  };
  const costTable = (list: Array<[string, CallCost]>) => [
    '| run | pglambda | function processes | PostgreSQL | client (pgbench or this process) | trivial wire server | total |',
    '|---|---|---|---|---|---|---|',
    ...list.map(([what, b]) => {
      const c = perTx(b);
      return `| ${what} | ${ms(c.pglambda)} | ${ms(c.functions)} | ${ms(c.postgres)} | ${ms(c.client)} | ${ms(c.floorServer)} | ${ms(c.total)} |`;
    }),
  ].join('\n');
  const seqCost = (k: SeqKey) => perTx(r.seqCpu.get(k)![1]);

  let where = '';
  if (r.profile && b8) {
    const s = r.profile.summary;
    const busy = s.sampledMs - s.idleMs;
    const share = (v: number) => `${((v / s.sampledMs) * 100).toFixed(1)}%`;
    const pgl = r.profile.cpu.pglambda;
    const c = perTx(cost(b8.invoke));
    const sq = { invoke: seqCost('invoke'), raw: seqCost('raw'), sdk: seqCost('sdk'), stub: seqCost('stub'), floor: seqCost('floor') };
    const u = b8.invoke.cpu;
    const cores = u.pglambda + u.functions + u.postgres + u.pgbench + u.floorServer + u.bench + u.other + u.idle;
    const need = (cores * 1000) / 3000;
    const pct = (v: number) => `${((v / c.total) * 100).toFixed(0)}%`;
    const jsBusy = 1 - s.idleMs / s.sampledMs;
    const starved = jsBusy - r.profile.cpu.pglambda;
    const bound = `
- **CPU per invoke, on ${cores.toFixed(0)} shared cores.** In the 8-client run (no profiler) one invoke cost ${ms(c.total)} of CPU in all:
  pglambda's one Node process (endpoint + bridge) ${ms(c.pglambda)} (${pct(c.pglambda)}), the function processes ${ms(c.functions)} (${pct(c.functions)}),
  PostgreSQL ${ms(c.postgres)} (${pct(c.postgres)}), pgbench ${ms(c.client)}. With the machine to itself that caps 8 clients near
  ${ps((cores * 1000) / c.total)}; the other processes on this machine took ${u.other.toFixed(2)} cores during the run, which leaves room for roughly
  ${ps((Math.max(0, cores - u.other) * 1000) / c.total)} — measured: ${ps(b8.invoke.tps)}. 3,000/s on ${cores.toFixed(0)} cores needs under ${ms(need)} per invoke in all, ${(c.total / need).toFixed(0)}× less.
- **pglambda's process is the largest part and a ceiling of its own**: its JavaScript runs on one thread, so at
  ${ms(c.pglambda)} per invoke (${ms(sq.invoke.pglambda)} in the sequential run) it cannot pass about ${ps(1000 / c.pglambda)} on any number of cores.
  Of that, the endpoint serving one Lambda invoke costs it ${ms(sq.raw.pglambda)} (raw POST, sequential) and the bridge with its
  SDK call ${ms(sq.stub.pglambda)} (invoke to the stub server, sequential); the SDK's InvokeCommand alone costs its caller
  ${ms(Math.max(0, sq.sdk.client - sq.raw.client))} of CPU per call (this process, SDK − raw POST).
- **aws_lambda's SQL**: PostgreSQL spends ${ms(sq.invoke.postgres)} per invoke (sequential) against ${ms(sq.floor.postgres)} for \`bench_floor()\`'s bare
  PL/pgSQL + dblink call; that part alone would cap ${cores.toFixed(0)} cores near ${ps((cores * 1000) / sq.invoke.postgres)}.
- **The function processes**: ${ms(c.functions)} per invoke (the Runtime API's two HTTP messages and the handler), one process per
  concurrent invoke — 8 of them for 8 clients, on ${cores.toFixed(0)} cores.
- **pglambda's JavaScript thread** was busy (not idle) ${(jsBusy * 100).toFixed(0)}% of the profiled run while the whole process (all its threads) used ${r.profile.cpu.pglambda.toFixed(2)} cores${
      starved > 0.1
        ? `: for at least ${(starved * 100).toFixed(0)}% of the run it was ready but not running — starved of CPU by everything else on the two cores (the processes each invoke crosses, and the machine's other load) rather than saturated on its own. The profiler samples wall time, so that waiting shows up in the frame the thread was in, mostly socket writes that wake the receiving process (\`writev\`, \`writeBuffer\`).`
        : 1 - jsBusy >= 0.15
          ? `: not saturated — idle ${(100 - jsBusy * 100).toFixed(0)}% of the run, waiting on the function processes and PostgreSQL, which share the same two cores.`
          : `: saturated (it had most of a core, and used nearly all of it), so more clients only queue in front of it.`}

In short: every invoke crosses PostgreSQL, pglambda's one Node process (twice: bridge, then endpoint) and a function process,
${ms(c.total)} of CPU in all; on 2 cores that bounds throughput to a few hundred per second, and at this cost per invoke
pglambda's single JavaScript thread would bound it near ${ps(1000 / c.pglambda)} even with more cores.`;
    where = `
## Where the time goes

A second start of pglambda under \`node --cpu-prof\` (V8's sampling profiler, main JavaScript thread only), the same
8-client pgbench invoke run (${SECONDS} s, ${ps(r.profile.tps)} under the profiler), SIGINT at the end so the profile is
written. Self time of the samples taken during the run only (${(s.sampledMs / 1000).toFixed(2)} s sampled).

Idle share of pglambda's JavaScript thread: **${share(s.idleMs)}**; busy ${share(busy)} (${(busy / 1000).toFixed(2)} s).
By /proc, pglambda's process (all its threads) used ${pgl.toFixed(2)} cores during the run.

Top 15 functions by self time:

| function | file:line | self | share of the run | mostly called from (first frame outside Node core) |
|---|---|---|---|---|
${s.top.map((t) => `| \`${t.fn}\` | ${t.file ? `\`${t.file}\`` : ''} | ${t.ms.toFixed(0)} ms | ${share(t.ms)} | ${callers(t.from, t.ms)} |`).join('\n')}

Self time by area (package, pglambda directory, Node core):

| area | self | share of the run |
|---|---|---|
${s.areas.slice(0, 15).map((a) => `| ${a.area} | ${a.ms.toFixed(0)} ms | ${share(a.ms)} |`).join('\n')}

CPU use by process during the profiled run, in cores (this machine has ${(r.profile.cpu.pglambda + r.profile.cpu.functions + r.profile.cpu.postgres + r.profile.cpu.pgbench + r.profile.cpu.floorServer + r.profile.cpu.bench + r.profile.cpu.other + r.profile.cpu.idle).toFixed(1)}):

${cpuTable([['8-client invoke, under the profiler', r.profile.cpu]])}

### What bounds throughput
${bound}
`;
  }

  const pgbenchNote = r.bench.size ? '' : '\n**pgbench was not found** (neither /usr/lib/postgresql/15/bin/pgbench nor `pgbench` on PATH): the pgbench rows are missing.\n';
  return `# aws_lambda.invoke from SQL — benchmark

Machine: ${machine()}; load average at the start ${r.load0.map((l) => l.toFixed(2)).join(' ')}.
**Other processes were running on this 2-core machine during the run** (the "other processes" column
below shows how much CPU they took); the numbers are this run's, floors and all, under the same load.
Date: ${new Date().toISOString()}

What runs: \`pglambda up\` (embedded PostgreSQL 18 with aws_lambda in database \`postgres\`, the AWS
endpoint and the bridge in one Node process, default \`--max-environments\` 16) and a no-op function
\`noop\` (nodejs22.x, \`export const handler = async () => null;\`, 128 MB). The query:
\`${INVOKE_SQL}\` (simple query protocol).

- **Grant**: the start lets \`my-db-cluster\` invoke only \`my-function\`; until IAM offers a way to grant more, the
  bench adds \`noop\` to the cluster's grants with a row in pglambda's state database (\`rds.invoke_grants\`).
- **Sequential**: one node-postgres session, ${N} calls after ${WARMUP} warm-up calls, for each query.
- **pgbench** (${pgbenchBin ?? 'absent'}): \`-n -f script.sql -c N -j N -T ${SECONDS} -M simple\`, one script per query
  (\`SELECT 1;\`, \`SELECT bench_floor();\`, the invoke), after an unmeasured 1 s invoke run at the same client
  count that starts the function processes. \`aws_lambda.request_timeout_ms\` set to 30000 (ALTER DATABASE)
  before the 32-client runs. Throughput is pgbench's tps (without connection time), latency its "latency average".
- **Floors**, same run, same client: \`SELECT 1\`; and \`bench_floor()\`, a PL/pgSQL function that keeps a dblink
  connection per session open to bench/trivial-pgwire-server.ts (the bridge's own wire server,
  \`createPgWireServer\`, SCRAM login, answering every query at once with the row invoke returns) and
  reads the row through \`dblink(...) AS t(status_code int, payload text, executed_version text, log_result text)\`.

Targets (from the issue): p50 under 1 ms per synchronous invoke from SQL; at least 3,000 invokes/s with 8 clients.

${rows.join('\n')}
${problems.length ? `\nErrors: ${problems.join('; ')}.\n` : ''}${pgbenchNote}
Ratio: pglambda ÷ floor for latencies, floor ÷ pglambda for throughput (1.0× would be free).

### For scale (measured on this machine class earlier, not in this run)

\`SELECT 1\` 0.027 ms; a dblink round trip to a trivial Node wire-protocol server 0.076 ms (13,000/s on
one session, 23,000/s on 8); PL/Python calling boto3's invoke against a stub server 0.96 ms (1,760/s on 8).
This run's floors are ${x(p(r.seq.select1, 50) / 0.027)} (\`SELECT 1\`, ${ms(p(r.seq.select1, 50))}) and ${x(p(r.seq.floor, 50) / 0.076)} (dblink, ${ms(p(r.seq.floor, 50))}) those figures:
a measure of how busy the machine was, which is why every number here sits beside a floor from the same run.

## How one invoke's time splits

The Lambda invoke alone, the same no-op function, a raw keep-alive HTTP POST from this process
(as bench/lambda-invoke.ts): p50 ${ms(lambdaP50)}, p99 ${ms(p(r.lambdaRaw, 99))}; ${ps(r.rawRps8)} with 8 concurrent callers.
Through \`@aws-sdk/client-lambda\` from this process (what the bridge uses): p50 ${ms(p(r.lambdaSdk, 50))}, p99 ${ms(p(r.lambdaSdk, 99))}.
\`aws_lambda.invoke\` with the bridge sent to a stub HTTP server instead of Lambda (superuser
\`SET aws_lambda.endpoint_override\`, which adds a superuser check to the SQL; bench/trivial-server.ts answers 200 \`null\`): p50 ${ms(stubP50)}, p99 ${ms(p(r.viaStub, 99))}${r.stubBench ? `; pgbench 8 clients ${ps(r.stubBench.tps)}` : ''}.

So of the SQL invoke's p50 ${ms(seqP50)}, SQL + dblink + bridge take ${ms(seqP50 - lambdaP50)} beyond the raw Lambda invoke's ${ms(lambdaP50)}.
Step by step (differences of p50s, so approximate):

${split}

${b8 ? `CPU use by process during the pgbench runs, in cores (2.0 = both cores busy), from /proc (utime + stime
of each process; "other" is everything else the machine ran, kernel included):

${cpuTable([...r.bench].flatMap(([c, b]) => [[`invoke, ${c} client${c > 1 ? 's' : ''}`, b.invoke.cpu] as [string, CpuUse], ...(c === 8 ? [[`bench_floor(), 8 clients`, b.floor.cpu] as [string, CpuUse], [`SELECT 1, 8 clients`, b.select1.cpu] as [string, CpuUse]] : [])]))}

The same runs as CPU time per transaction (the CPU above × the run's wall time ÷ transactions): what one
call costs, whatever else the machine runs. Each pgbench run opens its connections anew, so these include
their set-up (SCRAM logins, and in each new session aws_lambda's first call: plan caches, the dblink login to
the bridge), spread over the run's transactions.

${costTable([...r.bench].flatMap(([c, b]) => [[`invoke, ${c} client${c > 1 ? 's' : ''}`, cost(b.invoke)] as [string, CallCost], ...(c === 8 ? [[`bench_floor(), 8 clients`, cost(b.floor)] as [string, CallCost], [`SELECT 1, 8 clients`, cost(b.select1)] as [string, CallCost]] : []), ...(c === 8 && r.stubBench ? [[`invoke to the stub HTTP server (endpoint_override), 8 clients`, cost(r.stubBench)] as [string, CallCost]] : [])]))}
` : ''}
CPU time per call in the sequential runs above (one session, already connected; warm-up calls included):

${costTable([...r.seqCpu.values()])}

${where}`;
}
