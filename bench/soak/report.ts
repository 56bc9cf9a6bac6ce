/** The report: bench/results/soak.md, rendered from the run's figures. */
import { machine, median } from '../harness.js';
import type { EventsCheck, SyncCheck } from './ledger.js';
import type { Aftermath, Role, Usage } from './procs.js';
import type { Depth } from './queue.js';
import type { Tally } from './sessions.js';
import {
  BURST_MIX,
  BURST_SECONDS,
  CHANGED,
  COLLECTED_SAMPLES,
  FUNCTIONS,
  IDLE_TIMEOUT_S,
  KINDS,
  LEFTOVER_DEADLINE_MS,
  LOAD_MIX,
  MAX_ENVIRONMENTS,
  POOL_IDLE_MS,
  SECONDS,
  SESSIONS,
  SETTLE_SAMPLES,
  WARMUP_SECONDS,
  type Kind,
  type Mix,
} from './settings.js';
import type { Settled } from './settle.js';

/** pglambda during the load, with the function processes under it. */
export interface LoadSample extends Usage {
  functions: number;
}

export interface Run {
  code: string;
  started: Date;
  wallSeconds: number;
  load: { start: number; samples: number[]; end: number };
  tallies: { w: Tally; l: Tally; b: Tally };
  loadSeconds: number;
  baseline: Settled;
  after: Settled;
  during: LoadSample[];
  /** pglambda's peak resident size (VmHWM) by the end of the load. */
  peakKiB: number;
  depthAfterLoad: Depth;
  burst: { atKill: Depth; processes: Record<Role, number>; ended: boolean };
  afterKill: Aftermath;
  restartMs: number;
  /** Milliseconds from the restart until every accepted Event had run and the queue was empty. */
  redeliveredMs?: number;
  /** `exitCode` undefined: still running when the aftermath was watched. */
  stop: { exitCode?: number | null; ms: number; pidFileLeft: boolean; processes: Record<Role, number> };
  afterStop: Aftermath;
  sync: SyncCheck[];
  events: EventsCheck;
  output: Map<string, { count: number; example: string }>;
}

/** How far the settled value may be from the baseline. */
const TOLERANCE = 0.1;

const n = (v: number) => v.toLocaleString('en-US');
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (r: number) => `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
const verdict = (met: boolean) => (met ? 'met' : '**not met**');
const roles = (r: Record<Role, number>) =>
  `${r.postgres} PostgreSQL, ${r.function} function, ${r.watchdog} watchdog${r.other ? `, ${r.other} other` : ''}`;
const mix = (m: Mix) =>
  KINDS.filter((k) => m[k])
    .map((k) => `${k} ${m[k]}`)
    .join(', ');

const KIND_TEXT: Record<Kind, string> = {
  ok: 'synchronous, succeeds (answers 200 with its id)',
  event: '`Event` (accepted with 202)',
  error: 'synchronous, the handler throws (38000 `lambda invocation failed`, `Unhandled`)',
  timeout: 'synchronous, Timeout 1 s, the handler sleeps 5 s (38000, `Sandbox.Timedout`)',
  crash: 'synchronous, the handler calls `process.exit(1)` (38000, `Runtime.ExitError`)',
};

function left(a: Aftermath): string {
  return a.left.length === 0
    ? `all gone ${s(a.goneMs!)} after`
    : `${a.left.length} still running after ${s(LEFTOVER_DEADLINE_MS)}: ${a.left.map((p) => `${p.pid} ${p.role} \`${p.command}\``).join('; ')}`;
}

export function render(r: Run): string {
  const { tallies: T, baseline: B, after: A, events: E } = r;
  const rss = A.rssKiB / B.rssKiB - 1;
  const fds = A.fds / B.fds - 1;
  const acceptedAll = Object.values(E.accepted).reduce((a, b) => a + b, 0);
  const syncRuns = r.sync.reduce((a, c) => a + c.executions, 0);
  const syncDupes = r.sync.reduce((a, c) => a + c.duplicates.length, 0);
  const dupesOutsideKill = E.duplicates.w!.length + E.duplicates.l!.length;
  const lostMet = E.lost.length === 0 && r.redeliveredMs !== undefined;
  const loads = r.load.samples.length ? r.load.samples : [r.load.start];
  const stopMet = r.afterStop.left.length === 0 && r.stop.exitCode === 0 && !r.stop.pidFileLeft;

  const criteria = [
    [
      'zero lost Events',
      `${n(acceptedAll)} accepted (warm-up ${n(E.accepted.w!)}, load ${n(E.accepted.l!)}, burst before the kill ${n(E.accepted.b!)}); ` +
        (lostMet
          ? `all ran, the last ${s(r.redeliveredMs!)} after the restart began`
          : `**${n(E.lost.length)} never ran** (waited ${r.redeliveredMs === undefined ? 'in vain' : s(r.redeliveredMs)})`),
      verdict(lostMet),
    ],
    [
      'zero duplicate synchronous executions',
      `${n(syncRuns)} synchronous executions recorded by the four functions; ${n(syncDupes)} ids ran more than once`,
      verdict(syncDupes === 0),
    ],
    [
      'Event duplicates only around the kill',
      `warm-up and load: ${n(dupesOutsideKill)}; burst: ${n(E.duplicates.b!.length)} (at-least-once delivery of events in flight at the kill)`,
      verdict(dupesOutsideKill === 0),
    ],
    [
      'resident size back within 10%',
      `${mib(B.rssKiB)} before the load, ${mib(A.rssKiB)} after (${pct(rss)}), each after a full garbage collection; peak ${mib(r.peakKiB)}`,
      verdict(Math.abs(rss) <= TOLERANCE),
    ],
    ['open files back within 10%', `${B.fds} before the load, ${A.fds} after (${pct(fds)})`, verdict(Math.abs(fds) <= TOLERANCE)],
    [
      'no process left behind by kill -9',
      `${roles(r.burst.processes)} process(es) under pglambda at the kill; ${left(r.afterKill)}`,
      verdict(r.afterKill.left.length === 0),
    ],
    [
      'no process left behind by the clean stop',
      `SIGTERM: ${r.stop.exitCode === undefined ? '**still running**' : `exit code ${r.stop.exitCode}`} after ${s(r.stop.ms)}, ${roles(r.stop.processes)} process(es) before it; ${left(r.afterStop)}${r.stop.pidFileLeft ? '; **pid file left**' : ''}`,
      verdict(stopMet),
    ],
  ];

  const phases = [
    ['warm-up', T.w],
    ['load', T.l],
    ['burst (until the kill)', T.b],
  ] as const;
  const callRows = KINDS.map((k) => `| ${k} | ${phases.map(([, t]) => `${n(t.calls[k])} / ${n(t.expected[k])}`).join(' | ')} |`);
  const others = phases.flatMap(([name, t]) =>
    [...t.others].sort((a, b) => b[1] - a[1]).map(([what, count]) => `| ${name} | ${what.replace(/\|/g, '\\|')} | ${n(count)} |`),
  );

  const syncRows = r.sync.map(
    (c) =>
      `| \`${FUNCTIONS[c.kind]}\` | ${n(c.executions)} | ${n(c.duplicates.length)}${c.duplicates.length ? ` (${c.duplicates.slice(0, 5).join(', ')}…)` : ''} | ${n(c.unrecorded.length)} | ${n(c.unanswered)} |`,
  );
  const during = r.during;
  const spread = (xs: Usage[], f: (u: Usage) => number, fmt: (v: number) => string) =>
    `${fmt(Math.min(...xs.map(f)))}–${fmt(Math.max(...xs.map(f)))}`;
  const settledRow = (what: string, x: Settled) =>
    `| ${what} | **${mib(x.rssKiB)}** | ${spread(x.collected, (u) => u.rssKiB, mib)} | ${spread(x.samples, (u) => u.rssKiB, mib)} | **${x.fds}** | ${spread(x.samples, (u) => u.fds, String)} | ${s(x.drainedMs)} | ${s(x.idleMs)} | ${roles(x.processes)} |`;
  const outputRows = [...r.output.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, 15)
    .map((o) => `| ${n(o.count)} | \`${o.example.replace(/\|/g, '\\|').replace(/`/g, "'")}\` |`);

  return `# Soak: ${SESSIONS} SQL sessions, then kill -9 and a restart

Machine: ${machine()}.
Load average (1 min): ${r.load.start.toFixed(2)} at the start, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during the run (median ${median(loads).toFixed(2)}), ${r.load.end.toFixed(2)} at the end. A shared 2-core machine: other processes' load slows the run, it does not change what is judged.
Code: commit ${r.code}
Date: ${r.started.toISOString()}; the run took ${(r.wallSeconds / 60).toFixed(1)} minutes (\`npm run bench:soak\`${CHANGED.length ? ` with ${CHANGED.join(' ')}` : ''}).

## Criteria (issue #11)

| criterion | measured | verdict |
|---|---|---|
${criteria.map((c) => `| ${c.join(' | ')} |`).join('\n')}

## What runs

- **pglambda**: \`node --inspect=127.0.0.1:PORT dist/src/cli/main.js up --idle-timeout ${IDLE_TIMEOUT_S} --max-environments ${MAX_ENVIRONMENTS}\` in a child process
  (its own data directory and ports, IAM on). Function processes stop ${IDLE_TIMEOUT_S} s after their last call, so "at rest" comes soon after
  the load. ${MAX_ENVIRONMENTS} environments leave room for every session's call and every Event slot at once: with the default 16, the five
  functions evict each other's processes and 32 sessions mostly wait for new ones (two short trials: 28 calls/s with 16, 134/s
  with 64; with 16, synchronous calls also ran past the bridge's 3 s request timeout). The inspector is there only to force a
  garbage collection before each settled measure (below); the restart runs without it. The start lets \`my-db-cluster\` invoke
  only \`my-function\`; the run gives its role \`pglambda-starter\` \`soak-*\` too (IAM PutRolePolicy).
- **Five functions** (nodejs22.x, 128 MB), one per kind of call; every handler first appends its event's id to a file of its own
  (\`appendFileSync\`), once per execution, so the files say what ran whatever the caller heard:
${KINDS.map((k) => `  - \`${FUNCTIONS[k]}\`: ${KIND_TEXT[k]}`).join('\n')}
- **${SESSIONS} sessions** (node-postgres) against pglambda's embedded PostgreSQL 18 (database \`postgres\`, where the start installs
  aws_lambda), each calling \`SELECT status_code, payload FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn(fn, 'us-west-2'),
  '{"id": "…"}'::json, type)\` back to back, each call's kind drawn at random with weights ${mix(LOAD_MIX)}; every call has an id of its own.
- **Sequence**: warm-up (${WARMUP_SECONDS} s, same mix); settle; baseline; the load (${SECONDS} s, ran ${r.loadSeconds.toFixed(0)} s to the last answer);
  settle; measure again; a burst (${SESSIONS} sessions, weights ${mix(BURST_MIX)}) for ${BURST_SECONDS} s, then \`kill -9\` of pglambda's Node process;
  watch for what is left of it; restart on the same data directory and ports; wait until every accepted Event has run; SIGTERM;
  watch again; then the files are read.
- **Settle** (the same before and after the load): every session closed, the Event queue empty, no function process left, then
  ${POOL_IDLE_MS / 1000} s more (pglambda's state pool closes connections idle for 10 s), then ${SETTLE_SAMPLES} samples one second apart of
  pglambda's Node process (VmRSS from \`/proc/PID/status\`, the entries of \`/proc/PID/fd\`), then a full garbage collection
  (\`HeapProfiler.collectGarbage\` through the inspector) and ${COLLECTED_SAMPLES} samples more. The figures judged are **the lowest
  samples after the collection**: without it the resident size says when V8 last collected more than what pglambda holds (in a
  trial the same idle process sampled 88–121 MiB within ten seconds, as a collection happened to run, and did not collect at all
  after the load). The samples before it are shown too.
- **Left behind**: the processes under pglambda (by parent pid) are noted just before the kill and the stop; afterwards
  /proc is read every 100 ms for any of them still running (same pid and start time), or any process working in the data
  directory or the embedded cluster's (PostgreSQL's processes, function processes), and anything under those; zombies count as gone.

## Calls from SQL

Calls / answered as their kind should be, by phase (${n(T.l.total)} calls in the load: ${(T.l.total / r.loadSeconds).toFixed(0)}/s).

| kind | warm-up | load | burst (until the kill) |
|---|---|---|---|
${callRows.join('\n')}

Other answers:

| phase | answer | calls |
|---|---|---|
${others.length ? others.join('\n') : '| | none | |'}

\`Request timed out\` is the bridge's request timeout (\`aws_lambda.request_timeout_ms\`, 3 s by default) passing while the call
waited, as a rule for a new function process on a busy machine; the function may still have run. \`Connection to endpoint lost\`
is a call in flight when pglambda was killed.

## Executions recorded by the functions

| function | executions | ids run more than once | answered as expected, never recorded | recorded, caller heard otherwise |
|---|---|---|---|---|
${syncRows.join('\n')}
| \`${FUNCTIONS.event}\` | ${n(E.executions)} | warm-up ${n(E.duplicates.w!.length)}, load ${n(E.duplicates.l!.length)}, burst ${n(E.duplicates.b!.length)} | ${n(E.lost.length)} (accepted, never ran) | ${n(E.unanswered)} |

The last column counts calls whose execution happened but whose caller saw the connection break (at the kill): the call was sent
and ran, the answer was lost with pglambda.

## The kill and the restart

- Queue at the kill: ${n(r.burst.atKill.queued)} Event(s) in pglambda's queue, ${n(r.burst.atKill.leased)} of them leased (running or handed to a worker).
  (At the end of the load it held ${n(r.depthAfterLoad.queued)}, run within ${s(A.drainedMs)}.)
- Processes under pglambda at the kill: ${roles(r.burst.processes)}; ${left(r.afterKill)} the kill.
- The burst's sessions ${r.burst.ended ? 'all ended' : '**did not all end within 30 s**'} once their connections broke.
- Restart to its banner: ${s(r.restartMs)}; every accepted Event had run ${r.redeliveredMs === undefined ? '**not within the deadline**' : `${s(r.redeliveredMs)} after the restart began`}.

## Resident size and open files

| when | VmRSS after a full GC (lowest) | its samples | VmRSS before that GC | open files (lowest) | before the GC | queue drained in | function processes gone in | processes under pglambda |
|---|---|---|---|---|---|---|---|---|
${settledRow('before the load', B)}
${settledRow('after the load', A)}

During the load (every 5 s): VmRSS ${mib(Math.min(...during.map((d) => d.rssKiB)))}–${mib(Math.max(...during.map((d) => d.rssKiB)))}, open files ${Math.min(...during.map((d) => d.fds))}–${Math.max(...during.map((d) => d.fds))}, function processes ${Math.min(...during.map((d) => d.functions))}–${Math.max(...during.map((d) => d.functions))}.

## What pglambda said

Its output after each start's banner, alike lines together (ids and numbers made N), most frequent first (the Debugger lines are
the inspector's, at each forced collection):

| lines | first of them |
|---|---|
${outputRows.length ? outputRows.join('\n') : '| 0 | |'}
`;
}
