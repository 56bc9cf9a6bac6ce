/**
 * The soak: SOAK_SESSIONS (32) SQL sessions against pglambda's embedded PostgreSQL, each calling
 * aws_lambda.invoke in a loop for SOAK_SECONDS (210), mixing synchronous calls that succeed, raise
 * a handler error, time out or crash their function process, with Event invocations; then, in a
 * burst of Events, kill -9 and a restart on the same data directory. Judged by: no accepted Event
 * lost, no synchronous call executed twice (the functions record every execution), pglambda's
 * resident size and open files back within 10% of where they were before the load, and no process
 * left behind by the kill or by the final clean stop. Writes bench/results/soak.md.
 *
 * SOAK_WARMUP_SECONDS (15), SOAK_BURST_SECONDS (8) of Events before the kill,
 * SOAK_MAX_ENVIRONMENTS (48), SOAK_DEBUG=1 shows pglambda's output.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopStalePostgres } from '../src/db/embedded-postgres.js';
import { revision } from './harness.js';
import { inspectorUrl } from './soak/collect-garbage.js';
import { createFunctions } from './soak/functions.js';
import { allEventsRan, checkEvents, checkSync, readExecutions } from './soak/ledger.js';
import { Output } from './soak/output.js';
import { countRoles, tree, usage, watchAftermath, type Aftermath, type Proc } from './soak/procs.js';
import { Queue, type Depth } from './soak/queue.js';
import { render, type LoadSample, type Run } from './soak/report.js';
import { runSessions, Tally, type Phase } from './soak/sessions.js';
import {
  BURST_MIX,
  BURST_SECONDS,
  DEBUG,
  IDLE_TIMEOUT_S,
  LEFTOVER_DEADLINE_MS,
  LOAD_MIX,
  MAX_ENVIRONMENTS,
  REDELIVERY_DEADLINE_MS,
  SECONDS,
  SESSIONS,
  WARMUP_SECONDS,
} from './soak/settings.js';
import { settle } from './soak/settle.js';
import { freePort, removeData, startPglambda, type Pglambda } from './sql/pglambda-process.js';
import { root } from './sql/settings.js';

const t0 = performance.now();
const log = (line: string) => console.error(`[soak ${((performance.now() - t0) / 1000).toFixed(0)}s] ${line}`);
const forSeconds = (s: number): Phase['done'] => {
  const end = performance.now() + s * 1000;
  return () => performance.now() >= end;
};

const code = revision();
const started = new Date();
const load = { start: loadavg()[0]!, samples: [] as number[], end: NaN };
const loadSampler = setInterval(() => load.samples.push(loadavg()[0]!), 5000);
const work = await mkdtemp(join(tmpdir(), 'pglambda-soak-'));
const dataDir = join(work, 'data');
const executionsDir = join(work, 'executions');
await mkdir(executionsDir);
const output = new Output(DEBUG);
let service: Pglambda | undefined;
let queue: Queue | undefined;
/** Everything the run saw of pglambda's processes, so that clean-up can end what is left of them. */
const seen: Proc[] = [];
let cleaning: Promise<void> | undefined;

/** Ends what the run started and removes its files; once, whether the run ends, fails or is interrupted. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    clearInterval(loadSampler);
    await queue?.end();
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      const exited = new Promise((r) => service!.child.once('exit', r));
      service.child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
    }
    const dirs = await pgDirs();
    for (const p of (await watchAftermath(seen, dirs, 5000)).left) {
      log(`ending process ${p.pid} left behind: ${p.command}`);
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
    await stopStalePostgres(dataDir).catch(() => undefined);
    await removeData(dataDir).catch((err: Error) => log(`removing ${dataDir}: ${err.message}`));
    await rm(work, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/** The data directory, and as root the cluster's directory it points at: where pglambda's processes work. */
async function pgDirs(): Promise<string[]> {
  const cluster = await readFile(join(dataDir, 'pg-location'), 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  return [dataDir, cluster].filter(Boolean);
}

async function start(
  label: string,
  ports: { port: number; bridgePort: number },
  pgPort: number,
  nodeFlags: string[] = [],
): Promise<Pglambda> {
  const flags = ['--idle-timeout', String(IDLE_TIMEOUT_S), '--max-environments', String(MAX_ENVIRONMENTS)];
  const s = await startPglambda(dataDir, pgPort, nodeFlags, flags, ports);
  output.follow(label, s.child.stdout!, s.child.stderr!);
  return s;
}

/** Takes note of pglambda's process tree (for clean-up), and returns it. */
function snapshot(pid: number): Proc[] {
  const procs = tree(pid);
  seen.push(...procs);
  return procs;
}

try {
  const pgPort = await freePort();
  const ports = { port: await freePort(), bridgePort: await freePort() };
  log('starting pglambda');
  // The inspector lets the settled measures follow a full garbage collection (soak/collect-garbage.ts).
  const inspectorPort = await freePort();
  service = await start('first start', ports, pgPort, [`--inspect=127.0.0.1:${inspectorPort}`]);
  const pid = service.child.pid!;
  const inspector = await inspectorUrl(inspectorPort);
  await createFunctions(service.endpoint, executionsDir);
  queue = await Queue.connect(service.databaseUrl);
  const tallies = { w: new Tally(), l: new Tally(), b: new Tally() };

  log(`warming up: ${SESSIONS} sessions for ${WARMUP_SECONDS} s`);
  await runSessions(service.databaseUrl, SESSIONS, { prefix: 'w', mix: LOAD_MIX, done: forSeconds(WARMUP_SECONDS) }, tallies.w);
  snapshot(pid);
  log('settling for the baseline');
  const baseline = await settle(pid, queue, inspector);

  log(`the load: ${SESSIONS} sessions for ${SECONDS} s`);
  const during: LoadSample[] = [];
  const sampleLoad = () => during.push({ ...usage(pid), functions: countRoles(snapshot(pid)).function });
  const sampler = setInterval(sampleLoad, 5000);
  const loadStart = performance.now();
  await runSessions(service.databaseUrl, SESSIONS, { prefix: 'l', mix: LOAD_MIX, done: forSeconds(SECONDS) }, tallies.l);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  clearInterval(sampler);
  sampleLoad();
  const depthAfterLoad = await queue.depth();
  log('settling after the load');
  const after = await settle(pid, queue, inspector);
  const peakKiB = usage(pid).hwmKiB;

  log(`a burst of Events for ${BURST_SECONDS} s, then kill -9`);
  let killed = false;
  const burst = runSessions(service.databaseUrl, SESSIONS, { prefix: 'b', mix: BURST_MIX, done: () => killed }, tallies.b).catch(
    (err: Error) => log(`the burst's sessions: ${err.message}`),
  );
  await sleep(BURST_SECONDS * 1000);
  let atKill: Depth = await queue.depth();
  for (let i = 0; i < 50 && atKill.queued === 0; i++) {
    await sleep(200);
    atKill = await queue.depth();
  }
  const beforeKill = snapshot(pid);
  // Reading /proc held this process up: the sessions send their next calls, so the kill finds them in flight.
  await sleep(200);
  service.child.kill('SIGKILL');
  killed = true;
  const dirs = await pgDirs();
  const afterKill = await watchAftermath(beforeKill, dirs, LEFTOVER_DEADLINE_MS);
  log(
    `after kill -9: ${afterKill.left.length} process(es) left, ${afterKill.goneMs === undefined ? 'not all gone' : `all gone in ${(afterKill.goneMs / 1000).toFixed(1)} s`}`,
  );
  const burstEnded = await Promise.race([burst.then(() => true), sleep(30_000).then(() => false)]);
  await queue.end();

  log('restarting on the same data directory');
  const restartAt = performance.now();
  service = await start('restart', ports, pgPort);
  const restartMs = performance.now() - restartAt;
  queue = await Queue.connect(service.databaseUrl);
  const all = Object.values(tallies);
  let redeliveredMs: number | undefined;
  while (performance.now() - restartAt < REDELIVERY_DEADLINE_MS) {
    if (allEventsRan(executionsDir, all) && (await queue.depth()).queued === 0) {
      redeliveredMs = performance.now() - restartAt;
      break;
    }
    await sleep(500);
  }
  await queue.end();
  queue = undefined;

  log('stopping with SIGTERM');
  const beforeStop = snapshot(service.child.pid!);
  const stopAt = performance.now();
  const exited = new Promise<number | null>((r) => service!.child.once('exit', (c) => r(c)));
  service.child.kill('SIGTERM');
  const exitCode = await Promise.race([exited, sleep(LEFTOVER_DEADLINE_MS).then(() => undefined)]);
  const stopMs = performance.now() - stopAt;
  const afterStop: Aftermath = await watchAftermath(beforeStop, dirs, LEFTOVER_DEADLINE_MS);
  const pidFileLeft = await readFile(join(dataDir, 'pglambda.pid'), 'utf8').then(
    () => true,
    () => false,
  );

  const ran = readExecutions(executionsDir);
  load.end = loadavg()[0]!;
  const run: Run = {
    code,
    started,
    wallSeconds: (performance.now() - t0) / 1000,
    load,
    tallies,
    loadSeconds,
    baseline,
    after,
    during,
    peakKiB,
    depthAfterLoad,
    burst: { atKill, processes: countRoles(beforeKill.slice(1)), ended: burstEnded },
    afterKill,
    restartMs,
    redeliveredMs,
    stop: { exitCode, ms: stopMs, pidFileLeft, processes: countRoles(beforeStop.slice(1)) },
    afterStop,
    sync: checkSync(ran, all),
    events: checkEvents(ran, tallies),
    output: output.lines,
  };
  const report = render(run);
  await writeFile(join(root, 'bench', 'results', 'soak.md'), report);
  console.log(report);
} finally {
  await cleanUp();
}
process.exit(0);
