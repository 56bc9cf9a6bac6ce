/**
 * The bridge: a PostgreSQL wire-protocol endpoint that `aws_lambda.invoke` reaches through dblink.
 * Each request is validated and sent to Lambda through the AWS SDK with the credentials of the
 * cluster's IAM role, so Lambda's own authorization decides, as on Aurora; the answer is one row or
 * an Aurora-worded error.
 */
import type { Server, Socket } from 'node:net';
import { createPgWireServer, type QueryResult, type SessionInfo } from '../pgwire/server.js';
import { PgError } from '../pgwire/errors.js';
import { BridgeError } from './errors.js';
import type { ClusterRegistry } from './cluster-registry.js';
import type { Credentials, LambdaInvoker } from './lambda-invoker.js';
import { parseRequest } from './request.js';
import { resolveTarget } from './target.js';

const ROW_COLUMNS = [
  { name: 'status_code', typeOid: 23 },
  { name: 'payload', typeOid: 25 },
  { name: 'executed_version', typeOid: 25 },
  { name: 'log_result', typeOid: 25 },
];

export interface BridgeOptions {
  registry: ClusterRegistry;
  invoker: LambdaInvoker;
  /** Credentials for calling Lambda on behalf of a cluster: its role's session (see role-credentials.ts). */
  credentialsFor(cluster: { accountId: string; region: string; identifier: string }): Promise<Credentials>;
  log?: (line: string) => void;
}

export function createBridgeServer(opts: BridgeOptions): Server {
  // dblink sets client_encoding to the calling database's and ignores the answer: a session that
  // asked for anything but UTF8 is refused from then on, rather than reading its bytes wrongly.
  const foreignEncoding = new Map<number, string>();
  const server = createPgWireServer({
    onClose(session) {
      foreignEncoding.delete(session.id);
    },
    async verifierFor(user) {
      return (await opts.registry.byBridgeLogin(user))?.verifier ?? null;
    },
    async onQuery(session: SessionInfo, sql: string): Promise<QueryResult> {
      const text = sql.trimStart();
      if (/^set\s/i.test(text)) return settingCommand(text, (enc) => foreignEncoding.set(session.id, enc));
      const encoding = foreignEncoding.get(session.id);
      if (encoding) throw notUtf8(encoding);
      if (!text.startsWith('{')) throw new PgError('0A000', 'the pglambda bridge only answers aws_lambda.invoke requests');
      const found = await opts.registry.byBridgeLogin(session.user);
      if (!found) throw new PgError('28000', `unknown bridge login "${session.user}"`);
      try {
        const req = parseRequest(text);
        const target = resolveTarget(req.functionName, req.region, req.qualifier, found.cluster);
        const credentials = await opts.credentialsFor(found.cluster);
        const row = await opts.invoker.invoke(req, target, found.cluster.login, credentials);
        return {
          columns: ROW_COLUMNS,
          rows: [[String(row.statusCode), row.payload, row.executedVersion, row.logResult]],
          command: 'SELECT 1',
        };
      } catch (err) {
        if (err instanceof BridgeError) {
          throw new PgError(err.sqlstate, err.message, { detail: err.detail, hint: err.hint });
        }
        throw err;
      }
    },
  });
  // Closing the bridge ends its sessions, as a stopping server does: net.Server.close alone waits
  // for every connection to end, and each database backend keeps its connection for its life (so
  // a stop would hang, and the old sessions would go on being served). A session cut while its
  // request is under way gets "Connection to endpoint lost" in SQL: the function may have run.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const stopListening = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    stopListening(callback);
    for (const socket of sockets) socket.destroy();
    return server;
  };
  return server;
}

function settingCommand(text: string, onForeignEncoding: (encoding: string) => void): QueryResult {
  const m = /^set\s+client_encoding\s+(?:to|=)\s+'?([A-Za-z0-9_-]+)'?/i.exec(text);
  if (m && !/^(utf-?8|unicode)$/i.test(m[1]!)) {
    onForeignEncoding(m[1]!);
    throw notUtf8(m[1]!);
  }
  return { columns: [], rows: [], command: 'SET' };
}

const notUtf8 = (encoding: string) =>
  new PgError('22023', `the pglambda bridge speaks UTF8 only; this database's encoding is ${encoding}`, {
    hint: "aws_lambda.invoke works from databases created with ENCODING 'UTF8'.",
  });
