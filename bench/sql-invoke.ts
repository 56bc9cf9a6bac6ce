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
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipFiles } from '../src/lambda/code/make-zip.js';
import { DEFAULT_ROLE } from '../src/service/default-role.js';
import { percentile, post, revision, sequential, startProcess, throughput } from './harness.js';
import { summarise, type CpuProfile, type ProfileSummary } from './sql/cpu-profile.js';
import { cpuSnapshot, cpuUse, type CallCost, type CpuUse, type Watched } from './sql/cpu-use.js';
import { findPgbench, libpqEnv, pgbench, type PgbenchResult } from './sql/pgbench.js';
import { freePort, grantNoop, removeData, startPglambda, stopPglambda } from './sql/pglambda-process.js';
import { render, type SeqKey } from './sql/report.js';
import { CLIENTS, FLOOR_SQL, INVOKE_SQL, N, PROFILE, root, SECONDS, SELECT1_SQL, WARMUP } from './sql/settings.js';

const here = dirname(fileURLToPath(import.meta.url));

const pgbenchBin = findPgbench();
const work = await mkdtemp(join(tmpdir(), 'pglambda-bench-sql-'));
const dataDir = join(work, 'data');
const profDir = join(work, 'profile');
const pgPort = await freePort();
const started: ChildProcess[] = [];
const load0 = loadavg();
const code = revision();
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
    FunctionName: 'noop', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: DEFAULT_ROLE,
    Code: { ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => null;' }) },
  }));

  await grantNoop(service.endpoint);

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

  const report = render({ seq, seqCpu, lambdaRaw, lambdaSdk, viaStub, rawRps8, bench, stubBench, profile, load0, code, pgbenchBin });
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'sql-invoke.md'), report);
  console.log(report);
} finally {
  const stopped = await stopPglambda(service).then(() => true, (err: Error) => (console.error(`stopping pglambda: ${err.message}`), false));
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill();
  if (stopped) await removeData(dataDir).catch(() => undefined);
  await rm(work, { recursive: true, force: true }).catch(() => undefined);
}
process.exit(0);
