import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { APP_DATABASE, APP_ROLE, ensureAppDatabase, initCluster, isInitialized, SUPERUSER } from './cluster.js';
import { EmbeddedPostgresError, PortInUseError, PostgresStartError } from './errors.js';
import { locatePgdata, loadOrCreatePassword, prepareLayout, syncExtensionDirs, type ClusterLayout } from './layout.js';
import { assertPortFree } from './port.js';
import { quiet, type Log } from './log.js';
import { stopPostmaster, stopStalePostmaster } from './postmaster.js';
import { onOwnerDeath } from '../process/owner-watchdog.js';
import { PostmasterSupervisor, type LaunchedPostmaster } from './postmaster-supervisor.js';

export * from './errors.js';

export interface EmbeddedPostgresOptions {
  /** pglambda's data dir, e.g. `<cwd>/.pglambda`. */
  dataDir: string;
  port: number;
  /** Single address PostgreSQL listens on; defaults to 127.0.0.1. */
  host?: string;
  /** Folders holding extension `*.control` and `*.sql` files directly; see syncExtensionDirs. */
  extensionDirs?: string[];
  /** Start the server again should it end by itself (default true); see postmaster-supervisor.ts. */
  restartIfEnded?: boolean;
  log?: Log;
}

export interface RunningPostgres {
  /** Login role `pglambda` on database `pglambda`. */
  url: string;
  /** Bootstrap superuser `postgres` on database `postgres`. */
  superuserUrl: string;
  port: number;
  /** The postmaster's; another after a restart (see postmaster-supervisor.ts). */
  readonly pid: number;
  /** Fast shutdown; resolves once the postmaster has exited. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const host = opts.host ?? '127.0.0.1';
  const { port } = opts;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new EmbeddedPostgresError(`invalid PostgreSQL port ${port}`);
  const log = opts.log ?? quiet;
  const layout = await prepareLayout(opts.dataDir);
  const password = await loadOrCreatePassword(layout);
  const settings = [`listen_addresses=${host}`, `unix_socket_directories=${socketDir(layout.pgdata, port)}`];
  // Before initdb, so a wrong extension dir fails fast.
  if (opts.extensionDirs?.length) {
    settings.push(`extension_control_path=${await syncExtensionDirs(layout, opts.extensionDirs)}`);
  }
  await stopStalePostmaster(layout.pgdata, log);
  const name = `PostgreSQL ${layout.binaries.version.split('.')[0]}`;
  const fresh = !(await isInitialized(layout));
  log.info(`starting ${name}${fresh ? ` (first start: initdb in ${layout.pgdata})` : ''} …`);
  if (fresh) await initCluster(layout, password);
  // After the stale check: a server we left behind may be the one holding the port.
  await assertPortFree(host, port);

  const connectHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const stopServer = (pid: number) => stopPostmaster(pid, layout.pgdata, log);
  const launch = async (): Promise<LaunchedPostmaster> => {
    const server = await spawnPostmaster(layout, port, settings);
    try {
      const superuser = await waitUntilReady(server, layout, { host: connectHost, port, password });
      try {
        await ensureAppDatabase(superuser, password);
      } finally {
        await superuser.end();
      }
    } catch (err) {
      await stopServer(server.pid).catch((stopErr: Error) => log.warn(stopErr.message));
      throw err instanceof PostgresStartError && /Address already in use/.test(err.logTail) ? new PortInUseError(port, host) : err;
    }
    log.info(`${name} ready on ${host}:${port} (pid ${server.pid})`);
    // In a session of its own (a Ctrl-C must not abort it mid-transaction), it would outlive a
    // SIGKILL of pglambda; the next start would stop it, but meanwhile it holds the port and memory.
    return { pid: server.pid, exited: server.exited, watchdog: onOwnerDeath(`kill -INT ${server.pid} 2>/dev/null`) };
  };
  const supervisor = new PostmasterSupervisor(await launch(), opts.restartIfEnded === false ? undefined : launch, stopServer, log);

  const urlHost = connectHost.includes(':') ? `[${connectHost}]` : connectHost;
  const url = (user: string, db: string) => `postgres://${user}:${encodeURIComponent(password)}@${urlHost}:${port}/${db}`;
  let stopping: Promise<void> | undefined;
  return {
    url: url(APP_ROLE, APP_DATABASE),
    superuserUrl: url(SUPERUSER, 'postgres'),
    port,
    get pid() {
      return supervisor.pid;
    },
    stop: () => (stopping ??= supervisor.stop()),
  };
}

/** For the CLI: stop a server that a killed pglambda left running for `dataDir`; true if there was one. */
export async function stopStalePostgres(dataDir: string, log: Log = quiet): Promise<boolean> {
  return stopStalePostmaster(await locatePgdata(dataDir), log);
}

/**
 * The socket sits in the data directory, which only the PostgreSQL user can enter. When that
 * path is too long for a Unix socket we go without one: we only ever connect over TCP.
 */
function socketDir(pgdata: string, port: number): string {
  return Buffer.byteLength(join(pgdata, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH_BYTES ? pgdata : '';
}

interface SpawnedPostmaster {
  pid: number;
  /** Set once the process has exited, e.g. "code 1". */
  exitReason?: string;
  exited: Promise<string>;
  logOffset: number;
}

async function spawnPostmaster(layout: ClusterLayout, port: number, settings: string[]): Promise<SpawnedPostmaster> {
  const logFile = await open(layout.logFile, 'a', 0o600);
  try {
    const logOffset = (await logFile.stat()).size;
    const { runAs } = layout;
    const child = spawn(layout.binaries.postgres, ['-D', layout.pgdata, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], {
      // Its own session and process group: a Ctrl-C in the terminal must not abort PostgreSQL
      // mid-transaction; we shut it down ourselves. unref() lets Node exit while it keeps running.
      detached: true,
      stdio: ['ignore', logFile.fd, logFile.fd],
      cwd: layout.clusterRoot,
      // Run as another user, it must not look in our HOME: libpq inside it (dblink to the bridge)
      // reads ~/.postgresql/ for client certificates, and fails on a directory it may not enter.
      ...(runAs && { uid: runAs.uid, gid: runAs.gid, env: { ...process.env, HOME: layout.clusterRoot } }),
    });
    let exited!: (how: string) => void;
    const server: SpawnedPostmaster = { pid: 0, logOffset, exited: new Promise((resolve) => (exited = resolve)) };
    child.once('exit', (code, signal) => exited((server.exitReason = signal ? `signal ${signal}` : `code ${code}`)));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(new EmbeddedPostgresError(`could not run ${layout.binaries.postgres}: ${err.message}`, { cause: err })),
      );
    });
    child.unref();
    server.pid = child.pid!;
    return server;
  } finally {
    await logFile.close();
  }
}

async function waitUntilReady(
  server: SpawnedPostmaster,
  layout: ClusterLayout,
  conn: { host: string; port: number; password: string },
): Promise<pg.Client> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const fail = async (reason: string) => new PostgresStartError(reason, layout.logFile, await logTail(layout.logFile, server.logOffset));
  for (;;) {
    if (server.exitReason) throw await fail(`PostgreSQL exited during start-up (${server.exitReason})`);
    const client = new pg.Client({ ...conn, user: SUPERUSER, database: 'postgres', connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      return client;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '28P01') {
        throw await fail(
          `PostgreSQL rejected the password in ${layout.passwordFile}; restore the file it was created with, ` +
            `or delete ${layout.pgdata} to start over with an empty database`,
        );
      }
      // Refused or "starting up" (57P03) are expected until the postmaster is ready.
      if (code !== undefined && code !== 'ECONNREFUSED' && code !== 'ECONNRESET' && code !== '57P03') {
        throw await fail(`could not connect to PostgreSQL: ${(err as Error).message}`);
      }
    }
    if (Date.now() > deadline) throw await fail(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function logTail(logFile: string, offset: number, maxLines = 30): Promise<string> {
  const file = await open(logFile, 'r');
  try {
    const { size } = await file.stat();
    const start = Math.max(offset, size - 16_384);
    const { buffer, bytesRead } = await file.read(Buffer.alloc(size - start), 0, size - start, start);
    return buffer.subarray(0, bytesRead).toString('utf8').trimEnd().split('\n').slice(-maxLines).join('\n');
  } finally {
    await file.close();
  }
}
