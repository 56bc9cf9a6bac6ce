/**
 * What a function starts ends with its environment: a process it forks (which inherits the role's
 * credentials) does not outlive the environment being retired, or pglambda stopping; an
 * environment that outgrows its memory size is ended even between invocations; one that has
 * served its number of invocations is retired; and what a process printed last is logged when it ends.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { until } from '../helpers/until.js';
import { isRunning } from '../helpers/processes.js';

let svc: TestService;
const tempFiles: string[] = [];

before(async () => {
  svc = await startTestService({ invocationsPerEnvironment: 3 });
  // Forks a long sleep, as a careless handler might, and says its pid.
  await svc.createFunction('forker', {
    'index.mjs': `import { spawn } from 'node:child_process';
      import { writeFileSync } from 'node:fs';
      export const handler = async (e) => {
        const child = spawn('sleep', ['300'], { stdio: 'ignore' });
        child.unref();
        writeFileSync(e.pidFile, String(child.pid));
        return child.pid;
      };`,
  });
});
after(async () => {
  await svc?.close();
  await Promise.all(tempFiles.map((f) => rm(f, { force: true })));
});

async function forkedChild(): Promise<number> {
  const pidFile = join(tmpdir(), `pglambda-forked-${process.pid}-${tempFiles.length}`);
  tempFiles.push(pidFile);
  await svc.client.send(new InvokeCommand({ FunctionName: 'forker', Payload: Buffer.from(JSON.stringify({ pidFile })) }));
  const pid = Number(await readFile(pidFile, 'utf8'));
  assert.ok(isRunning(pid), 'the forked process runs while its environment does');
  return pid;
}

test('a process the function forked ends when its environment is retired', async () => {
  const pid = await forkedChild();
  // A configuration change retires the function's environments.
  await svc.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'forker', Description: 'changed' }));
  await svc.client.send(
    new InvokeCommand({
      FunctionName: 'forker',
      Payload: Buffer.from(JSON.stringify({ pidFile: join(tmpdir(), `pglambda-forked-${process.pid}-x`) })),
    }),
  );
  tempFiles.push(join(tmpdir(), `pglambda-forked-${process.pid}-x`));
  await until(`process ${pid} to end with its environment`, () => !isRunning(pid));
});

test('a function that keeps allocating after it answered is ended at its memory size', { timeout: 30_000 }, async () => {
  await svc.createFunction(
    'leaky',
    {
      // Between invocations the handler's thread waits blocked for the next event; a worker
      // thread it started goes on.
      'index.mjs': `import { Worker } from 'node:worker_threads';
      export const handler = async () => {
        new Worker('const kept = []; setInterval(() => kept.push(Buffer.alloc(8 * 1024 * 1024, 1)), 50);', { eval: true });
        return process.pid;
      };`,
    },
    { MemorySize: 128 },
  );
  const first = await svc.client.send(new InvokeCommand({ FunctionName: 'leaky' }));
  const pid = Number(Buffer.from(first.Payload!).toString());
  await until(`the environment (pid ${pid}) to be ended at 128 MB`, () => !isRunning(pid));
  // The next invoke gets a new environment.
  const next = await svc.client.send(new InvokeCommand({ FunctionName: 'leaky' }));
  assert.notEqual(Number(Buffer.from(next.Payload!).toString()), pid);
});

test('and when pglambda stops', async () => {
  const pid = await forkedChild();
  svc = await svc.restart();
  await until(`process ${pid} to end with pglambda`, () => !isRunning(pid));
});

test('a line a function printed after it answered, and never ended, is in its log once pglambda has stopped', async () => {
  // A process the handler starts writes to the function's stdout once told to: after the REPORT.
  await svc.createFunction('trailer', {
    'index.mjs': `import { spawn } from 'node:child_process';
      export const handler = async (e) => {
        const script = 'while [ ! -e "$GO" ]; do sleep 0.05; done; printf "late, never ended"; : > "$DONE"';
        spawn('sh', ['-c', script], { env: { ...process.env, GO: e.go, DONE: e.done }, stdio: ['ignore', 'inherit', 'inherit'] }).unref();
        return 'answered';
      };`,
  });
  const [go, done] = ['go', 'done'].map((f) => join(tmpdir(), `pglambda-trailer-${f}-${process.pid}`));
  tempFiles.push(go!, done!);
  await svc.client.send(new InvokeCommand({ FunctionName: 'trailer', Payload: Buffer.from(JSON.stringify({ go, done })) }));
  // A client per start: the restart listens on another port.
  const logsOf = () => new CloudWatchLogsClient({ endpoint: svc.endpoint, region: 'us-west-2', credentials: ROOT, maxAttempts: 1 });
  const messages = async (logs: CloudWatchLogsClient) =>
    (await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/trailer' }))).events!.map((e) => e.message!);
  const before = logsOf();
  try {
    await until('the REPORT line', async () => (await messages(before)).some((m) => m.startsWith('REPORT ')));
  } finally {
    before.destroy();
  }
  await writeFile(go!, '');
  await until('the late output to be written', () => existsSync(done!));
  svc = await svc.restart();
  const logs = logsOf();
  const after = await messages(logs).finally(() => logs.destroy());
  assert.deepEqual(after.slice(after.findIndex((m) => m.startsWith('REPORT ')) + 1), ['late, never ended']);
});

test('a stop ends while more Event invocations wait for an environment than the machine may run', { timeout: 60_000 }, async () => {
  const busy = await startTestService({ maxEnvironments: 1 });
  try {
    await busy.createFunction(
      'long',
      {
        'index.mjs': `import { writeFileSync } from 'node:fs';
          export const handler = async (e) => { writeFileSync(e.running, ''); await new Promise((r) => setTimeout(r, 60_000)); };`,
      },
      { Timeout: 120 },
    );
    const running = join(tmpdir(), `pglambda-long-${process.pid}`);
    tempFiles.push(running);
    const payload = Buffer.from(JSON.stringify({ running }));
    // One runs; the others' slots wait for the one environment the machine may run.
    for (let i = 0; i < 6; i++)
      await busy.client.send(new InvokeCommand({ FunctionName: 'long', InvocationType: 'Event', Payload: payload }));
    await until('the first to run', () => existsSync(running));
  } finally {
    await busy.close();
  }
});

test('an environment is retired once it has served its invocations, as Lambda retires long-lived ones', async () => {
  await svc.createFunction('pid', { 'index.mjs': 'export const handler = async () => process.pid;' });
  const pids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await svc.client.send(new InvokeCommand({ FunctionName: 'pid' }));
    pids.push(Number(Buffer.from(r.Payload!).toString()));
  }
  assert.deepEqual(pids.slice(0, 3), [pids[0], pids[0], pids[0]], 'warm for its three invocations');
  assert.notEqual(pids[3], pids[0], 'a fresh environment for the fourth');
  await until(`the retired environment (pid ${pids[0]}) to end`, () => !isRunning(pids[0]!));
});
