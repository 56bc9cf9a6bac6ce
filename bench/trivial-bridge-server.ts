/**
 * A bridge that does nothing: the bridge's own wire server (`createPgWireServer`) answering every
 * aws_lambda request at once with the row of a no-op function, in the shape of the request's
 * version (docs/bridge-protocol.md): eight columns for version 2 (aws_lambda 1.1), four for
 * version 1 (aws_lambda 1.0) and for anything else. What aws_lambda's SQL costs per call is then
 * the difference to a bare dblink round trip to the same server.
 * Login: user `bench`, password `bench` (SCRAM-SHA-256), any database. Prints `listening <port>`.
 */
import type { AddressInfo } from 'node:net';
import { createLogger } from '../src/log/logger.js';
import { createPgWireServer, makeVerifier, type QueryResult } from '../src/pgwire/index.js';

const USER = 'bench';
const verifier = makeVerifier('bench');

const COLUMNS = [
  { name: 'status_code', typeOid: 23 },
  { name: 'payload', typeOid: 25 },
  { name: 'executed_version', typeOid: 25 },
  { name: 'log_result', typeOid: 25 },
];
const V1: QueryResult = { columns: COLUMNS, rows: [['200', 'null', '$LATEST', null]], command: 'SELECT 1' };
const V2: QueryResult = {
  columns: [...COLUMNS, ...['sqlstate', 'message', 'detail', 'hint'].map((name) => ({ name, typeOid: 25 }))],
  rows: [['200', 'null', '$LATEST', null, null, null, null, null]],
  command: 'SELECT 1',
};
// dblink sends `SET client_encoding …` first; a SET answers with no rows.
const SET: QueryResult = { columns: [], rows: [], command: 'SET' };

const server = createPgWireServer(
  {
    verifierFor: async (user) => (user === USER ? verifier : null),
    onQuery: async (_session, sql) => (/^\s*set\s/i.test(sql) ? SET : sql.startsWith('[') ? V2 : V1),
  },
  { logger: createLogger({ name: 'trivial-bridge-server', level: 'warn' }) },
);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
