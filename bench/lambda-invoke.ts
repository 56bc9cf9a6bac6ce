/**
 * Local Lambda speed: warm synchronous invoke p50/p99, cold start p50, and invokes per second at 1
 * and 16 callers, for a no-op Node function — each beside its floor, an HTTP round trip to a trivial
 * Node server, measured in the same run with the same client. The same warm measures also run signed
 * as a role session and against a second start with `--no-enforce-iam`, in interleaved rounds, to show
 * what IAM enforcement costs. Writes bench/results/lambda-invoke.md.
 *
 * BENCH_ROUNDS (31) rounds of BENCH_N (400) sequential calls per condition and BENCH_SECONDS (0.5) per 16-caller run;
 * BENCH_COLD_N (20) cold starts on each start.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../src/lambda/code/make-zip.js';
import { DEFAULT_ROLE } from '../src/service/default-role.js';
import { machine, percentile, post, revision, sequential, startProcess, table, throughput, type Row } from './harness.js';
import { checkCost } from './lambda/check-cost.js';
import { iamSection } from './lambda/iam-report.js';
import { rawInvoke, REGION, roleSession, ROOT } from './lambda/role-session.js';
import { interleaved, mid, p99 } from './lambda/rounds.js';
import { freePort, removeData, startPglambda, stopPglambda, type Pglambda } from './sql/pglambda-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);
const N = Number(process.env.BENCH_N ?? 400);
const MS = Number(process.env.BENCH_SECONDS ?? 0.5) * 1000;
const COLD_N = Number(process.env.BENCH_COLD_N ?? 20);
const FN = 'noop';
const code = revision();

const work = await mkdtemp(join(tmpdir(), 'pglambda-bench-'));
const started: Array<{ p: Pglambda; dataDir: string }> = [];
const start = async (name: string, upFlags: string[] = []) => {
  const dataDir = join(work, name);
  const p = await startPglambda(dataDir, await freePort(), [], upFlags);
  started.push({ p, dataDir });
  return p;
};
let floorServer: ChildProcess | undefined;

try {
  const on = await start('enforcing');
  const off = await start('not-enforcing', ['--no-enforce-iam']);
  const floorStart = await startProcess(process.execPath, [join(here, 'trivial-server.js')], /listening (\d+)/);
  floorServer = floorStart.child;
  const lambda = (p: Pglambda) => new LambdaClient({ endpoint: p.endpoint, region: REGION, credentials: ROOT });
  const client = lambda(on);
  const offClient = lambda(off);
  for (const c of [client, offClient]) {
    await c.send(
      new CreateFunctionCommand({
        FunctionName: FN,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: DEFAULT_ROLE,
        Code: { ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => null;' }) },
      }),
    );
  }
  const session = await roleSession(on.endpoint, FN);
  // Every side gets the same raw keep-alive client, so the ratio shows pglambda's own cost.
  const body = Buffer.from('{}');
  const floorUrl = new URL(`http://127.0.0.1:${floorStart.match[1]}/`);
  const conditions = {
    floor: () => post(floorUrl, body),
    a: rawInvoke(on.endpoint, FN, ROOT),
    b: rawInvoke(on.endpoint, FN, session),
    c: rawInvoke(off.endpoint, FN, ROOT),
  };

  // A configuration change retires the environment, so the next invoke starts a new process; the
  // two starts take turns, so both see the same machine.
  const cold = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < COLD_N; i++) {
    for (const [c, invoke, into] of [
      [client, conditions.a, cold.on],
      [offClient, conditions.c, cold.off],
    ] as const) {
      await c.send(new UpdateFunctionConfigurationCommand({ FunctionName: FN, Environment: { Variables: { RUN: String(i) } } }));
      const t = performance.now();
      await invoke();
      into.push(performance.now() - t);
    }
  }
  const process0 = await sequential(20, 0, () =>
    startProcess(process.execPath, ['-e', 'console.log("up")'], /up/).then(({ child }) => child.kill()),
  );

  // Unmeasured: starts the function processes 16 callers need, so no cold start falls inside a round.
  for (const invoke of [conditions.a, conditions.c]) await throughput(16, 1000, invoke);
  const options = { rounds: ROUNDS, calls: N, ms: MS };
  const rounds = await interleaved(conditions, options);

  const sdk = await sequential(500, 50, () => client.send(new InvokeCommand({ FunctionName: FN, Payload: body })));
  // Where a warm invoke's time goes: the REPORT line's Duration is the hand-off to the runtime and
  // back (Runtime API round trips plus the handler); the rest is the endpoint's own request.
  const split: number[] = [];
  for (let i = 0; i < 500; i++) {
    const r = await client.send(new InvokeCommand({ FunctionName: FN, Payload: body, LogType: 'Tail' }));
    const d = /Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
    if (d) split.push(Number(d[1]));
  }
  const cost = await checkCost(on.databaseUrl, FN, session.accessKeyId);

  const { a, floor } = rounds.series;
  const rows: Row[] = [
    { what: 'warm sync invoke p50', value: mid(a, 'p50'), floor: mid(floor, 'p50'), unit: 'ms', target: 'under 1 ms' },
    { what: 'warm sync invoke p99', value: p99(a), floor: p99(floor), unit: 'ms' },
    {
      what: 'cold start p50 (floor: spawn `node -e` until it prints)',
      value: percentile(cold.on, 50),
      floor: percentile(process0, 50),
      unit: 'ms',
      target: 'under 150 ms',
    },
    { what: 'invokes/s, 1 caller', value: mid(a, 'rps1'), floor: mid(floor, 'rps1'), unit: '/s' },
    { what: 'invokes/s, 16 callers', value: mid(a, 'rps16'), floor: mid(floor, 'rps16'), unit: '/s' },
  ];
  const report = `# Local Lambda invoke benchmark

Machine: ${machine()}
Code: commit ${code}
Date: ${new Date().toISOString()}
Function: no-op Node handler (nodejs22.x on the machine's Node), 128 MB. Client: one keep-alive
\`node:http\` client for both pglambda and the floor (a trivial Node HTTP server), in a process of its own.
pglambda as started by default (IAM enforcement on), signed with the default key \`test\`.
Warm latency and throughput: condition a of the rounds below (p50 and 1 caller: the median of ${ROUNDS} rounds of ${N}
sequential calls, alternating with the other conditions' calls; p99: over all ${ROUNDS * N} calls; 16 callers: the median of
${ROUNDS} runs of ${MS / 1000} s), after an unmeasured second at 16 callers that starts the function processes they need.
Cold start: ${COLD_N} invokes, each after a configuration change that retires the environment.

${table(rows)}

Where a warm invoke's time goes (500 SDK calls with a log tail): p50 ${percentile(split, 50).toFixed(3)} ms between
handing the event to the runtime and its answer (one frame to the function process over its
channel and one back, plus the no-op handler); the rest is the endpoint request itself (routing,
resolution, the IAM check, the environment lease, the log record). The floor is one HTTP exchange
between two processes; an invoke crosses three processes: that HTTP exchange and two frames.

For comparison, the same warm invoke through \`@aws-sdk/client-lambda\` (SigV4 signing, middleware
stack, response parsing in the client): p50 ${percentile(sdk, 50).toFixed(3)} ms, p99 ${percentile(sdk, 99).toFixed(3)} ms.

Ratio: pglambda ÷ floor for latencies, floor ÷ pglambda for throughput (1.0× would be free).

${iamSection({ rounds, options, cost, cold })}`;
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'lambda-invoke.md'), report);
  console.log(report);
  client.destroy();
  offClient.destroy();
} finally {
  floorServer?.kill();
  for (const { p, dataDir } of started) {
    const stopped = await stopPglambda(p).then(
      () => true,
      () => false,
    );
    if (stopped) await removeData(dataDir).catch(() => undefined);
  }
  await rm(work, { recursive: true, force: true }).catch(() => undefined);
}
process.exit(0);
