/**
 * Local Lambda speed: warm synchronous invoke p50/p99, cold start p50, and invokes per second at 1
 * and 16 callers, for a no-op Node function — each beside its floor, an HTTP round trip to a trivial
 * Node server, measured in the same run with the same client. Writes bench/results/lambda-invoke.md.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../src/lambda/code/make-zip.js';
import { DEFAULT_ROLE } from '../src/service/default-role.js';
import { machine, percentile, post, sequential, startProcess, table, throughput, type Row } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const N = Number(process.env.BENCH_N ?? 2000);
const MS = Number(process.env.BENCH_SECONDS ?? 3) * 1000;
const COLD_N = Number(process.env.BENCH_COLD_N ?? 20);

const dataDir = await mkdtemp(join(tmpdir(), 'pglambda-bench-'));
const port = 4700 + (process.pid % 200);
const { child: service } = await startProcess(process.execPath, [join(root, 'dist/src/cli/main.js'), 'up', '--data-dir', dataDir,
  '--port', String(port), '--pg-port', String(port + 1000)], /Ctrl-C stops/);
const { child: floorServer, match } = await startProcess(process.execPath, [join(here, 'trivial-server.js')], /listening (\d+)/);

try {
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new LambdaClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await client.send(new CreateFunctionCommand({
    FunctionName: 'noop', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: DEFAULT_ROLE,
    Code: { ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => null;' }) },
  }));
  // Both sides get the same raw keep-alive client, so the ratio shows pglambda's own cost.
  const invokeUrl = new URL(`${endpoint}/2015-03-31/functions/noop/invocations`);
  const auth = { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-west-2/lambda/aws4_request, SignedHeaders=host, Signature=0' };
  const body = Buffer.from('{}');
  const invoke = () => post(invokeUrl, body, auth);
  const floorUrl = new URL(`http://127.0.0.1:${match[1]}/`);
  const floor = () => post(floorUrl, body);

  const warm = await sequential(N, 200, invoke);
  const warmFloor = await sequential(N, 200, floor);

  // A configuration change retires the environment, so the next invoke starts a new process.
  const cold: number[] = [];
  for (let i = 0; i < COLD_N; i++) {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'noop', Environment: { Variables: { RUN: String(i) } } }));
    const t = performance.now();
    await invoke();
    cold.push(performance.now() - t);
  }
  const process0 = await sequential(20, 0, () => startProcess(process.execPath, ['-e', 'console.log("up")'], /up/).then(({ child }) => child.kill()));

  const rps1 = await throughput(1, MS, invoke);
  const rps1Floor = await throughput(1, MS, floor);
  const rps16 = await throughput(16, MS, invoke);
  const rps16Floor = await throughput(16, MS, floor);
  const sdk = await sequential(500, 50, () => client.send(new InvokeCommand({ FunctionName: 'noop', Payload: body })));

  // Where a warm invoke's time goes: the REPORT line's Duration is the hand-off to the runtime and
  // back (Runtime API round trips plus the handler); the rest is the endpoint's own request.
  const split: Array<{ total: number; runtime: number }> = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    const r = await client.send(new InvokeCommand({ FunctionName: 'noop', Payload: body, LogType: 'Tail' }));
    const total = performance.now() - t;
    const d = /Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
    if (d) split.push({ total, runtime: Number(d[1]) });
  }
  const runtimePart = percentile(split.map((s) => s.runtime), 50);

  const rows: Row[] = [
    { what: 'warm sync invoke p50', value: percentile(warm, 50), floor: percentile(warmFloor, 50), unit: 'ms', target: 'under 1 ms' },
    { what: 'warm sync invoke p99', value: percentile(warm, 99), floor: percentile(warmFloor, 99), unit: 'ms' },
    { what: 'cold start p50 (floor: spawn `node -e` until it prints)', value: percentile(cold, 50), floor: percentile(process0, 50), unit: 'ms', target: 'under 150 ms' },
    { what: 'invokes/s, 1 caller', value: rps1, floor: rps1Floor, unit: '/s' },
    { what: 'invokes/s, 16 callers', value: rps16, floor: rps16Floor, unit: '/s' },
  ];
  const report = `# Local Lambda invoke benchmark

Machine: ${machine()}
Date: ${new Date().toISOString()}
Function: no-op Node handler (nodejs22.x on the machine's Node), 128 MB. Client: one keep-alive
\`node:http\` client for both pglambda and the floor (a trivial Node HTTP server), in a process of its own.
Warm latency: ${N} sequential calls after 200 warm-up calls. Cold start: ${COLD_N} invokes, each after a
configuration change that retires the environment. Throughput: ${MS / 1000} s per row.

${table(rows)}

Where a warm invoke's time goes (500 SDK calls with a log tail): p50 ${runtimePart.toFixed(3)} ms between
handing the event to the runtime and its answer (the event leaves on the runtime's waiting
/next request, the result comes back as a new POST: two more HTTP messages through two more
processes, plus the no-op handler); the rest is the endpoint request itself (routing, resolution,
the environment lease, the log record). The floor is one HTTP exchange between two processes; an
invoke crosses three processes and four HTTP messages, so 2–3× the floor is the design's shape.

For comparison, the same warm invoke through \`@aws-sdk/client-lambda\` (SigV4 signing, middleware
stack, response parsing in the client): p50 ${percentile(sdk, 50).toFixed(3)} ms, p99 ${percentile(sdk, 99).toFixed(3)} ms.

Ratio: pglambda ÷ floor for latencies, floor ÷ pglambda for throughput (1.0× would be free).
`;
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'lambda-invoke.md'), report);
  console.log(report);
  client.destroy();
} finally {
  service.kill('SIGTERM');
  floorServer.kill();
  await new Promise((r) => service.once('exit', r));
  await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
}
process.exit(0);
