/**
 * CPU of the hand-off between the service and a warm function process, per invoke of a no-op
 * handler: the function process's (from /proc: utime+stime in clock ticks, and the sum of its
 * threads' schedstat run time in ns) and this process's (process.cpuUsage), which drives
 * ExecutionEnvironment.invoke directly, so no endpoint cost is in it.
 *
 * Builds to compare are given as dist roots, e.g. `node dist/bench/lambda/handoff-cpu.js /tmp/base/dist dist`;
 * each build gets one Node and one Python environment, and the batches take turns round by round
 * so every build sees the same moments of the machine.
 * HANDOFF_ROUNDS (7) rounds of HANDOFF_N (3000) invokes per environment, after HANDOFF_WARMUP (300).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const ROUNDS = Number(process.env.HANDOFF_ROUNDS ?? 7);
const N = Number(process.env.HANDOFF_N ?? 3000);
const WARMUP = Number(process.env.HANDOFF_WARMUP ?? 300);
const TICK_US = 1e6 / 100;

interface Env {
  pid: number | undefined;
  invoke(input: { requestId: string; payload: Buffer; invokedFunctionArn: string }): Promise<{ status: string; payload: Buffer }>;
  stop(): void;
}
interface EnvClass {
  start(config: Record<string, unknown>, onStop: () => void): Promise<Env>;
}

const roots = process.argv.slice(2).map((r) => resolve(r));
if (roots.length === 0) throw new Error('usage: handoff-cpu.js <dist root>...');

const code = await mkdtemp(join(tmpdir(), 'pglambda-handoff-'));
await writeFile(join(code, 'index.mjs'), 'export const handler = async () => null;');
await writeFile(join(code, 'app.py'), 'def handler(event, context):\n    return None\n');

const runtimes = [
  { runtime: 'nodejs22.x', handler: 'index.handler' },
  { runtime: 'python3.12', handler: 'app.handler' },
];
interface Subject {
  label: string;
  env: Env;
  cpuUs: number[];
  ticksUs: number[];
  serviceUs: number[];
  p50Ms: number[];
}
const subjects: Subject[] = [];
for (const root of roots) {
  const mod = (await import(pathToFileURL(join(root, 'src/lambda/environments/execution-environment.js')).href)) as {
    ExecutionEnvironment: EnvClass;
  };
  for (const r of runtimes) {
    const env = await mod.ExecutionEnvironment.start(
      {
        ...r,
        functionName: 'noop',
        version: '$LATEST',
        memorySize: 128,
        timeout: 30,
        region: 'us-east-1',
        codeDir: code,
        userEnv: {},
      },
      () => undefined,
    );
    subjects.push({ label: `${root} ${r.runtime}`, env, cpuUs: [], ticksUs: [], serviceUs: [], p50Ms: [] });
  }
}

const payload = Buffer.from('{}');
const arn = 'arn:aws:lambda:us-east-1:000000000000:function:noop';
let seq = 0;
const call = async (env: Env) => {
  const r = await env.invoke({ requestId: `00000000-0000-4000-8000-${String(seq++).padStart(12, '0')}`, payload, invokedFunctionArn: arn });
  if (r.status !== 'success') throw new Error(`invoke failed: ${r.payload.toString()}`);
};

for (const s of subjects) for (let i = 0; i < WARMUP; i++) await call(s.env);

for (let round = 0; round < ROUNDS; round++) {
  // A different subject leads each round, so none always runs first.
  const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
  for (const s of order) {
    const pid = s.env.pid!;
    const ticks0 = ticks(pid);
    const run0 = runNs(pid);
    const cpu0 = process.cpuUsage();
    const lat: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await call(s.env);
      lat.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    s.serviceUs.push((cpu.user + cpu.system) / N);
    s.cpuUs.push((runNs(pid) - run0) / 1000 / N);
    s.ticksUs.push(((ticks(pid) - ticks0) * TICK_US) / N);
    s.p50Ms.push(median(lat));
  }
}

const f = (xs: number[], d = 1) => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
console.log(`${ROUNDS} rounds × ${N} warm invokes per environment; medians of the rounds (lowest–highest)\n`);
console.log(
  '| build, runtime | function process µs/invoke (schedstat) | function process µs/invoke (utime+stime) | service µs/invoke | latency p50 ms |',
);
console.log('|---|---|---|---|---|');
for (const s of subjects) console.log(`| ${s.label} | ${f(s.cpuUs)} | ${f(s.ticksUs)} | ${f(s.serviceUs)} | ${f(s.p50Ms, 3)} |`);

for (const s of subjects) s.env.stop();
await rm(code, { recursive: true, force: true });
process.exit(0);

function ticks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
  return Number(fields[11]) + Number(fields[12]);
}

/** Run time of all the process's threads in ns (first field of each task's schedstat). */
function runNs(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return sum;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
