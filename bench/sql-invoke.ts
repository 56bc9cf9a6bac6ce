/**
 * The invoke path from SQL against its floors, all on one PostgreSQL 15 (a throwaway cluster of
 * Debian's postgresql-15) with aws_lambda put in by `pglambda install`, against one running
 * `pglambda up`, every call to the same no-op function (nodejs22.x): `SELECT 1`; a dblink round
 * trip to a trivial wire server; `aws_lambda.invoke`; and the peers' way, PL/Python keeping a
 * boto3 Lambda client per backend. Each at pgbench 1 and 8 clients and one session's sequential
 * p50/p99, with the CPU per call of every process; Event invokes from 8 sessions; a 10,000-row
 * INSERT whose row trigger invokes with Event; the Lambda API's warm invoke at 16 HTTP callers
 * beside a trivial HTTP server; cold start beside `node -e ''`. Interleaved rounds, medians.
 * Writes bench/results/sql-invoke.md.
 *
 * Runs as root (PostgreSQL runs as user postgres). BENCH_ROUNDS (3), BENCH_N (400) sequential calls
 * per query and round, BENCH_SECONDS (8) per pgbench run (sessions' set-up left out of the measure),
 * BENCH_TRIGGER_ROWS (10000), BENCH_HTTP_SECONDS (1), BENCH_COLD_N (10), BENCH_PROFILE=0 skips the
 * profile, BENCH_DEBUG=1 shows pglambda's output.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipFiles } from '../src/lambda/code/make-zip.js';
import { DEFAULT_ROLE } from '../src/service/default-role.js';
import { revision, startProcess } from './harness.js';
import { summarise, type CpuProfile } from './sql/cpu-profile.js';
import { hasPerf, perfMap, recordOnCpu } from './sql/on-cpu-profile.js';
import type { Watched } from './sql/cpu-use.js';
import { EventCheck } from './sql/event-check.js';
import { coldStarts, httpRounds } from './sql/lambda-api.js';
import { createBenchObjects, pglambdaInstall } from './sql/pg15-setup.js';
import { hasPgbench, libpqEnv, pgbench, warmUpRun } from './sql/pgbench.js';
import { freePort, grantNoop, removeData, startPglambda, stopPglambda, type Pglambda } from './sql/pglambda-process.js';
import { render } from './sql/report.js';
import { QUERY_KEYS, round, triggerRun, warmUp, type Round, type RoundContext, type Sessions, type TriggerRun } from './sql/rounds.js';
import {
  COLD_N,
  EVENT_SQL,
  FUNCTION,
  HTTP_SECONDS,
  PROFILE,
  QUERIES,
  REGION,
  root,
  ROUNDS,
  SECONDS,
  TRIGGER_BUDGET_S,
} from './sql/settings.js';
import { installExtensionFiles, missingPackages, startPg15, type SystemPostgres } from './sql/system-postgres.js';
import { targets, type Results } from './sql/targets.js';

const here = dirname(fileURLToPath(import.meta.url));
const log = (line: string) => console.error(`[bench ${(performance.now() / 1000).toFixed(0)}s] ${line}`);

const missing = missingPackages();
if (missing) throw new Error(missing);
if (!hasPgbench()) throw new Error('PostgreSQL 15 pgbench is missing (Debian package postgresql-client-15)');
await installExtensionFiles();

const code = revision();
const load = { start: loadavg(), samples: [] as number[], end: [] as number[] };
const sampler = setInterval(() => load.samples.push(loadavg()[0]!), 5000);
const work = await mkdtemp(join(tmpdir(), 'pglambda-bench-sql-'));
const dataDir = join(work, 'data');
const profDir = join(work, 'profile');
const children: ChildProcess[] = [];
const sessions: pg.Client[] = [];
let service: Pglambda | undefined;
let pg15: SystemPostgres | undefined;
let events: EventCheck | undefined;
let cleaning: Promise<void> | undefined;
/** The pglambda started with --perf-basic-prof, whose symbol map in /tmp the clean-up removes. */
let profiledPid: number | undefined;

/** Stops everything the run started and removes its files; once, whether the run ends, fails or is interrupted. */
function cleanUp(interrupted = false): Promise<void> {
  cleaning ??= (async () => {
    clearInterval(sampler);
    for (const s of sessions) await s.end().catch(() => undefined);
    await events?.end();
    await pg15?.stop().catch((err: Error) => console.error(`stopping PostgreSQL 15: ${err.message}`));
    // Ctrl-C reached pglambda too (same process group): a second SIGINT would make it exit without stopping its PostgreSQL.
    if (interrupted && service && service.child.exitCode === null) {
      await Promise.race([new Promise((r) => service!.child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
    }
    const stopped = service
      ? await stopPglambda(service).then(
          () => true,
          (err: Error) => (console.error(`stopping pglambda: ${err.message}`), false),
        )
      : true;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
    if (profiledPid) await unlink(perfMap(profiledPid)).catch(() => undefined);
    if (stopped) await removeData(dataDir).catch(() => undefined);
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  })();
  return cleaning;
}
// PostgreSQL 15 runs detached (pg_ctl), so an interrupted run must stop it itself.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanUp(signal === 'SIGINT').finally(() => process.exit(130)));

try {
  // Fixed ports: the profile's second start must be found where PostgreSQL 15 and boto3 were pointed.
  const pgPort = await freePort();
  const ports = { port: await freePort(), bridgePort: await freePort() };
  log("starting pglambda, the floors' servers and PostgreSQL 15");
  service = await startPglambda(dataDir, pgPort, [], [], ports);
  const wire = await startProcess(process.execPath, [join(here, 'trivial-pgwire-server.js')], /listening (\d+)/);
  children.push(wire.child);
  const httpFloor = await startProcess(process.execPath, [join(here, 'trivial-server.js')], /listening (\d+)/);
  children.push(httpFloor.child);
  pg15 = await startPg15(await freePort());

  const lambda = new LambdaClient({
    endpoint: service.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const zip = await zipFiles({ 'index.mjs': 'export const handler = async () => null;' });
  // `noop` for every measure; a twin for cold starts, whose configuration changes would retire noop's warm processes.
  for (const name of [FUNCTION, `${FUNCTION}-cold`]) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: DEFAULT_ROLE,
        Code: { ZipFile: zip },
      }),
    );
  }
  lambda.destroy();
  await grantNoop(service.endpoint);
  const install = await pglambdaInstall(pg15.url, service.endpoint);
  log(install);

  const connect = async () => {
    const c = new pg.Client({ connectionString: pg15!.url });
    c.on('error', () => undefined); // a connection dropped at the end is not an error
    await c.connect();
    sessions.push(c);
    return c;
  };
  await createBenchObjects(await connect(), Number(wire.match[1]), service.endpoint, service.databaseUrl);
  const perQuery = {} as Sessions;
  for (const q of QUERY_KEYS) perQuery[q] = await connect();
  for (const [q, want] of [
    ['floor', 200],
    ['invoke', 200],
    ['peer', 200],
  ] as const) {
    const got = Object.values((await perQuery[q].query(QUERIES[q])).rows[0] ?? {})[0];
    if (got !== want) throw new Error(`${QUERIES[q]} answered ${JSON.stringify(got)}, not ${want}`);
  }
  const accepted = (await perQuery.invoke.query(EVENT_SQL)).rows[0]?.status_code;
  if (accepted !== 202) throw new Error(`${EVENT_SQL} answered ${accepted}, not 202`);

  events = await EventCheck.connect(service.databaseUrl);
  const scripts = {} as RoundContext['scripts'];
  for (const [k, sql] of Object.entries({ ...QUERIES, event: EVENT_SQL }) as Array<[keyof RoundContext['scripts'], string]>) {
    scripts[k] = join(work, `${k}.sql`);
    await writeFile(scripts[k], `${sql};\n`);
  }
  const watch: Watched = {
    pglambda: service.child.pid!,
    postmaster: pg15.postmasterPid,
    floorServers: [wire.child.pid!, httpFloor.child.pid!],
  };
  const ctx: RoundContext = { sessions: perQuery, env: libpqEnv(pg15.url), scripts, watch, events, log };

  log('warming up');
  const sqlWarmUp = await warmUp(ctx);
  const rounds: Round[] = [];
  const triggers: TriggerRun[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(await round(ctx, r));
    if (r === 0 || triggers[0]!.ms.event < TRIGGER_BUDGET_S * 1000) triggers.push(await triggerRun(ctx, r));
  }

  log('the Lambda API over HTTP, and cold starts');
  const http = await httpRounds(
    service.endpoint,
    FUNCTION,
    `http://127.0.0.1:${httpFloor.match[1]}/`,
    2 * ROUNDS + 1,
    HTTP_SECONDS * 1000,
    watch,
    log,
  );
  const cold = await coldStarts(service.endpoint, `${FUNCTION}-cold`, COLD_N);
  for (const s of sessions.splice(0)) await s.end();
  await events.end();
  events = undefined;

  const results: Results = { rounds, triggers, http, cold, sqlWarmUp, load, code, install, wallSeconds: 0 };

  // The profile: a second start under --cpu-prof (so the numbers above are free of the profiler's
  // overhead), the same 8-client invoke run, then SIGINT so the profile is written.
  if (PROFILE && targets(results).some((t) => !t.met)) {
    log('profiling pglambda during an 8-client invoke run');
    await stopPglambda(service);
    const onCpu = hasPerf();
    const profFlags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...(onCpu ? ['--perf-basic-prof'] : [])];
    service = await startPglambda(dataDir, pgPort, profFlags, [], ports);
    if (onCpu) profiledPid = service.child.pid;
    // Every start renews my-db-cluster's bridge login (for its embedded database), which PostgreSQL 15 shares.
    await pglambdaInstall(pg15.url, service.endpoint);
    const pw: Watched = { ...watch, pglambda: service.child.pid! };
    await warmUpRun(ctx.env, scripts.invoke, 8, 2);
    await mkdir(profDir, { recursive: true });
    // Started with the run, and ended before it: the sessions' logins are a sliver of the samples.
    const recording = onCpu
      ? recordOnCpu(service.child.pid!, SECONDS - 1, join(profDir, 'perf.data'), (why) => log(`no on-CPU profile: ${why}`))
      : undefined;
    if (recording) children.push(recording.child);
    const run = await pgbench(ctx.env, scripts.invoke, 8, SECONDS, pw);
    const toUs = Number(run.end.at / 1000n);
    const fromUs = toUs - run.cost.seconds * 1e6;
    const pid = service.child.pid!;
    await stopPglambda(service);
    const file = readdirSync(profDir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile for pid ${pid} in ${profDir}`);
    const profile = JSON.parse(await readFile(join(profDir, file), 'utf8')) as CpuProfile;
    results.profile = {
      summary: summarise(profile, fromUs, toUs),
      tps: run.tps,
      cpu: run.cost.cpu,
      onCpu: await recording?.summary(),
    };
  }

  load.end = loadavg();
  results.wallSeconds = performance.now() / 1000;
  const report = render(results);
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'sql-invoke.md'), report);
  console.log(report);
} finally {
  await cleanUp();
}
process.exit(0);
