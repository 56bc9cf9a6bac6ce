/**
 * The bridge: a PostgreSQL wire-protocol endpoint that `aws_lambda.invoke` reaches through dblink.
 * Each request is validated and sent to Lambda as the cluster's IAM role session, so Lambda's own
 * authorization decides, as on Aurora: in-process to pglambda's own Lambda; as a signed request to an
 * `endpoint_override`; and, for a cluster bound to AWS, to AWS Lambda as the role the bridge assumed
 * there (aws-role-sessions.ts), renewing a session AWS calls expired once. The answer is one row; a failure is an Aurora-worded error,
 * in the row for version-2 requests (docs/bridge-protocol.md) and as an ErrorResponse for version 1.
 */
import type { Server, Socket } from 'node:net';
import { createPgWireServer, type PgWireOptions, type QueryResult, type SessionInfo } from '../pgwire/server.js';
import { PgError, toPgError } from '../pgwire/errors.js';
import type { AwsRoleSessions } from './aws-role-sessions.js';
import type { Cluster, ClusterRegistry } from '../rds/store/cluster-registry.js';
import type { AwsBinding } from '../rds/store/cluster-store.js';
import { BridgeError, InvokeApiFailed, LambdaInvocationFailed } from './errors.js';
import { BridgeMetrics, type Outcome } from './metrics.js';
import type { Logger } from '../log/logger.js';
import type { InvokeRow, LambdaPath } from './invoke-row.js';
import type { LambdaEndpoints } from './lambda-endpoints.js';
import { SessionExpired, type RemoteLambda } from './remote-lambda.js';
import type { BridgeRequest } from './request.js';
import { parseRequest, requestVersion } from './request.js';
import type { RoleSession } from './role-credentials.js';
import { functionScope, resolveTarget, type Target } from './target.js';

const THROTTLES = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

function outcomeOf(err: unknown): Outcome {
  if (err instanceof LambdaInvocationFailed) return 'function_error';
  if (err instanceof InvokeApiFailed && THROTTLES.has(err.awsCode ?? '')) return 'throttled';
  return 'error';
}

const expiredAsFailure = (err: unknown): never => {
  throw err instanceof SessionExpired ? new InvokeApiFailed(err.message) : err;
};

const ROW_COLUMNS = [
  { name: 'status_code', typeOid: 23 },
  { name: 'payload', typeOid: 25 },
  { name: 'executed_version', typeOid: 25 },
  { name: 'log_result', typeOid: 25 },
];
const ROW_COLUMNS_V2 = [...ROW_COLUMNS, ...['sqlstate', 'message', 'detail', 'hint'].map((name) => ({ name, typeOid: 25 }))];

export interface BridgeOptions {
  registry: ClusterRegistry;
  /**
   * pglambda's own Lambda and who to act as there for a cluster (its role's session, see
   * role-credentials.ts), when this process runs it; a standalone bridge serves clusters bound to AWS only.
   */
  own?: { lambda: LambdaPath; sessionFor(cluster: { accountId: string; region: string; identifier: string }): Promise<RoleSession> };
  /** Any other Lambda endpoint: an endpoint_override, or AWS Lambda for a cluster bound to AWS. */
  remote: RemoteLambda;
  /** For clusters bound to AWS: their roles' sessions there, and where Lambda is. */
  aws: { sessions: AwsRoleSessions; endpoints: LambdaEndpoints };
  /** TLS on the wire port (required unless said otherwise). */
  tls?: PgWireOptions['tls'];
  /** Each call at debug level (no payload); refused logins at warn; unexpected failures at error. */
  logger: Logger;
}

/** The bridge's listener; `drain` is the graceful stop: no new connection, in-flight invokes finish (up to a limit), then every session ends. */
export type BridgeServer = Server & { drain(timeoutMs: number): Promise<void>; metrics: BridgeMetrics };

export function createBridgeServer(opts: BridgeOptions): BridgeServer {
  // dblink sets client_encoding to the calling database's and ignores the answer: a session that
  // asked for anything but UTF8 is refused from then on, rather than reading its bytes wrongly.
  const foreignEncoding = new Map<number, string>();
  const sockets = new Set<Socket>();
  const metrics = new BridgeMetrics(() => sockets.size);

  /** One call, counted in the metrics: by cluster and function once they are known. */
  async function invoke(session: SessionInfo, text: string): Promise<InvokeRow> {
    const started = performance.now();
    const seen = { cluster: '', fn: '' };
    try {
      const row = await route(session, text, seen);
      const ms = performance.now() - started;
      metrics.record(seen.cluster, seen.fn, 'ok', ms / 1000);
      opts.logger.debug({ cluster: seen.cluster, function: seen.fn, outcome: 'ok', ms: Math.round(ms * 10) / 10 }, 'invoke');
      return row;
    } catch (err) {
      const ms = performance.now() - started;
      const code = err instanceof InvokeApiFailed ? (err.awsCode ?? err.sqlstate) : err instanceof BridgeError ? err.sqlstate : 'XX000';
      const outcome = outcomeOf(err);
      metrics.record(seen.cluster, seen.fn, outcome, ms / 1000, code);
      const fields = { cluster: seen.cluster, function: seen.fn, outcome, code, ms: Math.round(ms * 10) / 10 };
      if (code === 'XX000') opts.logger.error({ ...fields, err }, 'invoke failed unexpectedly');
      else opts.logger.debug({ ...fields, message: (err as Error).message }, 'invoke');
      throw err;
    }
  }

  async function route(session: SessionInfo, text: string, seen: { cluster: string; fn: string }): Promise<InvokeRow> {
    const encoding = foreignEncoding.get(session.id);
    if (encoding) throw notUtf8(encoding);
    const found = await opts.registry.byBridgeLogin(session.user);
    if (!found) throw new PgError('28000', `unknown bridge login "${session.user}"`);
    const req = parseRequest(text);
    const { cluster } = found;
    seen.cluster = cluster.identifier;
    const target = resolveTarget(req.functionName, req.region, req.qualifier, functionScope(cluster));
    seen.fn = target.arn;
    if (cluster.aws) return invokeOnAws({ ...cluster, aws: cluster.aws }, req, target);
    if (!opts.own) {
      throw new InvokeApiFailed(
        `DB cluster ${cluster.identifier} invokes pglambda's own Lambda, which this bridge does not run`,
        'Bind the cluster to AWS (pglambda install --aws-role-arn ARN), or point its database at the bridge of pglambda up.',
      );
    }
    const roleSession = await opts.own.sessionFor(cluster);
    if (!req.endpointOverride) return opts.own.lambda.invoke(req, target, cluster.login, roleSession);
    return opts.remote.invoke(req, target, cluster.login, roleSession, new URL(req.endpointOverride)).catch(expiredAsFailure);
  }

  async function invokeOnAws(cluster: Cluster & { aws: AwsBinding }, req: BridgeRequest, target: Target): Promise<InvokeRow> {
    const endpoint = req.endpointOverride ? new URL(req.endpointOverride) : await opts.aws.endpoints.for(target.region);
    const session = opts.aws.sessions.sessionFor(cluster);
    try {
      return await opts.remote.invoke(req, target, cluster.login, await session, endpoint);
    } catch (err) {
      if (!(err instanceof SessionExpired)) throw err;
      // Refused before anything ran: a new session, and the one call again.
      opts.aws.sessions.forget(cluster, session);
      return opts.remote.invoke(req, target, cluster.login, await opts.aws.sessions.sessionFor(cluster), endpoint).catch(expiredAsFailure);
    }
  }

  /** Invokes under way, and who waits for there to be none (a draining stop). */
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const server = createPgWireServer(
    {
      onClose(session) {
        foreignEncoding.delete(session.id);
      },
      async verifierFor(user) {
        // A retired login's sessions keep working; it opens no new one.
        const found = await opts.registry.byBridgeLogin(user);
        if (found && !found.retired) return found.verifier;
        opts.logger.warn({ login: user, known: Boolean(found), retired: found?.retired ?? false }, 'bridge login refused');
        return null;
      },
      async onQuery(session: SessionInfo, sql: string): Promise<QueryResult> {
        inFlight++;
        try {
          return await answer(session, sql);
        } finally {
          if (--inFlight === 0) idle?.();
        }
      },
    },
    { tls: opts.tls, logger: opts.logger },
  );

  async function answer(session: SessionInfo, sql: string): Promise<QueryResult> {
    const text = sql.trimStart();
    if (/^set\s/i.test(text)) return settingCommand(text, (enc) => foreignEncoding.set(session.id, enc));
    const version = requestVersion(text);
    if (version === 2) return answerV2(invoke(session, text));
    if (version !== 1) throw new PgError('0A000', 'the pglambda bridge only answers aws_lambda.invoke requests');
    try {
      const row = await invoke(session, text);
      return { columns: ROW_COLUMNS, rows: [cells(row)], command: 'SELECT 1' };
    } catch (err) {
      // invoke() has logged what is not a BridgeError.
      throw err instanceof BridgeError ? pgErrorOf(err) : toPgError(err);
    }
  }
  // Closing the bridge ends its sessions, as a stopping server does: net.Server.close alone waits
  // for every connection to end, and each database backend keeps its connection for its life (so
  // a stop would hang, and the old sessions would go on being served). A session cut while its
  // request is under way gets "Connection to endpoint lost" in SQL: the function may have run.
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
  return Object.assign(server, {
    metrics,
    async drain(timeoutMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => stopListening(() => resolve()));
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, timeoutMs).unref();
        });
      }
      // The last answers are written after their handler returned: ended, not destroyed, so they go out first.
      await new Promise((resolve) => setImmediate(resolve));
      for (const socket of sockets) socket.end();
      const ended = setTimeout(() => sockets.forEach((s) => s.destroy()), 1000).unref();
      await closed;
      clearTimeout(ended);
    },
  });
}

/** A version-2 answer: the row, or the error in its last four columns; never an ErrorResponse. */
async function answerV2(work: Promise<InvokeRow>): Promise<QueryResult> {
  let row: (string | null)[];
  try {
    row = [...cells(await work), null, null, null, null];
  } catch (err) {
    const e = err instanceof BridgeError ? pgErrorOf(err) : toPgError(err);
    row = [null, null, null, null, e.code, e.message, e.detail ?? null, e.hint ?? null];
  }
  return { columns: ROW_COLUMNS_V2, rows: [row], command: 'SELECT 1' };
}

const cells = (row: InvokeRow): (string | null)[] => [String(row.statusCode), row.payload, row.executedVersion, row.logResult];

const pgErrorOf = (err: BridgeError) => new PgError(err.sqlstate, err.message, { detail: err.detail, hint: err.hint });

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
