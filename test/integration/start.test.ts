/** `pglambda up` as a user runs it: from a 0700 folder (as root in CI), ports, signals, restarts, kill -9. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { freePort } from '../helpers/ports.js';
import { psql, psqlPath } from '../helpers/psql.js';
import { removeDataDir } from '../helpers/service.js';
import { DEFAULT_ROLE } from '../../src/service/default-role.js';

const main = resolve('dist/src/cli/main.js');
let port: number;
let pgPort: number;
let bridgePort: number;
let home: string;
let cwd: string;
const children: ChildProcess[] = [];

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

/** Running, not merely a zombie waiting for init to reap it. */
const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

const client = () =>
  new LambdaClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

before(async () => {
  [port, pgPort, bridgePort] = [await freePort(), await freePort(), await freePort()];
  // A home that only its owner may enter, as /root is: PostgreSQL's own user cannot traverse it.
  home = await mkdtemp(join(tmpdir(), 'pglambda-home-'));
  await chmod(home, 0o700);
  cwd = join(home, 'project');
  await mkdir(cwd);
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await removeDataDir(join(cwd, '.pglambda'));
  await removeDataDir(join(home, 'other'));
  await rm(home, { recursive: true, force: true });
});

test('starts from a 0700 home, prints what to paste, keeps state across SIGTERM and kill -9', { timeout: 120_000 }, async () => {
  const first = await up();
  assert.match(first.output, new RegExp(`export AWS_ENDPOINT_URL=http://127.0.0.1:${port}`));
  assert.match(first.output, /export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-west-2/);
  assert.match(first.output, new RegExp(`export DATABASE_URL=postgres://postgres:[^@]+@127.0.0.1:${pgPort}/postgres`));
  assert.match(first.output, /--endpoint-url/);
  // Every part of the start says when it begins and ends, on stderr, before the banner.
  const progress = (output: string) => output.slice(0, output.indexOf('pglambda is up.'));
  for (const line of [
    /pglambda: \[\d+\.\ds\] starting PostgreSQL 18 \(first start: initdb in \S+\) …/,
    /pglambda: \[\d+\.\ds\] PostgreSQL 18 ready on 127\.0\.0\.1:\d+ \(pid \d+\)/,
    /pglambda: \[\d+\.\ds\] pglambda's state schema: done in \d+\.\d+ s/,
    /pglambda: \[\d+\.\ds\] aws_lambda in database postgres: done in/,
    /pglambda: \[\d+\.\ds\] execution role pglambda-default: done in/,
    /pglambda: \[\d+\.\ds\] starter access for my-db-cluster: done in/,
    /pglambda: \[\d+\.\ds\] example my-function: done in/,
  ]) assert.match(progress(first.output), line);

  // The start installed aws_lambda and deployed my-function: the reference's first call works.
  const databaseUrl = /export DATABASE_URL=(\S+)/.exec(first.output)![1]!;
  const viaSql = () => psql(databaseUrl, `SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{"body": "hi"}'::json, qualifier => 'custom_version');`);
  if (psqlPath) assert.equal((await viaSql()).stdout, '200|1\n');

  const c = client();
  await c.send(new CreateFunctionCommand({
    FunctionName: 'kept', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: DEFAULT_ROLE,
    Code: { ZipFile: await zipFiles({ 'index.js': 'exports.handler = async () => "still here";' }) },
  }));

  // A second start on the same data dir refuses; one elsewhere on the same ports names the flag to change.
  const failed = (e: { code: number; output: string }) => e;
  const twice = await up().then(() => assert.fail('second start should fail'), failed);
  assert.equal(twice.code, 1);
  assert.match(twice.output, /pglambda is already running for .*\.pglambda \(pid \d+\); stop it first/);
  const clash = await up(['--data-dir', join(home, 'other')]).then(() => assert.fail('clashing start should fail'), failed);
  assert.equal(clash.code, 1);
  assert.match(clash.output, /port \d+ on 127.0.0.1 is in use; pass --(pg-)?port to choose another/);

  const pg = await postmasterPid();
  let tail = '';
  first.child.stdout!.on('data', (b: Buffer) => (tail += b.toString()));
  first.child.stderr!.on('data', (b: Buffer) => (tail += b.toString()));
  first.child.kill('SIGTERM');
  assert.equal(await exited(first.child), 0, tail);
  assert.equal(alive(pg), false, 'PostgreSQL stopped with the service');

  const second = await up();
  // A restart reuses the cluster: no initdb.
  assert.match(progress(second.output), /pglambda: \[\d+\.\ds\] starting PostgreSQL 18 …/);
  assert.doesNotMatch(second.output, /initdb/);
  assert.match(progress(second.output), /example my-function: done in/);
  const got = await c.send(new GetFunctionCommand({ FunctionName: 'kept' }));
  assert.equal(got.Configuration?.FunctionName, 'kept');
  if (psqlPath) assert.equal((await viaSql()).stdout, '200|1\n', 'SQL invokes again after a restart');

  // A function process that ignores its Runtime API going away (it never asks for work).
  const pidPath = join(home, 'stubborn.pid');
  await c.send(new CreateFunctionCommand({
    FunctionName: 'stubborn', Runtime: 'provided.al2023', Handler: 'x', Role: DEFAULT_ROLE, Timeout: 300,
    Code: { ZipFile: await zipFiles({ bootstrap: { content: `#!/bin/sh\necho $$ > ${pidPath}\nexec sleep 300\n`, mode: 0o755 } }) },
  }));
  await c.send(new InvokeCommand({ FunctionName: 'stubborn', InvocationType: 'Event' }));
  let stubborn = 0;
  for (let i = 0; i < 100 && !stubborn; i++) {
    stubborn = Number(await readFile(pidPath, 'utf8').catch(() => '0'));
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(stubborn && alive(stubborn), 'the function process runs');

  // kill -9 leaves PostgreSQL and function processes running; the next start must cope.
  second.child.kill('SIGKILL');
  await exited(second.child);
  assert.ok(alive(stubborn), 'still running after the kill');
  await up();
  assert.equal(alive(stubborn), false, 'the next start stopped the leftover function process');
  const r = await c.send(new InvokeCommand({ FunctionName: 'kept' }));
  assert.equal(Buffer.from(r.Payload!).toString(), '"still here"');
  c.destroy();
});
