import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  InvalidExtensionDirError,
  MissingPasswordError,
  PostgresStartError,
  PortInUseError,
  startEmbeddedPostgres,
  stopStalePostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres.js';
import { locatePgdata, SYSTEM_DIR } from './layout.js';
import { isAlive } from './postmaster.js';
import { until } from '../../test/helpers/until.js';

const asRoot = process.getuid?.() === 0;
const modulePath = fileURLToPath(new URL('./embedded-postgres.js', import.meta.url));
const dataDirs: string[] = [];
const tempDirs: string[] = [];
const servers: RunningPostgres[] = [];
const children: ChildProcess[] = [];

after(async () => {
  // Every step runs even if an earlier one fails, so a broken test can't leave servers behind.
  const errors: unknown[] = [];
  const attempt = (step: () => Promise<unknown>) => step().catch((err: unknown) => errors.push(err));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of servers) await attempt(() => server.stop());
  for (const dataDir of dataDirs) {
    // Stops what child processes started, then removes root-mode clusters under /var/lib/pglambda.
    await attempt(() => stopStalePostgres(dataDir));
    await attempt(async () => {
      const location = await readFile(join(dataDir, 'pg-location'), 'utf8').catch(() => undefined);
      if (location) await rm(location.trim(), { recursive: true, force: true });
    });
  }
  for (const dir of tempDirs) await attempt(() => rm(dir, { recursive: true, force: true }));
  if (errors.length) throw new AggregateError(errors, 'cleanup failed');
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pglambda-db-test-'));
  tempDirs.push(dir);
  return dir;
}

async function newDataDir(): Promise<string> {
  const dataDir = join(await tempDir(), '.pglambda');
  dataDirs.push(dataDir);
  return dataDir;
}

async function start(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const server = await startEmbeddedPostgres(opts);
  servers.push(server);
  return server;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    // Several statements in one string come back as one result each; the last one is of interest.
    const result: pg.QueryResult<T> | pg.QueryResult<T>[] = await client.query<T>(sql);
    return (Array.isArray(result) ? result[result.length - 1]! : result).rows;
  } finally {
    await client.end();
  }
}

/** Starts PostgreSQL from a separate Node process, which prints `{url, pid}` and stops it on a line of stdin. */
async function startInChild(dataDir: string, port: number, user?: { uid: number; gid: number }) {
  const script = `
    const [modulePath, dataDir, port] = process.argv.slice(1);
    const { startEmbeddedPostgres } = await import(modulePath);
    const server = await startEmbeddedPostgres({ dataDir, port: Number(port) });
    console.log(JSON.stringify({ url: server.url, pid: server.pid }));
    process.stdin.once('data', async () => { await server.stop(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, modulePath, dataDir, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    ...user,
  });
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, ...(JSON.parse(line) as { url: string; pid: number }) };
}

test('first start creates the cluster, the pglambda role and its database', async (t) => {
  const dataDir = await newDataDir();
  const began = Date.now();
  const server = await start({ dataDir, port: 5541 });
  t.diagnostic(`first start took ${Date.now() - began} ms`);

  assert.match(server.url, /^postgres:\/\/pglambda:[\w-]+@127\.0\.0\.1:5541\/pglambda$/);
  const [app] = await query<{ user: string; db: string; owner: string; encoding: string }>(
    server.url,
    `SELECT current_user AS user, current_database() AS db, pg_get_userbyid(datdba) AS owner,
            pg_encoding_to_char(encoding) AS encoding
       FROM pg_database WHERE datname = current_database()`,
  );
  assert.deepEqual(app, { user: 'pglambda', db: 'pglambda', owner: 'pglambda', encoding: 'UTF8' });
  const [admin] = await query<{ user: string; super: boolean }>(
    server.superuserUrl,
    `SELECT current_user AS user, usesuper AS super FROM pg_user WHERE usename = current_user`,
  );
  assert.deepEqual(admin, { user: 'postgres', super: true });

  assert.equal((await stat(join(dataDir, 'pg-password'))).mode & 0o777, 0o600);
  const [{ hba }] = await query<{ hba: string }>(
    server.superuserUrl,
    `SELECT string_agg(DISTINCT auth_method, ',') AS hba FROM pg_hba_file_rules`,
  );
  assert.equal(hba, 'scram-sha-256');
});

test('a restart keeps the data and is quick', async (t) => {
  const dataDir = await newDataDir();
  const first = await start({ dataDir, port: 5542 });
  await query(first.url, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
  await first.stop();
  assert.equal(await isAlive(first.pid), false);
  // A pid file naming a live process that isn't PostgreSQL (pid reuse after a crash) must not block the start.
  const impostor = spawn('sleep', ['30']);
  children.push(impostor);
  await writeFile(join(await locatePgdata(dataDir), 'postmaster.pid'), `${impostor.pid}\n`);

  const began = Date.now();
  const second = await start({ dataDir, port: 5542 });
  const took = Date.now() - began;
  t.diagnostic(`second start took ${took} ms`);
  assert.ok(took < 2_000, `second start took ${took} ms`);
  assert.deepEqual(await query(second.url, 'SELECT v FROM kept'), [{ v: 'still here' }]);
  await second.stop();

  await appendFile(join(await locatePgdata(dataDir), 'postgresql.conf'), 'no_such_setting = 1\n');
  await assert.rejects(start({ dataDir, port: 5542 }), (err: unknown) => {
    assert.ok(err instanceof PostgresStartError);
    assert.match(err.message, /exited during start-up[\s\S]*no_such_setting/);
    return true;
  });

  await rename(join(dataDir, 'pg-password'), join(dataDir, 'pg-password.bak'));
  await assert.rejects(start({ dataDir, port: 5542 }), MissingPasswordError);
});

test('a taken port gives PortInUseError', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(5543, '127.0.0.1', resolve));
  try {
    await assert.rejects(start({ dataDir: await newDataDir(), port: 5543 }), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.port, 5543);
      assert.equal(err.host, '127.0.0.1');
      assert.equal(err.message, 'port 5543 on 127.0.0.1 is in use; pass --pg-port to choose another');
      return true;
    });
  } finally {
    blocker.close();
  }
});

test('a server left behind by a kill -9 of its Node process is replaced, data intact', async () => {
  const dataDir = await newDataDir();
  const orphaned = await startInChild(dataDir, 5544);
  await query(orphaned.url, `CREATE TABLE survivors (v int); INSERT INTO survivors VALUES (1)`);
  orphaned.child.kill('SIGKILL');
  await once(orphaned.child, 'exit');
  assert.ok(await isAlive(orphaned.pid), 'PostgreSQL should outlive the process that started it');

  const server = await start({ dataDir, port: 5544 });
  assert.notEqual(server.pid, orphaned.pid);
  assert.equal(await isAlive(orphaned.pid), false);
  assert.deepEqual(await query(server.url, 'SELECT v FROM survivors'), [{ v: 1 }]);
});

test('a postmaster that was itself killed leaves a stale pid file PostgreSQL recovers from', async () => {
  const dataDir = await newDataDir();
  // As when pglambda died too: nothing starts it again.
  const killed = await start({ dataDir, port: 5545, restartIfEnded: false });
  await query(killed.url, `CREATE TABLE crashed (v int); INSERT INTO crashed VALUES (2)`);
  process.kill(killed.pid, 'SIGKILL');
  await until('the postmaster to die', async () => !(await isAlive(killed.pid)));

  const server = await start({ dataDir, port: 5545 });
  assert.deepEqual(await query(server.url, 'SELECT v FROM crashed'), [{ v: 2 }]);
});

test('stopStalePostgres stops a forgotten server and reports whether there was one', async () => {
  const dataDir = await newDataDir();
  // Forgotten by a pglambda that died: nothing starts it again once stopped.
  const forgotten = await startEmbeddedPostgres({ dataDir, port: 5546, restartIfEnded: false });
  assert.equal(await stopStalePostgres(dataDir), true);
  assert.equal(await isAlive(forgotten.pid), false);
  assert.equal(await stopStalePostgres(dataDir), false);
});

test('as root, a data dir under a 0700 home works through /var/lib/pglambda', { skip: !asRoot && 'needs root' }, async () => {
  const home = await tempDir();
  await mkdir(join(home, 'project'), { mode: 0o700 });
  await chmod(home, 0o700);
  const dataDir = join(home, 'project', '.pglambda');
  dataDirs.push(dataDir);
  const server = await start({ dataDir, port: 5547 });

  const location = (await readFile(join(dataDir, 'pg-location'), 'utf8')).trim();
  assert.match(location, new RegExp(`^${SYSTEM_DIR}/clusters/[0-9a-f]{16}$`));
  const pgdata = await stat(join(location, 'pg'));
  assert.notEqual(pgdata.uid, 0);
  assert.equal(pgdata.mode & 0o777, 0o700);
  const [{ dir }] = await query<{ dir: string }>(server.superuserUrl, `SELECT current_setting('data_directory') AS dir`);
  assert.equal(dir, join(location, 'pg'));
});

/** Whether user nobody can reach this checkout (a clone under a 0700 home cannot be). */
function checkoutReachableByOthers(): boolean {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

const nobodySkip = !asRoot
  ? 'already covered: these tests run as a normal user'
  : !checkoutReachableByOthers() && 'this checkout sits under a folder other users cannot enter, so user nobody cannot run it';

test('as a normal user, everything stays in the data dir', { skip: nobodySkip }, async () => {
  const nobody = { uid: 65534, gid: 65534 };
  const home = await tempDir();
  await chown(home, nobody.uid, nobody.gid);
  const dataDir = join(home, '.pglambda');
  dataDirs.push(dataDir);
  const server = await startInChild(dataDir, 5548, nobody);
  try {
    const [{ dir }] = await query<{ dir: string }>(server.url, `SELECT current_setting('data_directory') AS dir`);
    assert.equal(dir, join(dataDir, 'pg'));
    assert.equal((await stat(dir)).uid, nobody.uid);
    await assert.rejects(stat(join(dataDir, 'pg-location')), { code: 'ENOENT' });
  } finally {
    server.child.stdin!.write('stop\n');
    await once(server.child, 'exit');
  }
  assert.equal(await isAlive(server.pid), false);
});

test('extension_control_path serves SQL-only extensions from the given folders', async () => {
  const extDir = await tempDir();
  const writeExtension = async (name: string, value: number) => {
    await writeFile(join(extDir, `${name}.control`), `default_version = '1.0'\nrelocatable = true\n`);
    await writeFile(join(extDir, `${name}--1.0.sql`), `CREATE FUNCTION ${name}() RETURNS int LANGUAGE sql AS 'SELECT ${value}';\n`);
  };
  await writeExtension('tiny_one', 1);
  const dataDir = await newDataDir();
  const first = await start({ dataDir, port: 5549, extensionDirs: [extDir] });
  const [{ path }] = await query<{ path: string }>(first.url, `SELECT current_setting('extension_control_path') AS path`);
  assert.match(path, /^\$system:\//);
  assert.deepEqual(await query(first.url, 'CREATE EXTENSION tiny_one; SELECT tiny_one() AS v'), [{ v: 1 }]);
  await first.stop();

  // The folder is copied on every start, so an extension added since shows up after a restart.
  await writeExtension('tiny_two', 2);
  const second = await start({ dataDir, port: 5549, extensionDirs: [extDir] });
  assert.deepEqual(await query(second.url, 'CREATE EXTENSION tiny_two; SELECT tiny_two() AS v'), [{ v: 2 }]);
});

test('an extension dir without control files is rejected before anything starts', async () => {
  await assert.rejects(start({ dataDir: await newDataDir(), port: 5550, extensionDirs: [await tempDir()] }), InvalidExtensionDirError);
});
