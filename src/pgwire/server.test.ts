import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { PgError } from './errors.js';
import type { SessionInfo } from './server.js';
import { defaultQuery, startServer, USERS } from '../../test/helpers/pgwire-server.js';
import { testLogger } from '../../test/helpers/logger.js';
import { until } from '../../test/helpers/until.js';

async function connect(t: TestContext, port: number, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'alice', password: USERS.alice, database: 'd', ...config });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  return client;
}

async function connectError(port: number, config: pg.ClientConfig): Promise<pg.DatabaseError> {
  const client = new pg.Client({ host: '127.0.0.1', port, database: 'd', ...config });
  client.on('error', () => {});
  return client.connect().then(
    () => {
      void client.end();
      throw new Error('connected');
    },
    (err: pg.DatabaseError) => err,
  );
}

describe('pgwire server with node-postgres', () => {
  it('authenticates with SCRAM-SHA-256 and tells the handler who is connected', async (t) => {
    let seen: SessionInfo | undefined;
    const port = await startServer(t, { onQuery: async (session, sql) => ((seen = session), defaultQuery(sql)) });
    const client = await connect(t, port, { application_name: 'tests' });
    await client.query('x');
    assert.equal(seen?.user, 'alice');
    assert.equal(seen?.database, 'd');
    assert.equal(seen?.applicationName, 'tests');
    assert.equal(seen?.remoteAddress, '127.0.0.1');
    assert.equal(seen?.parameters.application_name, 'tests');
  });

  it('refuses a wrong password and an unknown user with the same 28P01 error', async (t) => {
    const port = await startServer(t);
    const wrong = await connectError(port, { user: 'alice', password: 'nope' });
    const unknown = await connectError(port, { user: 'mallory', password: 'nope' });
    assert.deepEqual([wrong.code, wrong.severity, wrong.message], ['28P01', 'FATAL', 'password authentication failed for user "alice"']);
    assert.deepEqual(
      [unknown.code, unknown.severity, unknown.message],
      ['28P01', 'FATAL', 'password authentication failed for user "mallory"'],
    );
  });

  it('reports a failing verifier lookup as an internal error, without its message, which it logs', async (t) => {
    const log = testLogger({ echo: false });
    const port = await startServer(t, { verifierFor: () => Promise.reject(new Error('store offline')) }, log);
    const err = await connectError(port, { user: 'alice', password: USERS.alice });
    assert.deepEqual([err.code, err.severity, err.message], ['XX000', 'FATAL', 'internal error']);
    assert.deepEqual(
      log.lines.map((l) => [l.level, l.msg, l.user, (l.err as Error).message]),
      [[50, 'verifier lookup failed', 'alice', 'store offline']],
    );
  });

  it('returns rows of int4, text and null with their command tag', async (t) => {
    const client = await connect(t, await startServer(t));
    const result = await client.query('rows');
    assert.deepEqual(result.rows, [
      { n: 1, t: 'one' },
      { n: 2, t: null },
    ]);
    assert.deepEqual(
      result.fields.map((f) => [f.name, f.dataTypeID]),
      [
        ['n', 23],
        ['t', 25],
      ],
    );
    assert.deepEqual([result.command, result.rowCount], ['SELECT', 2]);
  });

  it('answers commands without rows, and empty queries', async (t) => {
    const port = await startServer(t, { onQuery: async () => ({ columns: [], rows: [], command: 'SET' }) });
    const client = await connect(t, port);
    const set = await client.query("SET client_encoding TO 'UTF8'");
    assert.deepEqual([set.command, set.rows], ['SET', []]);
    assert.deepEqual((await client.query('  ')).rows, []);
  });

  it('delivers notices before the result', async (t) => {
    const notice = new PgError('01000', 'careful', { severity: 'WARNING', detail: 'why' });
    const port = await startServer(t, { onQuery: async (_s, sql) => ({ ...(await defaultQuery(sql)), notices: [notice] }) });
    const client = await connect(t, port);
    const notices: { severity?: string; code?: string; message?: string; detail?: string }[] = [];
    client.on('notice', (n) => notices.push(n));
    await client.query('x');
    assert.deepEqual(
      notices.map((n) => [n.severity, n.code, n.message, n.detail]),
      [['WARNING', '01000', 'careful', 'why']],
    );
  });

  it('passes PgError fields to the client, and the session goes on', async (t) => {
    const client = await connect(t, await startServer(t));
    const err: pg.DatabaseError = await client.query('fail').then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.deepEqual(
      [err.severity, err.code, err.message, err.detail, err.hint],
      ['ERROR', 'P0001', 'it failed', 'the detail', 'the hint'],
    );
    assert.deepEqual((await client.query('after')).rows, [{ sql: 'after' }]);
  });

  it('logs any other error and sends only XX000 internal error', async (t) => {
    const log = testLogger({ echo: false });
    const client = await connect(t, await startServer(t, {}, log));
    const err: pg.DatabaseError = await client.query('crash').then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.deepEqual([err.code, err.message, err.detail], ['XX000', 'internal error', undefined]);
    assert.deepEqual(
      log.lines.map((l) => [l.level, l.msg, l.user]),
      [[50, 'query failed', 'alice']],
    );
    assert.match(String((log.lines[0]!.err as Error).message), /internal secret/);
    assert.deepEqual((await client.query('after')).rows, [{ sql: 'after' }]);
  });

  it('reports a result it cannot encode as an internal error, and the session goes on', async (t) => {
    const bad = { columns: [{ name: 'n', typeOid: 23 }], rows: [['1'], [2 as unknown as string]], command: 'SELECT 2' };
    const port = await startServer(
      t,
      { onQuery: async (_s, sql) => (sql === 'bad' ? bad : defaultQuery(sql)) },
      testLogger({ echo: false }),
    );
    const client = await connect(t, port);
    await assert.rejects(client.query('bad'), { code: 'XX000', message: 'internal error' });
    assert.deepEqual((await client.query('after')).rows, [{ sql: 'after' }]);
  });

  it('ends the session on a FATAL PgError from the handler', async (t) => {
    const port = await startServer(t, { onQuery: () => Promise.reject(PgError.fatal('57P01', 'shutting down')) });
    const client = await connect(t, port);
    const ended = new Promise((resolve) => client.once('end', resolve));
    const err: pg.DatabaseError = await client.query('x').then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.deepEqual([err.severity, err.code], ['FATAL', '57P01']);
    await ended;
  });

  it('refuses the extended query protocol with 0A000 and stays usable', async (t) => {
    const client = await connect(t, await startServer(t));
    const err: pg.DatabaseError = await client.query({ text: 'x', values: [1] }).then(
      () => assert.fail('no error'),
      (e) => e,
    );
    assert.deepEqual([err.code, err.message], ['0A000', 'extended query protocol not supported']);
    await assert.rejects(client.query({ name: 'stmt', text: 'y' }), { code: '0A000' });
    assert.deepEqual((await client.query('after')).rows, [{ sql: 'after' }]);
  });

  it('answers queries pipelined by node-postgres in order', async (t) => {
    const client = await connect(t, await startServer(t), { pipeline: true } as pg.ClientConfig);
    const settled = await Promise.allSettled([client.query('sleep 30 a'), client.query('fail'), client.query('sleep 0 b')]);
    const outcomes = settled.map((s) => (s.status === 'fulfilled' ? s.value.rows[0].sql : (s.reason as pg.DatabaseError).code));
    assert.deepEqual(outcomes, ['a', 'P0001', 'b']);
  });

  it('carries a 5 MB query and a 5 MB result', async (t) => {
    const client = await connect(t, await startServer(t));
    const text = 'é'.repeat(2_500_000);
    const result = await client.query(text);
    assert.ok(result.rows[0].sql === text);
  });

  it('calls onClose once when an authenticated session ends', async (t) => {
    const closed: number[] = [];
    const port = await startServer(t, { onClose: (session) => closed.push(session.id) });
    const client = await connect(t, port);
    await connectError(port, { user: 'alice', password: 'nope' });
    await client.end();
    await until('onClose', () => closed.length > 0);
    assert.equal(closed.length, 1);
  });
});
