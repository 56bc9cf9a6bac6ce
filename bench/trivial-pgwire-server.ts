/**
 * The dblink floor: a PostgreSQL wire-protocol server (the bridge's own `createPgWireServer`) that
 * answers every query at once with the row `aws_lambda.invoke` returns for a no-op function, so a
 * dblink round trip to it costs what the bridge costs before it does any work of its own.
 * Login: user `bench`, password `bench` (SCRAM-SHA-256), any database. Prints `listening <port>`.
 */
import type { AddressInfo } from 'node:net';
import { createLogger } from '../src/log/logger.js';
import { createPgWireServer, makeVerifier, type QueryResult } from '../src/pgwire/index.js';

const USER = 'bench';
const PASSWORD = 'bench';

const verifier = makeVerifier(PASSWORD);
const ROW: QueryResult = {
  columns: [
    { name: 'status_code', typeOid: 23 },
    { name: 'payload', typeOid: 25 },
    { name: 'executed_version', typeOid: 25 },
    { name: 'log_result', typeOid: 25 },
  ],
  rows: [['200', 'null', '$LATEST', null]],
  command: 'SELECT 1',
};
// dblink sends `SET client_encoding …` first; a SET answers with no rows.
const SET: QueryResult = { columns: [], rows: [], command: 'SET' };

const server = createPgWireServer(
  {
    verifierFor: async (user) => (user === USER ? verifier : null),
    onQuery: async (_session, sql) => (/^\s*set\s/i.test(sql) ? SET : ROW),
  },
  { logger: createLogger({ name: 'trivial-pgwire-server', level: 'warn' }) },
);
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
