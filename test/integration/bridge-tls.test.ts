/**
 * TLS on the bridge's wire port, as PostgreSQL's libpq (through dblink) meets it: `sslmode=verify-full`
 * against the CA that signed the bridge's certificate works, another CA fails, plaintext is refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { configureBridgeTls } from '../../src/bridge/install.js';
import { databaseUrl, inDatabase as inDb } from '../helpers/databases.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { makeCertificates, type Certificates } from '../helpers/tls.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
const INVOKE = `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`;

let svc: TestService;
let scratch: string;
let bridgeCerts: Certificates;
let otherCa: string;

const urlOf = (database: string) => databaseUrl(svc, database);
const inDatabase = <T>(database: string, fn: (c: pg.Client) => Promise<T>) => inDb(svc, database, fn);

/** An invoke on a new session, so a new bridge connection with the server's options as they are now. */
const invokeIn = (database: string) => inDatabase(database, async (c) => (await c.query(INVOKE)).rows[0].status_code as number);

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-tls-'));
  await chmod(scratch, 0o755);
  bridgeCerts = await makeCertificates(scratch);
  otherCa = (await makeCertificates(scratch, 'other')).ca;
  svc = await startTestService({ examples: true, bridgeTls: { certFile: bridgeCerts.cert, keyFile: bridgeCerts.key } });
});
after(async () => {
  await svc?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('sslmode=verify-full with the CA that signed the bridge certificate invokes', async () => {
  await inDatabase('postgres', (c) => configureBridgeTls(c, { sslmode: 'verify-full', sslrootcert: bridgeCerts.ca }));
  assert.equal(await invokeIn('postgres'), 200);
});

test('another CA, or no TLS at all, cannot reach the bridge', async () => {
  const failure = async () =>
    inDatabase('postgres', (c) =>
      c.query(INVOKE).then(
        () => assert.fail('invoked'),
        (e: pg.DatabaseError) => e,
      ),
    );
  try {
    await inDatabase('postgres', (c) => configureBridgeTls(c, { sslrootcert: otherCa }));
    const untrusted = await failure();
    assert.deepEqual([untrusted.code, untrusted.message], ['58000', 'invoke API failed']);
    await inDatabase('postgres', (c) => configureBridgeTls(c, { sslmode: 'disable' }));
    const plaintext = await failure();
    assert.deepEqual([plaintext.code, plaintext.message], ['58000', 'invoke API failed']);
  } finally {
    await inDatabase('postgres', (c) => configureBridgeTls(c, { sslmode: 'verify-full', sslrootcert: bridgeCerts.ca }));
  }
  // What a plaintext client is told, directly.
  const direct = new pg.Client({ host: '127.0.0.1', port: svc.bridge.port, user: 'anyone', password: 'x', database: 'x', ssl: false });
  await assert.rejects(direct.connect(), /the pglambda bridge accepts encrypted connections only/);
  await direct.end().catch(() => undefined);
  assert.equal(await invokeIn('postgres'), 200);
});

test('pglambda install --bridge-sslmode verify-full --bridge-sslrootcert sets up a database to match', async () => {
  await inDatabase('postgres', (c) => c.query('CREATE DATABASE tls_db'));
  await run(
    process.execPath,
    [
      main,
      'install',
      '--database-url',
      urlOf('tls_db'),
      '--endpoint-url',
      svc.endpoint,
      '--bridge-sslmode',
      'verify-full',
      '--bridge-sslrootcert',
      bridgeCerts.ca,
    ],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
  );
  const options = await inDatabase(
    'tls_db',
    async (c) =>
      (
        await c.query(`select o.option_name, o.option_value from pg_foreign_server s, pg_options_to_table(s.srvoptions) o
                    where s.srvname = 'aws_lambda_bridge' and o.option_name like 'ssl%' order by 1`)
      ).rows,
  );
  assert.deepEqual(options, [
    { option_name: 'sslmode', option_value: 'verify-full' },
    { option_name: 'sslrootcert', option_value: bridgeCerts.ca },
  ]);
  assert.equal(await invokeIn('tls_db'), 200);
});
