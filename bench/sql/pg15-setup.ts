/**
 * What the benchmark puts into PostgreSQL 15: aws_lambda through `pglambda install`, the dblink
 * floor, the PL/Python + boto3 peer, the durable-commit floor, and the tables whose row triggers
 * make the calls.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { FUNCTION, REGION, root } from './settings.js';

const run = promisify(execFile);

/** `pglambda install`, as a user runs it, against the running pglambda. */
export async function pglambdaInstall(databaseUrl: string, endpoint: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [join(root, 'dist/src/cli/main.js'), 'install', '--database-url', databaseUrl, '--endpoint-url', endpoint],
    {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION },
    },
  );
  return stdout.trim();
}

/**
 * The floor: a PL/pgSQL function keeping one dblink connection per session to a trivial wire
 * server that answers every query at once with the row aws_lambda.invoke returns.
 */
function floorSql(wirePort: number): string {
  return `CREATE FUNCTION bench_floor() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ('floor' = ANY(coalesce(dblink_get_connections(), '{}'))) THEN
    PERFORM dblink_connect('floor', 'host=127.0.0.1 port=${wirePort} user=bench password=bench dbname=bench');
  END IF;
  RETURN (SELECT status_code FROM dblink('floor', '{"v":1}') AS t(status_code int, payload text, executed_version text, log_result text));
END $$`;
}

/**
 * The floor of a durable accept: a dblink round trip that commits one row in pglambda's own
 * PostgreSQL (the same server, disk and settings as its Event queue), one WAL flush per call. An
 * Event invoke is answered only once its event is committed there; when one session's calls come
 * one at a time, nothing can be grouped and each pays this.
 */
function commitFloorSql(stateUrl: string): string {
  return `CREATE FUNCTION bench_commit_floor() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ('commit' = ANY(coalesce(dblink_get_connections(), '{}'))) THEN
    PERFORM dblink_connect('commit', '${stateUrl}');
    PERFORM dblink_exec('commit', 'CREATE TABLE IF NOT EXISTS bench_commits (id int)');
  END IF;
  PERFORM dblink_exec('commit', 'INSERT INTO bench_commits VALUES (1)');
END $$`;
}

/**
 * The peers' way: PL/Python with one boto3 Lambda client per backend (kept in GD), pointed at
 * pglambda's endpoint with static test keys (the endpoint reads only the key id). The payload is
 * read, as a caller must for urllib3 to put the connection back in its pool.
 */
function peerSql(endpoint: string): string {
  return `CREATE FUNCTION bench_boto3_invoke() RETURNS int LANGUAGE plpython3u AS $$
client = GD.get('lambda')
if client is None:
    import boto3
    client = GD['lambda'] = boto3.client('lambda', endpoint_url='${endpoint}', region_name='${REGION}',
                                         aws_access_key_id='test', aws_secret_access_key='test')
r = client.invoke(FunctionName='${FUNCTION}', Payload=b'{}')
r['Payload'].read()
return r['StatusCode']
$$`;
}

/**
 * Row triggers: one dblink round trip per row (the floor), one with a durable commit per row (the
 * accept's floor), one Event invoke per row, and none.
 */
const TRIGGER_SQL = `
CREATE TABLE bench_rows_plain (id int);
CREATE TABLE bench_rows_floor (id int);
CREATE TABLE bench_rows_commit (id int);
CREATE TABLE bench_rows_event (id int);
CREATE FUNCTION bench_row_floor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bench_floor();
  RETURN NULL;
END $$;
CREATE FUNCTION bench_row_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bench_commit_floor();
  RETURN NULL;
END $$;
CREATE FUNCTION bench_row_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM aws_lambda.invoke('${FUNCTION}', json_build_object('id', NEW.id), invocation_type => 'Event');
  RETURN NULL;
END $$;
CREATE TRIGGER bench_row_floor AFTER INSERT ON bench_rows_floor FOR EACH ROW EXECUTE FUNCTION bench_row_floor();
CREATE TRIGGER bench_row_commit AFTER INSERT ON bench_rows_commit FOR EACH ROW EXECUTE FUNCTION bench_row_commit();
CREATE TRIGGER bench_row_event AFTER INSERT ON bench_rows_event FOR EACH ROW EXECUTE FUNCTION bench_row_event();
`;

export type TriggerTable = 'plain' | 'floor' | 'commit' | 'event';

/** `stateUrl`: pglambda's own PostgreSQL (its DATABASE_URL), for the durable-commit floor. */
export async function createBenchObjects(admin: pg.Client, wirePort: number, endpoint: string, stateUrl: string): Promise<void> {
  await admin.query('CREATE EXTENSION plpython3u');
  await admin.query(floorSql(wirePort));
  await admin.query(commitFloorSql(stateUrl));
  await admin.query(peerSql(endpoint));
  await admin.query(TRIGGER_SQL);
}

/** The trigger measure's statement: `rows` rows in one INSERT … SELECT generate_series. */
export const insertSql = (table: TriggerTable, rows: number) => `INSERT INTO bench_rows_${table} SELECT generate_series(1, ${rows})`;
