/** The report: bench/results/sql-invoke.md, rendered from the run's results. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { median, percentile } from '../harness.js';
import { perCall, type CallCost, type CpuUse } from './cpu-use.js';
import { renderProfile } from './profile-report.js';
import { WARM_WINDOW_SECONDS, type Round } from './rounds.js';
import { HTTP_WARM_WINDOW_MS } from './lambda-api.js';
import { describeWarmUp, FALLING, MAX_WINDOWS, STALLED } from './settle.js';
import type { TriggerTable } from './pg15-setup.js';
import {
  CHANGED,
  CLIENTS,
  EVENT_CLIENTS,
  HTTP_CALLERS,
  HTTP_SECONDS,
  N,
  QUERIES,
  SECONDS,
  TRIGGER_BUDGET_S,
  TRIGGER_ROWS,
  WARMUP,
  type QueryKey,
} from './settings.js';
import { cpu8, mid, seqP50, shortfall, targets, tps8, x, type Results, type Target } from './targets.js';
import { ms, ps } from './units.js';

const range = (xs: number[], f: (v: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;

const NAMES: Record<QueryKey, string> = {
  select1: '`SELECT 1`',
  floor: 'dblink → trivial wire server',
  invoke: '`aws_lambda.invoke`',
  peer: 'PL/Python + boto3 (peer)',
};

function machine(): string {
  const nproc = execFileSync('nproc').toString().trim();
  return `${cpus()[0]?.model ?? 'unknown CPU'}; \`nproc\` ${nproc}; ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}`;
}

function verdict(t: Target): string {
  const want = `${t.bound === 'max' ? '≤' : '≥'} ${t.limit}×`;
  if (t.met) return `${want}: met`;
  const ratioMissed = t.bound === 'max' ? t.ratio > t.limit : t.ratio < t.limit;
  return `${want}: **missed**${ratioMissed ? ` (${shortfall(t).toFixed(1)}× short)` : ''}${t.note && !ratioMissed ? ` (${t.note})` : ''}`;
}

/** The item (a round, say) whose value of `f` is the median (the lower one for an even count): its split by process adds up. */
function medianItem<T>(items: T[], f: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => f(a) - f(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
const medianRound = medianItem<Round>;

const COST_HEAD = [
  "| run | pglambda (Node: endpoint, bridge, event worker) | function processes | pglambda's PostgreSQL (state, queue, logs) | PostgreSQL 15 (backends) | client (pgbench, or this process) | floor server | all |",
  '|---|---|---|---|---|---|---|---|',
];
function costRow(what: string, c: CallCost): string {
  const p = perCall(c);
  return `| ${what} | ${ms(p.pglambda)} | ${ms(p.functions)} | ${ms(p.pglambdaPostgres)} | ${ms(p.postgres)} | ${ms(p.pgbench + p.bench)} | ${ms(p.floorServer)} | **${ms(p.total)}** |`;
}
const CORES_HEAD = [
  "| run | pglambda | function processes | pglambda's PostgreSQL | PostgreSQL 15 | client | floor server | other processes on the machine | idle |",
  '|---|---|---|---|---|---|---|---|---|',
];
function coresRow(what: string, u: CpuUse): string {
  return `| ${what} | ${[u.pglambda, u.functions, u.pglambdaPostgres, u.postgres, u.pgbench + u.bench, u.floorServer, u.other, u.idle].map((v) => v.toFixed(2)).join(' | ')} |`;
}

export function render(res: Results): string {
  const R = res.rounds;
  const T = targets(res);
  const others = R.map((r) => r.others);
  const loads = res.load.samples.length ? res.load.samples : [res.load.start[0]!];

  const windows = R.flatMap((r) => [...r.bench.values()].flatMap((b) => Object.values(b).map((v) => v.windowSeconds)));
  const targetRows = T.map((t) => `| ${t.what} | ${t.value} | ${t.floor} | ${x(t.ratio)} | ${verdict(t)} |`);

  // Side by side: every way of calling, its floors beside it.
  const per = (f: (r: Round, q: QueryKey) => number) => (q: QueryKey) => mid(R, (r) => f(r, q));
  const side = (what: string, f: (q: QueryKey) => number, fmt: (v: number) => string, lowerIsBetter: boolean) => {
    const v = Object.fromEntries((Object.keys(QUERIES) as QueryKey[]).map((q) => [q, f(q)])) as Record<QueryKey, number>;
    const vsFloor = lowerIsBetter ? v.invoke / v.floor : v.floor / v.invoke;
    const vsPeer = lowerIsBetter ? v.peer / v.invoke : v.invoke / v.peer;
    return `| ${what} | ${fmt(v.select1)} | ${fmt(v.floor)} | ${fmt(v.invoke)} | ${fmt(v.peer)} | ${x(vsFloor)} | ${x(vsPeer)} |`;
  };
  const sideRows = [
    side(
      'one session, sequential: p50',
      per((r, q) => seqP50(r, q)),
      ms,
      true,
    ),
    side(
      "one session, sequential: p99 (all rounds' calls)",
      (q) =>
        percentile(
          R.flatMap((r) => r.seq[q].latencies),
          99,
        ),
      ms,
      true,
    ),
    ...CLIENTS.flatMap((c) => [
      side(
        `pgbench ${c} client${c > 1 ? 's' : ''}: throughput`,
        per((r, q) => r.bench.get(c)![q].tps),
        ps,
        false,
      ),
      side(
        `pgbench ${c} client${c > 1 ? 's' : ''}: average latency`,
        per((r, q) => r.bench.get(c)![q].latencyMs),
        ms,
        true,
      ),
      side(
        `pgbench ${c} client${c > 1 ? 's' : ''}: CPU per call, all processes`,
        per((r, q) => perCall(r.bench.get(c)![q].cost).total),
        ms,
        true,
      ),
    ]),
    side(
      'one session, sequential: CPU per call, all processes',
      per((r, q) => perCall(r.seq[q].cost).total),
      ms,
      true,
    ),
  ];

  const G = res.triggers;
  const triggerRatio = (i: number) => {
    const g = G.find((t) => t.round === i);
    return g ? x(g.ms.event / g.ms.floor) : 'skipped';
  };
  const roundRows = R.map(
    (r, i) =>
      `| ${i + 1} | ${ms(seqP50(r, 'floor'))} | ${ms(seqP50(r, 'invoke'))} | ${ms(seqP50(r, 'peer'))} | ${ps(tps8(r, 'floor'))} | ${ps(tps8(r, 'invoke'))} | ${ps(tps8(r, 'peer'))} | ${ps(r.event.run.tps)} | ${triggerRatio(i)} | ${r.others.toFixed(2)} | ${r.load.toFixed(2)} |`,
  );

  // Event invokes.
  const ev = medianRound(R, (r) => r.event.run.tps);
  const tr = medianItem(G, (g) => g.ms.event / g.ms.floor);
  const rowMs = (t: TriggerTable) => tr.ms[t] / TRIGGER_ROWS;
  const tallies = G.map(
    (g) =>
      `after round ${g.round + 1}: ${g.tally.ran.toLocaleString('en-US')} ran (${g.tally.errors} with an error status), ${g.tally.queued} left queued, queue empty ${(g.tally.drainedMs / 1000).toFixed(1)} s after the INSERT began`,
  );
  const skipped = R.length - G.length;

  const http = res.http;
  const httpRps = { invoke: http.invoke.map((v) => v.rps), floor: http.floor.map((v) => v.rps) };

  // CPU per call by process, the median round's split of each.
  const m8 = (q: QueryKey) => medianRound(R, (r) => cpu8(r, q)).bench.get(8)![q];
  const m1 = (q: QueryKey) => medianRound(R, (r) => perCall(r.bench.get(1)![q].cost).total).bench.get(1)![q];
  const ms1 = (q: QueryKey) => medianRound(R, (r) => perCall(r.seq[q].cost).total).seq[q];
  const keys = Object.keys(QUERIES) as QueryKey[];
  const costRows = [
    ...keys.map((q) => costRow(`${NAMES[q]}, 8 clients`, m8(q).cost)),
    ...keys.map((q) => costRow(`${NAMES[q]}, 1 client`, m1(q).cost)),
    ...keys.map((q) => costRow(`${NAMES[q]}, one session, sequential`, ms1(q).cost)),
    costRow(
      `Event invoke, ${EVENT_CLIENTS} clients, accepted and run (whole run, until the queue is empty)`,
      medianRound(R, (r) => perCall(r.event.cost).total).event.cost,
    ),
    costRow(
      `row trigger: a dblink round trip per row (${TRIGGER_ROWS.toLocaleString('en-US')}-row INSERT)`,
      medianItem(G, (g) => perCall(g.floorCost).total).floorCost,
    ),
    costRow('row trigger: an Event invoke per row, until all ran', medianItem(G, (g) => perCall(g.eventCost).total).eventCost),
    costRow(
      `Lambda API warm invoke, ${HTTP_CALLERS} HTTP callers (client: this process)`,
      medianItem(http.invoke, (v) => perCall(v.cost).total).cost,
    ),
    costRow(
      `trivial HTTP server, ${HTTP_CALLERS} HTTP callers (client: this process)`,
      medianItem(http.floor, (v) => perCall(v.cost).total).cost,
    ),
  ];
  const coresRows = keys.map((q) => coresRow(`${NAMES[q]}, 8 clients`, m8(q).cost.cpu));
  coresRows.push(coresRow(`Event invoke, ${EVENT_CLIENTS} clients (until the queue is empty)`, ev.event.cost.cpu));

  const coldP50 = percentile(res.cold.invoke, 50);
  const nodeP50 = percentile(res.cold.nodeE, 50);

  return `# aws_lambda.invoke from SQL — benchmark

Machine: ${machine()}.
Load average (1 min): ${res.load.start[0]!.toFixed(2)} at the start, ${range(loads, (v) => v.toFixed(2))} during the run (median ${median(loads).toFixed(2)}), ${res.load.end[0]?.toFixed(2) ?? '?'} at the end.
Other processes on the machine used ${median(others).toFixed(2)} cores in the median round (${range(others, (v) => v.toFixed(2))}; from /proc: all CPU time
less idle and less this run's processes). **This is a shared 2-core machine whose speed varies up to 3× from day to day**: every
figure sits beside its floors measured in the same run, in the same rounds, and the targets judge ratios.
Code: commit ${res.code}
Date: ${new Date().toISOString()}; the run took ${(res.wallSeconds / 60).toFixed(1)} minutes (\`npm run bench:sql\`${CHANGED.length ? ` with ${CHANGED.join(' ')}` : ''}).
${CHANGED.length ? '**A short trial with fewer and shorter runs than the full benchmark: it shows the harness works, not what the code achieves.**\n' : ''}

## What runs

- **PostgreSQL 15** (Debian's \`postgresql-15\`, a throwaway cluster made with initdb as user \`postgres\`, trust on loopback), where
  \`pglambda install\` put aws_lambda: "${res.install}".
- **pglambda** (\`pglambda up\` in a child process, its own data directory and ports, IAM enforcement on): one Node process
  serving the AWS endpoint and the bridge and running the event worker, its embedded PostgreSQL 18 for its own state, one
  process per warm function environment. The start lets \`my-db-cluster\` invoke only \`my-function\`; the bench gives its role
  \`pglambda-starter\` \`noop\` too (IAM PutRolePolicy), as a user would.
- **The function** \`noop\` (nodejs22.x, \`export const handler = async () => null;\`, 128 MB) for every call.
- **The four ways to make one call from SQL** (simple query protocol):
  - \`${QUERIES.select1}\`;
  - \`${QUERIES.floor}\`: a PL/pgSQL function keeping one dblink connection per session to bench/trivial-pgwire-server.ts
    (pglambda's own wire server code, answering every query at once with the row invoke returns): the **dblink floor**;
  - \`${QUERIES.invoke}\`;
  - \`${QUERIES.peer}\`: the peers' way, a \`plpython3u\` function keeping one boto3 Lambda client per backend (in \`GD\`), pointed at
    pglambda's endpoint (\`endpoint_url\`, us-west-2, static keys \`test\`), calling \`invoke(FunctionName='noop', Payload=b'{}')\` and
    reading the payload.
- **Rounds**: ${R.length}, interleaved: each round measures each way once, each round starting with another. Medians of rounds are shown;
  targets judge the median of the rounds' ratios (a floor and an invoke of one round saw the same machine).
- **Sequential**: one node-postgres session per way, kept for the whole run; ${WARMUP} warm-up calls, then ${N} calls per round.
- **pgbench** (PostgreSQL 15's): \`-n -M simple -f script.sql -c N -j N -T ${SECONDS} -l\`, after an unmeasured warm-up run of each script at
  8 clients, and then of the invoke until its function processes had warmed (below). pgbench opens new sessions on every run, and a session's first call pays for its set-up (boto3's import and client:
  about half a second of CPU per backend; aws_lambda's login to the bridge), so each run is measured from the moment every client
  has finished its first call (read from pgbench's per-transaction log; /proc is read every 250 ms, and the window opens at the
  first reading after that moment) to its last call: throughput, average latency and the window's calls from the log, the CPU
  from /proc. A run whose set-up took more than half of it is made again twice as long. The measured windows lasted
  ${range(windows, (v) => `${v.toFixed(1)} s`)}.
- **Warming up.** Each warm environment is a Node process with a JIT of its own: at 8 sessions each of 8 serves an eighth of the
  calls, and runs its first few thousand in V8's slower tiers while it compiles and collects. So before the rounds the invoke ran
  at 8 clients, run after run, until the function processes' CPU per call stopped falling (${STALLED} runs in a row no more than ${FALLING * 100}%
  below the lowest before them; at most ${MAX_WINDOWS} runs); so did the HTTP callers before theirs. Every figure below is of processes warm
  in this sense. The warm-up's own figures (it followed the unmeasured runs above, so its first run was already partly warm):
  - ${describeWarmUp('SQL invoke, 8 clients', `pgbench runs of ${WARM_WINDOW_SECONDS} s, each measured as the others are`, res.sqlWarmUp)}
  - ${describeWarmUp(`Lambda API, ${HTTP_CALLERS} HTTP callers`, `${HTTP_WARM_WINDOW_MS / 1000} s each`, res.http.warmUp)}
- **CPU per call**: utime + stime from /proc of every process before and after each run (of processes that ended meanwhile, through
  their parent's reaped-children time), per call, by process; "all" sums what this run's processes used (not the machine's other load).

## Targets

| target | measured | floor (same run) | ratio (median of rounds) | target |
|---|---|---|---|---|
${targetRows.join('\n')}

Ratios are stated the way the target is: "÷" a floor for times and CPU (lower is better), "×" a floor for throughput (higher is better).
${whereTimeGoes(res, T)}
## Each way of calling, side by side

Medians of ${R.length} rounds.

| measure | ${keys.map((q) => NAMES[q]).join(' | ')} | invoke vs dblink floor | invoke vs peer |
|---|---|---|---|---|---|---|
${sideRows.join('\n')}

"vs" columns: how many times slower (or costlier) invoke is than the dblink floor, and how many times better than the peer (below 1× is worse).

Round by round (p50 of one session; throughput at 8 clients):

| round | p50 dblink | p50 invoke | p50 peer | 8 clients dblink | 8 clients invoke | 8 clients peer | Event, ${EVENT_CLIENTS} clients | trigger INSERT, ÷ dblink | other processes (cores) | load (1 min) |
|---|---|---|---|---|---|---|---|---|---|---|
${roundRows.join('\n')}

## Event invokes

**From ${EVENT_CLIENTS} sessions** (pgbench, \`${"SELECT status_code FROM aws_lambda.invoke('noop', '{}'::json, invocation_type => 'Event')"}\`): ${ps(mid(R, (r) => r.event.run.tps))} accepted
(rounds ${range(
    R.map((r) => r.event.run.tps),
    ps,
  )}), beside the dblink floor's ${ps(mid(R, (r) => tps8(r, 'floor')))} at 8 clients. The worker runs them meanwhile
and after; the queue was empty ${(median(R.map((r) => r.event.drainedMs)) / 1000).toFixed(1)} s after a ${SECONDS} s run began (median; ${range(
    R.map((r) => r.event.drainedMs / 1000),
    (v) => `${v.toFixed(1)} s`,
  )}),
and the next measure waited for that. Each run accepted ${range(
    R.map((r) => r.event.run.transactions),
    (v) => v.toLocaleString('en-US'),
  )} events in all.

**A ${TRIGGER_ROWS.toLocaleString('en-US')}-row \`INSERT … SELECT generate_series\`** in one session, into a table whose \`AFTER INSERT FOR EACH ROW\`
trigger runs \`PERFORM aws_lambda.invoke('noop', json_build_object('id', NEW.id), invocation_type => 'Event')\`; the floor is the same
INSERT into a table whose trigger runs \`PERFORM bench_floor()\` (a dblink round trip per row), after the same round, taking turns at going first.
The accept's floor is the same INSERT whose trigger makes a dblink round trip to pglambda's own PostgreSQL that commits one row there
(\`bench_commit_floor()\`): one WAL flush per row on the server, disk and settings of the Event queue, which is what a durable 202 costs when
one session's Events come one at a time and nothing can be grouped.
${skipped ? `The INSERTs ran after ${G.length} of the ${R.length} rounds: the first Event INSERT took over ${TRIGGER_BUDGET_S} s, so later rounds skip them to keep the run's wall time bounded.\n` : ''}

| INSERT of ${TRIGGER_ROWS.toLocaleString('en-US')} rows (the median of ${G.length}) | wall time | per row | ÷ dblink per row |
|---|---|---|---|
| no trigger | ${tr.ms.plain.toFixed(0)} ms | ${ms(rowMs('plain'))} | |
| trigger: a dblink round trip per row (floor) | ${tr.ms.floor.toFixed(0)} ms | ${ms(rowMs('floor'))} | 1.00× |
| trigger: a dblink round trip per row that commits a row in pglambda's PostgreSQL (the accept's floor) | ${tr.ms.commit.toFixed(0)} ms | ${ms(rowMs('commit'))} | ${x(tr.ms.commit / tr.ms.floor)} |
| trigger: an Event invoke per row | ${tr.ms.event.toFixed(0)} ms | ${ms(rowMs('event'))} | ${x(tr.ms.event / tr.ms.floor)} |

Did every event run? Checked in pglambda's own PostgreSQL (database \`pglambda\`): an accepted event is a row of
\`lambda.event_invocations\` until it ran to a final outcome, and every run of a function writes one REPORT line to its log group
(\`logs.log_events\`) naming the event's id as its request id. So after each INSERT the bench waits for the queue to hold none of
\`noop\`'s events, then counts the distinct request ids of REPORT lines logged for \`noop\` after the INSERT began (nothing else
invoked \`noop\` meanwhile) and those that carry an error status: ${tallies.join('; ')}.

## The Lambda API over HTTP, and cold start

Warm invoke of \`noop\` from this process (raw keep-alive \`node:http\` POSTs, signed as the account root) at ${HTTP_CALLERS} concurrent callers,
beside bench/trivial-server.ts with the same client: ${http.invoke.length} runs of ${HTTP_SECONDS} s each side, alternating.
Invoke ${ps(median(httpRps.invoke))} (${range(httpRps.invoke, ps)}), trivial HTTP server ${ps(median(httpRps.floor))} (${range(httpRps.floor, ps)});
ratio ${x(median(httpRps.invoke.map((v, i) => v / httpRps.floor[i]!)))} (median of the pairs).

Cold start: ${res.cold.invoke.length} invokes of \`noop-cold\` (the same code), each after a configuration change that retires its
environment, p50 ${ms(coldP50)} (${range(res.cold.invoke, ms)}), each followed by spawning \`node -e ''\` until it exits, p50 ${ms(nodeP50)}
(${range(res.cold.nodeE, ms)}): ${x(coldP50 / nodeP50)}.

## CPU per call, by process

CPU time per call, from /proc, of the round whose total is the median (so a row adds up). pgbench rows: the measured window of
the run (once every session had made its first call, to the run's end), over its calls; the client is pgbench.

${[...COST_HEAD, ...costRows].join('\n')}

CPU use during the 8-client runs, in cores (the machine has ${execFileSync('nproc').toString().trim()}):

${[...CORES_HEAD, ...coresRows].join('\n')}
${res.profile ? renderProfile(res.profile) : ''}`;
}

/** A difference with a minus sign when it is one at the shown precision. */
const signed = (v: number, f: (abs: number) => string) => (f(-v) !== f(0) && v < 0 ? `−${f(-v)}` : f(Math.abs(v)));

/** Per process, what `a` costs beyond `b` (ms per call), largest first, with shares of the difference. */
function beyond(a: CallCost, b: CallCost): string {
  const pa = perCall(a);
  const pb = perCall(b);
  const extra = pa.total - pb.total;
  const parts: Array<[string, number]> = [
    ["pglambda's Node process", pa.pglambda - pb.pglambda],
    ['the function processes', pa.functions - pb.functions],
    ["pglambda's PostgreSQL", pa.pglambdaPostgres - pb.pglambdaPostgres],
    ['PostgreSQL 15', pa.postgres - pb.postgres],
    ['the client', pa.pgbench + pa.bench - pb.pgbench - pb.bench],
    ["the floor's server", pa.floorServer - pb.floorServer],
  ];
  return `${ms(pa.total)} against ${ms(pb.total)}; of the ${ms(extra)} more: ${parts
    .sort((p, q) => q[1] - p[1])
    .map(([what, v]) => `${what} ${signed(v, ms)} (${signed((v / extra) * 100, (p) => `${p.toFixed(0)}%`)})`)
    .join(', ')}`;
}

/** Whether a run was short of CPU: the cores this run's processes got, and what that allows at their CPU per call. */
function bound(c: CallCost, tps: number): string {
  const u = c.cpu;
  const total = Object.values(u).reduce((a, b) => a + b, 0);
  const got = total - u.other - u.idle;
  const p = perCall(c);
  const allows = (got * 1000) / p.total;
  return `the machine was idle ${u.idle.toFixed(2)} of ${total.toFixed(1)} cores and its other processes took ${u.other.toFixed(2)}; this run's
processes got ${got.toFixed(2)} cores, which at ${ms(p.total)} per call allow ${ps(allows)} — measured ${ps(tps)}: ${
    tps > allows * 0.8
      ? 'CPU-bound: the CPU per call sets the pace.'
      : 'not CPU-bound: the calls also wait (hand-offs between processes, commits, timers).'
  }`;
}

/** For each missed target: by how much, and what the CPU accounting says about where the time goes. */
function whereTimeGoes(res: Results, T: Target[]): string {
  const missed = T.filter((t) => !t.met);
  if (missed.length === 0) return '\nEvery target is met.\n';
  const R = res.rounds;
  const sections: string[] = [];
  const sync = medianRound(R, (r) => cpu8(r, 'invoke')).bench.get(8)!;
  const floor8 = medianRound(R, (r) => cpu8(r, 'floor')).bench.get(8)!.floor;
  const peer8 = medianRound(R, (r) => cpu8(r, 'peer')).bench.get(8)!.peer;
  const is = (prefix: string) => missed.some((t) => t.what.startsWith(prefix));
  if (is('8 sessions') || is('CPU per call') || is('sequential')) {
    sections.push(`**A synchronous invoke** at 8 clients cost, in CPU of all processes, ${beyond(sync.invoke.cost, floor8.cost)}.
(The peer's boto3 call cost ${ms(perCall(peer8.cost).total)}.) During that run ${bound(sync.invoke.cost, sync.invoke.tps)}`);
  }
  if (is('Event invokes')) {
    const ev = medianRound(R, (r) => perCall(r.event.cost).total).event;
    sections.push(`**An Event invoke from 8 sessions**, accepted and run (CPU from the run's start until the queue was empty, over the events
accepted), cost ${beyond(ev.cost, floor8.cost)}. Accepting alone (the pgbench window) cost ${ms(perCall(ev.run.cost).total)} per event: ${bound(
      ev.run.cost,
      ev.run.tps,
    )}`);
  }
  const G = res.triggers;
  if (is(`${TRIGGER_ROWS.toLocaleString('en-US')}-row INSERT`) && G.length) {
    const g = medianItem(G, (t) => t.ms.event / t.ms.floor);
    const wall = g.ms.event / TRIGGER_ROWS;
    const cpu = perCall(g.eventCost);
    sections.push(`**The row-trigger INSERT** took ${ms(wall)} per row against ${ms(g.ms.floor / TRIGGER_ROWS)} for a dblink round trip per row. Per row,
counted from the INSERT's start until all its events had run, the CPU was ${beyond(g.eventCost, g.floorCost)}. One session
makes its calls one after another, so per row it waited ${ms(wall)} while all processes together used ${ms(cpu.total)} of CPU${
      wall > cpu.total * 1.5
        ? `: most of the time is waiting, not computing (each Event invoke is answered only once its event is committed in pglambda's PostgreSQL; one session's events come one at a time, so there is nothing to group)`
        : ''
    }.`);
    // Medians of the rounds' ratios, as the targets take them.
    const flush = median(G.map((t) => t.ms.commit / t.ms.floor));
    sections.push(`**A durable accept has a floor of its own.** The same INSERT whose trigger only commits one row in pglambda's PostgreSQL
through dblink took ${ms(median(G.map((t) => t.ms.commit)) / TRIGGER_ROWS)} per row, ${x(flush)} the dblink round trip: the round trip and a WAL flush (fdatasync) on
this disk. Each Event invoke is answered 202 only once its event is committed (a crash may not lose an accepted event), and one
session's invokes come one after another, so none can share a flush: ${
      flush >= 3
        ? 'that floor alone is over the target of 3×, which durable accepts cannot meet on this machine'
        : `that floor leaves ${x(3 - flush)} of a round trip within the target of 3× for everything else (reading and authorizing the request, running the event meanwhile)`
    }. Against that floor the Event INSERT took ${x(median(G.map((t) => t.ms.event / t.ms.commit)))}; the rest is the CPU above, on the same two cores as the
worker running the events meanwhile.`);
  }
  if (is('Lambda API')) {
    const inv = medianItem(res.http.invoke, (v) => perCall(v.cost).total);
    const flo = medianItem(res.http.floor, (v) => perCall(v.cost).total);
    sections.push(
      `**The Lambda API at ${HTTP_CALLERS} HTTP callers** cost per call ${beyond(inv.cost, flo.cost)}. During the invoke runs ${bound(inv.cost, inv.rps)}`,
    );
  }
  if (is('cold start')) {
    sections.push(
      `**Cold start**: p50 ${ms(percentile(res.cold.invoke, 50))} against ${ms(percentile(res.cold.nodeE, 50))} for \`node -e ''\` (${res.cold.invoke.length} of each): beyond spawning Node, the runtime's bootstrap, loading the handler and the first invoke's hand-off.`,
    );
  }
  const lines = missed.map(
    (t) =>
      `- **${t.what}**: ${x(t.ratio)} against ${t.bound === 'max' ? 'at most' : 'at least'} ${t.limit}×${t.bound === 'max' ? ` — ${shortfall(t).toFixed(1)}× over` : ` — ${shortfall(t).toFixed(1)}× short`}${t.note ? `; ${t.note}` : ''}.`,
  );
  return `
### Missed, and where the time goes

${lines.join('\n')}

${sections.join('\n\n')}
`;
}
