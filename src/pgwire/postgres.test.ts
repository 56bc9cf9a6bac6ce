import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { makeVerifier, verifyPassword } from './scram.js';
import { defaultQuery, startServer, USERS } from '../../test/helpers/pgwire-server.js';

const run = promisify(execFile);
const BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';
const HAVE_POSTGRES = existsSync(join(BIN, 'initdb'));
const HAVE_PSQL = existsSync('/usr/bin/psql');

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` system user. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  return entry ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/** A throwaway cluster listening on a Unix socket only, so it cannot collide with anything on TCP. */
async function startCluster(): Promise<{ dir: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pgwire-pg15-'));
  const as = owner();
  if (as) await chown(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const opts = { cwd: dir, ...as };
  await run(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], opts);
  await writeFile(join(data, 'pg_hba.conf'), 'local all postgres trust\nlocal all all scram-sha-256\n');
  const settings = `-c listen_addresses= -k ${dir} -p 5432 -c fsync=off`;
  await run(join(BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-o', settings, 'start'], opts);
  return {
    dir,
    stop: async () => {
      await run(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], opts).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('against PostgreSQL 15', { skip: !HAVE_POSTGRES && `no PostgreSQL in ${BIN}` }, () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let sql: pg.Client;

  before(async () => {
    cluster = await startCluster();
    sql = new pg.Client({ host: cluster.dir, port: 5432, user: 'postgres', database: 'postgres' });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await cluster?.stop();
  });

  it('verifies passwords against the verifiers PostgreSQL stores', async () => {
    await sql.query("SET password_encryption = 'scram-sha-256'");
    for (const [i, password] of ['s3cret', 'pässwörd', 'ｐａｓｓ', 'a\u00A0b'].entries()) {
      await sql.query(`CREATE ROLE stored_${i} LOGIN PASSWORD ${sql.escapeLiteral(password)}`);
      const { rows } = await sql.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [`stored_${i}`]);
      assert.equal(verifyPassword(rows[0].rolpassword, password), true, password);
      assert.equal(verifyPassword(rows[0].rolpassword, `${password}x`), false, password);
    }
  });

  it('makes verifiers PostgreSQL accepts for login', async () => {
    for (const [i, password] of ['s3cret', 'pässwörd', 'ｐａｓｓ'].entries()) {
      await sql.query(`CREATE ROLE made_${i} LOGIN PASSWORD ${sql.escapeLiteral(makeVerifier(password))}`);
      const client = new pg.Client({ host: cluster.dir, port: 5432, user: `made_${i}`, password, database: 'postgres' });
      await client.connect();
      await client.end();
    }
  });

  it('serves dblink: rows, re-raised errors, commands, a persistent connection', async (t) => {
    const port = await startServer(t, {
      onQuery: async (_s, text) => (text.startsWith('SET ') ? { columns: [], rows: [], command: 'SET' } : defaultQuery(text)),
    });
    const conn = `host=127.0.0.1 port=${port} user=alice password=${USERS.alice} dbname=anything`;
    await sql.query('CREATE EXTENSION IF NOT EXISTS dblink');
    const rows = await sql.query('SELECT * FROM dblink($1, $2) AS t(n int, t text)', [conn, 'rows']);
    assert.deepEqual(rows.rows, [
      { n: 1, t: 'one' },
      { n: 2, t: null },
    ]);
    const json = await sql.query(`SELECT * FROM dblink($1, '{"x":1}') AS t(sql text)`, [conn]);
    assert.deepEqual(json.rows, [{ sql: '{"x":1}' }]);
    const err: pg.DatabaseError = await sql.query('SELECT * FROM dblink($1, $2) AS t(x text)', [conn, 'fail']).then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.deepEqual([err.code, err.message, err.detail, err.hint], ['P0001', 'it failed', 'the detail', 'the hint']);

    await sql.query('SELECT dblink_connect($1, $2)', ['bridge', conn]);
    assert.deepEqual((await sql.query("SELECT dblink_exec('bridge', 'SET x TO 1') AS tag")).rows, [{ tag: 'SET' }]);
    for (const text of ['one', 'two']) {
      const {
        rows: [row],
      } = await sql.query("SELECT * FROM dblink('bridge', $1) AS t(sql text)", [text]);
      assert.equal(row.sql, text);
    }
    await sql.query("SELECT dblink_disconnect('bridge')");
  });

  it('reports a wrong password through dblink', async (t) => {
    const port = await startServer(t);
    const conn = `host=127.0.0.1 port=${port} user=alice password=wrong dbname=d`;
    await assert.rejects(sql.query('SELECT * FROM dblink($1, $2) AS t(x text)', [conn, 'x']), (err: pg.DatabaseError) => {
      assert.equal(err.code, '08001');
      assert.match(err.detail ?? '', /password authentication failed for user "alice"/);
      return true;
    });
  });
});

describe('psql', { skip: !HAVE_PSQL && 'no psql' }, () => {
  it('runs -c commands through the server, asking for SSL first', async (t) => {
    const port = await startServer(t);
    const env = { ...process.env, PGPASSWORD: USERS.alice, PGSSLMODE: 'prefer', PGCONNECT_TIMEOUT: '5' };
    const args = ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(port), '-U', 'alice', '-d', 'd'];
    const { stdout } = await run('psql', [...args, '-c', 'rows', '-c', 'second'], { env });
    assert.equal(stdout, '1|one\n2|\nsecond\n');
    const failed = await run('psql', [...args, '-c', 'fail'], { env }).then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.match(failed.stderr, /ERROR: {2}it failed\nDETAIL: {2}the detail\nHINT: {2}the hint/);
    const encoding = await run('psql', [...args, '-c', 'x'], { env: { ...env, PGCLIENTENCODING: 'LATIN1' } }).then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.match(encoding.stderr, /FATAL: {2}client_encoding "LATIN1" is not supported: the pglambda bridge speaks UTF8 only/);
  });
});
