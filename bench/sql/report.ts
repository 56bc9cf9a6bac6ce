/** The report: bench/results/sql-invoke.md, rendered from the run's results. */
import { machine, percentile } from '../harness.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { CallCost, CpuUse } from './cpu-use.js';
import type { PgbenchResult } from './pgbench.js';
import { sinceIam } from './since-iam.js';
import { INVOKE_SQL, N, SECONDS, WARMUP } from './settings.js';

export type SeqKey = 'select1' | 'floor' | 'invoke' | 'raw' | 'sdk' | 'stub';

export interface Results {
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
  /** The commit measured (harness revision()). */
  code: string;
  pgbenchBin: string | null;
}

/** Up to two callers that account for at least a fifth of a function's self time, with their shares. */
function callers(from: Map<string, number>, total: number): string {
  return [...from].filter(([, t]) => t >= total * 0.2).sort((a, b) => b[1] - a[1]).slice(0, 2).map(([f, t]) => `\`${f}\` ${((t / total) * 100).toFixed(0)}%`).join(', ');
}

export function render(r: Results): string {
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
Code: commit ${r.code}
Date: ${new Date().toISOString()}

What runs: \`pglambda up\` (embedded PostgreSQL 18 with aws_lambda in database \`postgres\`, the AWS
endpoint and the bridge in one Node process, default \`--max-environments\` 16) and a no-op function
\`noop\` (nodejs22.x, \`export const handler = async () => null;\`, 128 MB). The query:
\`${INVOKE_SQL}\` (simple query protocol).

- **Access**: IAM enforcement on (the default). The start lets \`my-db-cluster\` invoke only \`my-function\`, through
  its role \`pglambda-starter\`; the bench gives that role \`noop\` too, with an inline policy (IAM PutRolePolicy).
- **Sequential**: one node-postgres session, ${N} calls after ${WARMUP} warm-up calls, for each query.
- **pgbench** (${r.pgbenchBin ?? 'absent'}): \`-n -f script.sql -c N -j N -T ${SECONDS} -M simple\`, one script per query
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

${sinceIam({
    p50: seqP50,
    select1P50: s1,
    tps: new Map([...r.bench].map(([c, b]) => [c, b.invoke.tps])),
    pglambdaCpu8: b8 && perTx(cost(b8.invoke)).pglambda,
    profile: r.profile?.summary,
  })}
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
