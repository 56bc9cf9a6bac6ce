/**
 * Execution environments as the caller and the process table see them: warm reuse, idle reaping,
 * scaling out up to the machine cap, reserved concurrency, and fresh environments after an update.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvokeCommand, PutFunctionConcurrencyCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { parsed, startTestService, text, type TestService } from '../helpers/service.js';
import { failure } from '../helpers/aws-assert.js';
import { until } from '../helpers/until.js';
import { isRunning } from '../helpers/processes.js';

const T = { timeout: 30_000 };
let svc: TestService;
let scratch: string;

before(async () => {
  svc = await startTestService({ idleMs: 500, maxEnvironments: 3 });
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-envs-'));
});
after(async () => {
  await svc?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Answers its pid after sleeping `ms`, appending `<tag> start|end` lines to `log` when given. */
const sleeper = {
  'index.mjs': `import { appendFileSync } from 'node:fs';
    export const handler = async (e) => {
      if (e.log) appendFileSync(e.log, e.tag + ' start ' + Date.now() + '\\n');
      await new Promise((r) => setTimeout(r, e.ms ?? 0));
      if (e.log) appendFileSync(e.log, e.tag + ' end ' + Date.now() + '\\n');
      return process.pid;
    };`,
};

const invoke = (name: string, payload: unknown = {}, type?: 'Event') =>
  svc.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), InvocationType: type }));
const pidOf = async (name: string, payload: unknown = {}) => {
  const r = await invoke(name, payload);
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  return parsed(r.Payload) as number;
};
const pidsOf = (name: string) => [...svc.pool.census()].filter(([key]) => key.includes(`:function:${name}:`)).flatMap(([, pids]) => pids);

test('sequential invokes reuse one warm environment', T, async () => {
  await svc.createFunction('warm', sleeper);
  const pids = [await pidOf('warm'), await pidOf('warm'), await pidOf('warm')];
  assert.equal(new Set(pids).size, 1, `pids ${pids}`);
  assert.deepEqual(pidsOf('warm'), [pids[0]]);
  assert.ok(isRunning(pids[0]!));
});

test('an idle environment is reaped after idleMs', T, async () => {
  await svc.createFunction('idle', sleeper);
  const pid = await pidOf('idle');
  assert.ok(isRunning(pid));
  await until(`process ${pid} to be reaped`, () => !isRunning(pid) && pidsOf('idle').length === 0);
  // The next invoke is a cold start in a new process.
  const next = await pidOf('idle');
  assert.notEqual(next, pid);
});

test('concurrent invokes scale out to maxEnvironments and no further', T, async () => {
  await svc.createFunction('wide', sleeper);
  const log = join(scratch, 'wide.log');
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => invoke('wide', { ms: 300, tag: `r${i}`, log })));
  for (const r of results) assert.equal(r.FunctionError, undefined, text(r.Payload));
  const pids = new Set(results.map((r) => parsed(r.Payload) as number));
  assert.ok(pids.size >= 2 && pids.size <= 3, `${pids.size} distinct environments`);
  assert.ok(pidsOf('wide').length <= 3);
  // How many runs overlapped at the busiest moment: more than one, never more than the cap.
  const events = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([, kind, at]) => ({ at: Number(at), delta: kind === 'start' ? 1 : -1 }))
    .sort((x, y) => x.at - y.at || x.delta - y.delta);
  let running = 0;
  let peak = 0;
  for (const e of events) peak = Math.max(peak, (running += e.delta));
  assert.ok(peak >= 2 && peak <= 3, `peak concurrency ${peak}`);
});

test('reserved concurrency 0 throttles every invoke', T, async () => {
  await svc.createFunction('off', sleeper);
  await svc.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'off', ReservedConcurrentExecutions: 0 }));
  const err = await failure(invoke('off'));
  assert.equal(err.name, 'TooManyRequestsException');
  assert.equal(err.$metadata.httpStatusCode, 429);
  assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
  assert.deepEqual(pidsOf('off'), []);
});

test('reserved concurrency 1: a second sync call gets 429, an Event sent meanwhile runs afterwards', T, async () => {
  await svc.createFunction('single', sleeper);
  await svc.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'single', ReservedConcurrentExecutions: 1 }));
  const log = join(scratch, 'single.log');
  const lines = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

  const first = invoke('single', { ms: 1000, tag: 'A', log });
  await until('A to start', async () => (await lines()).some((l) => l.startsWith('A start')));

  const second = await failure(invoke('single', { tag: 'B', log }));
  assert.equal(second.name, 'TooManyRequestsException');
  assert.equal(second.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');

  const ev = await invoke('single', { tag: 'C', log }, 'Event');
  assert.equal(ev.StatusCode, 202);

  const a = await first;
  assert.equal(a.FunctionError, undefined);
  const all = await until('the Event to run', async () => {
    const l = await lines();
    return l.some((x) => x.startsWith('C end')) ? l : undefined;
  });
  assert.deepEqual(
    all.map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['A start', 'A end', 'C start', 'C end'],
  );
});

test('updating the code starts a new environment running the new code', T, async () => {
  await svc.createFunction('evolving', { 'index.mjs': 'export const handler = async () => ({ v: 1, pid: process.pid });' });
  const one = parsed((await invoke('evolving')).Payload);
  assert.equal(one.v, 1);

  await svc.client.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'evolving',
      ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => ({ v: 2, pid: process.pid });' }),
    }),
  );
  const two = parsed((await invoke('evolving')).Payload);
  assert.equal(two.v, 2);
  assert.notEqual(two.pid, one.pid);
  await until('the old environment to stop', () => !isRunning(one.pid), 3000);
  assert.deepEqual(pidsOf('evolving'), [two.pid]);
});
