/** `pglambda up` as a user runs it: from a 0700 folder (as root in CI), ports, signals, restarts, kill -9. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { freePort } from '../helpers/ports.js';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { removeDataDir } from '../helpers/service.js';
import { until } from '../helpers/until.js';
import { DEFAULT_ROLE } from '../../src/service/default-role.js';

const main = resolve('dist/src/cli/main.js');
let port: number;
let pgPort: number;
let bridgePort: number;
let home: string;
let cwd: string;
const children: ChildProcess[] = [];
// The tests are the stages of one user's session, in order: each goes on from the start the one
// before left running.
let running: Started;
let databaseUrl: string;
let c: LambdaClient;

interface Started {
  child: ChildProcess;
  output: string;
}

function up(args: string[] = []): Promise<Started> {
  return new Promise((resolveUp, reject) => {
    const ports = ['--port', String(port), '--pg-port', String(pgPort), '--bridge-port', String(bridgePort)];
    const child = spawn(process.execPath, [main, 'up', ...ports, ...args], { cwd });
    children.push(child);
    let output = '';
    const collect = (b: Buffer) => {
      output += b.toString();
      if (output.includes('Ctrl-C stops.')) resolveUp({ child, output });
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('exit', (code) => reject(Object.assign(new Error(`exited ${code}: ${output}`), { code, output })));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

async function postmasterPid(): Promise<number> {
  const dataDir = join(cwd, '.pglambda');
  const located = (await readFile(join(dataDir, 'pg-location'), 'utf8').catch(() => '')).trim();
  const pidFile = join(located || dataDir, 'pg', 'postmaster.pid');
  return Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
}

/** The running pglambda's watchdogs: its function processes' (given the data dir's list of them) and its PostgreSQL's. */
async function watchdogs(): Promise<number[]> {
  const dataDir = join(cwd, '.pglambda');
  const postgres = `kill -INT ${await postmasterPid()} `;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      // A process may end between the listing and the read.
      const args = (() => {
        try {
          return readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
        } catch {
          return [];
        }
      })();
      return args.includes('pglambda-watchdog') && args.some((a) => a.startsWith(dataDir) || a.includes(postgres));
    })
    .map(Number);
}

/** Running, not merely a zombie waiting for init to reap it. */
const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

const client = () =>
  new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

before(async () => {
  [port, pgPort, bridgePort] = [await freePort(), await freePort(), await freePort()];
  // A home that only its owner may enter, as /root is: PostgreSQL's own user cannot traverse it.
  home = await mkdtemp(join(tmpdir(), 'pglambda-home-'));
  await chmod(home, 0o700);
  cwd = join(home, 'project');
  await mkdir(cwd);
  c = client();
});

after(async () => {
  c?.destroy();
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await removeDataDir(join(cwd, '.pglambda'));
  await removeDataDir(join(home, 'other'));
  await rm(home, { recursive: true, force: true });
});

/**
 * What a start says before its banner: every part of it, when it begins and ends, as JSON log lines
 * on stderr (not a terminal); here their messages, a line each.
 */
const progress = (output: string) =>
  output
    .slice(0, output.indexOf('pglambda is up.'))
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg)
    .join('\n');
const viaSql = () =>
  psql(
    databaseUrl,
    `SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{"body": "hi"}'::json, qualifier => 'custom_version');`,
  );

test('starts from a 0700 home and prints what to paste', { timeout: 60_000 }, async () => {
  running = await up();
  const { output } = running;
  assert.match(output, new RegExp(`export AWS_ENDPOINT_URL=http://127.0.0.1:${port}`));
  assert.match(output, /export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-west-2/);
  assert.match(output, new RegExp(`export DATABASE_URL=postgres://postgres:[^@]+@127.0.0.1:${pgPort}/postgres`));
  assert.match(output, /--endpoint-url/);
  // The README shows the same lines, on the default ports and with … for the password.
  const shown = /`npm start` prints what to paste into a shell:\n\n```sh\n([\s\S]*?)```/
    .exec(readFileSync('README.md', 'utf8'))![1]!
    .trim()
    .split('\n');
  const printed = output
    .split('\n')
    .filter((line) => line.startsWith('  export '))
    .map((line) =>
      line
        .trim()
        .replace(`:${port}`, ':4575')
        .replace(`:${pgPort}/`, ':5488/')
        .replace(/(postgres:\/\/\w+:)[^@]+@/, '$1…@'),
    );
  assert.deepEqual(shown, printed);
  for (const line of [
    /^starting PostgreSQL 18 \(first start: initdb in \S+\) …$/m,
    /^PostgreSQL 18 ready on 127\.0\.0\.1:\d+ \(pid \d+\)$/m,
    /^pglambda's state schema: done in \d+\.\d+ s$/m,
    /^aws_lambda in database postgres: done in/m,
    /^execution role pglambda-default: done in/m,
    /^starter access for my-db-cluster: done in/m,
    /^example my-function: done in/m,
  ])
    assert.match(progress(output), line);
  databaseUrl = /export DATABASE_URL=(\S+)/.exec(output)![1]!;
});

test("the start installed aws_lambda and deployed my-function: the reference's first call works", {
  timeout: 60_000,
  skip: skipWithoutPsql,
}, async () => {
  assert.equal((await viaSql()).stdout, '200|1\n');
});

test('a second start refuses; SIGTERM stops the service and its PostgreSQL; a restart keeps the state', { timeout: 60_000 }, async () => {
  await c.send(
    new CreateFunctionCommand({
      FunctionName: 'kept',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: DEFAULT_ROLE,
      Code: { ZipFile: await zipFiles({ 'index.js': 'exports.handler = async () => "still here";' }) },
    }),
  );

  // A second start on the same data dir refuses; one elsewhere on the same ports names the flag to change.
  const failed = (e: { code: number; output: string }) => e;
  const twice = await up().then(() => assert.fail('second start should fail'), failed);
  assert.equal(twice.code, 1);
  assert.match(twice.output, /pglambda is already running for .*\.pglambda \(pid \d+\); stop it first/);
  const clash = await up(['--data-dir', join(home, 'other')]).then(() => assert.fail('clashing start should fail'), failed);
  assert.equal(clash.code, 1);
  assert.match(clash.output, /port \d+ on 127.0.0.1 is in use; pass --(pg-)?port to choose another/);
  // Found before anything was made: no data dir, so no PostgreSQL cluster (40–60 MB) either.
  assert.equal(existsSync(join(home, 'other')), false, 'the failed start left its data dir');

  const pg = await postmasterPid();
  let tail = '';
  running.child.stdout!.on('data', (b: Buffer) => (tail += b.toString()));
  running.child.stderr!.on('data', (b: Buffer) => (tail += b.toString()));
  running.child.kill('SIGTERM');
  assert.equal(await exited(running.child), 0, tail);
  assert.match(tail, /SIGTERM: stopping pglambda…\n[\s\S]*pglambda stopped\.\n$/);
  assert.equal(alive(pg), false, 'PostgreSQL stopped with the service');

  running = await up();
  // A restart reuses the cluster: no initdb.
  assert.match(progress(running.output), /^starting PostgreSQL 18 …$/m);
  assert.doesNotMatch(running.output, /initdb/);
  assert.match(progress(running.output), /example my-function: done in/);
  const got = await c.send(new GetFunctionCommand({ FunctionName: 'kept' }));
  assert.equal(got.Configuration?.FunctionName, 'kept');
});

test('SQL invokes again after a restart', { timeout: 60_000, skip: skipWithoutPsql }, async () => {
  assert.equal((await viaSql()).stdout, '200|1\n');
});

test('a kill -9 that takes the watchdogs too leaves function processes running; the next start stops them and keeps the state', {
  timeout: 60_000,
}, async () => {
  // A function process that ignores its Runtime API going away (it never asks for work).
  const pidPath = join(home, 'stubborn.pid');
  await c.send(
    new CreateFunctionCommand({
      FunctionName: 'stubborn',
      Runtime: 'provided.al2023',
      Handler: 'x',
      Role: DEFAULT_ROLE,
      Timeout: 300,
      Code: { ZipFile: await zipFiles({ bootstrap: { content: `#!/bin/sh\necho $$ > ${pidPath}\nexec sleep 300\n`, mode: 0o755 } }) },
    }),
  );
  await c.send(new InvokeCommand({ FunctionName: 'stubborn', InvocationType: 'Event' }));
  const stubborn = await until(
    'the function process to say its pid',
    async () => Number(await readFile(pidPath, 'utf8').catch(() => '0')) || undefined,
  );
  assert.ok(alive(stubborn), 'the function process runs');

  // A killed pglambda's watchdogs end what it leaves at once. With them killed too (as by an OOM
  // killer taking several), PostgreSQL and function processes stay, and the next start must cope.
  const dogs = await watchdogs();
  assert.equal(dogs.length, 2, 'a watchdog for the function processes and one for PostgreSQL');
  for (const pid of dogs) process.kill(pid, 'SIGKILL');
  running.child.kill('SIGKILL');
  await exited(running.child);
  assert.ok(alive(stubborn), 'still running after the kill');
  await up();
  assert.equal(alive(stubborn), false, 'the next start stopped the leftover function process');
  const r = await c.send(new InvokeCommand({ FunctionName: 'kept' }));
  assert.equal(Buffer.from(r.Payload!).toString(), '"still here"');
});
