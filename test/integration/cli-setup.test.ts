/**
 * The `pglambda` command as a new user meets it: on PATH through `npm link` (the README's set-up,
 * here into a prefix of the test's own, offline), every command's --help listing its flags, no
 * warning of the AWS SDK's on every command, and `deploy` saying what it does in whole lines when
 * not on a terminal, and a last line when interrupted.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { program } from '../../src/cli/program.js';
import { until } from '../helpers/until.js';

const run = promisify(execFile);
let prefix: string;
let work: string;
let pglambda: string;

before(async () => {
  prefix = await mkdtemp(join(tmpdir(), 'pglambda-prefix-'));
  work = await mkdtemp(join(tmpdir(), 'pglambda-user-'));
  // As the README says, from the clone; the prefix and cache of the test's own, so nothing global changes.
  await run('npm', ['link', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    env: { ...process.env, npm_config_prefix: prefix, npm_config_cache: join(prefix, 'cache') },
  });
  pglambda = join(prefix, 'bin', 'pglambda');
});
after(async () => {
  if (prefix) await rm(prefix, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs the linked command from a folder outside the clone, against an endpoint nothing listens on unless given. */
const cli = (args: string[], endpoint = 'http://127.0.0.1:9') =>
  run(pglambda, args, { cwd: work, env: { ...process.env, AWS_ENDPOINT_URL: endpoint } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

test('npm link puts pglambda on PATH, and it runs from any folder', async () => {
  assert.ok(existsSync(pglambda), `${pglambda} after npm link`);
  const { code, stdout } = await cli(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: pglambda \[options\] \[command\]/);
});

test("every command's --help lists each of its flags", async () => {
  const commands = program().commands;
  assert.ok(commands.length > 0);
  // All at once: each is a Node start of its own.
  const helps = await Promise.all(commands.map((command) => cli([command.name(), '--help'])));
  commands.forEach((command, i) => {
    const { code, stdout } = helps[i]!;
    assert.equal(code, 0);
    for (const option of command.options)
      assert.ok(stdout.includes(option.long!), `pglambda ${command.name()} --help lacks ${option.long}`);
  });
});

// The SDK warns on Node before 22; on a later Node this passes whatever pglambda does.
test("no command prints the AWS SDK's NodeVersionSupportWarning", async () => {
  const { code, stderr } = await cli(['invoke', 'my-function']);
  assert.equal(code, 1);
  assert.match(stderr, /^pglambda: .*ECONNREFUSED/m);
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
});

test('deploy, not on a terminal, says what it zipped in whole lines: files and bytes', async () => {
  const dir = join(work, 'hello');
  await mkdir(join(dir, 'lib'), { recursive: true });
  await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
  await writeFile(join(dir, 'lib', 'data.txt'), 'x'.repeat(2000));
  const { code, stderr } = await cli(['deploy', dir]);
  assert.equal(code, 1);
  assert.doesNotMatch(stderr, /\r/);
  assert.match(stderr, /^zipped 2 files, 2\.0 KiB, into \d+ B; deploying hello…\npglambda: .*ECONNREFUSED/);
});

test('deploy interrupted by Ctrl-C ends with a line saying so', { timeout: 30_000 }, async () => {
  // An endpoint that takes the request and never answers: deploy is waiting on it when Ctrl-C comes.
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const dir = join(work, 'slow');
  await mkdir(dir);
  await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
  try {
    const child = spawn(pglambda, ['deploy', dir], { cwd: work, env: { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await until('deploy to call the endpoint', () => sockets.length > 0);
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.match(stderr, /deploying slow…\npglambda: deploy interrupted; slow may already be created or updated\n$/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});
