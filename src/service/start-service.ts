/**
 * The composition root: pglambda's own PostgreSQL, its schema, the Lambda domain and the AWS
 * endpoint, started in that order and stopped in reverse.
 */
import { join } from 'node:path';
import pg from 'pg';
import { AwsEndpoint } from '../aws/server.js';
import { lambdaService } from '../aws/lambda/index.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres.js';
import { CodeStore } from '../lambda/code-store.js';
import { PidFile, stopLeftovers } from '../lambda/environments/leftovers.js';
import { EnvironmentPool } from '../lambda/environments/pool.js';
import { EventQueue } from '../lambda/invoke/event-queue.js';
import { EventWorker } from '../lambda/invoke/event-worker.js';
import { Invoker } from '../lambda/invoke/invoker.js';
import { LogStore } from '../lambda/invoke/log-store.js';
import { FunctionStore } from '../lambda/store/function-store.js';
import { lambdaMigrations } from '../lambda/store/schema.js';
import { migrate } from '../state/migrate.js';
import { lockDataDir } from './instance-lock.js';

export interface ServiceOptions {
  dataDir: string;
  host: string;
  /** AWS endpoint port; 0 picks a free one. */
  port: number;
  pgPort: number;
  maxEnvironments: number;
  idleMs: number;
  asyncConcurrency: number;
  asyncRetryBaseMs: number;
  log?: (line: string) => void;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 4575,
  pgPort: 5488,
  maxEnvironments: 16,
  idleMs: 10 * 60_000,
  asyncConcurrency: 8,
  asyncRetryBaseMs: 60_000,
} as const;

export interface RunningService {
  endpoint: string;
  port: number;
  postgres: RunningPostgres;
  pool: EnvironmentPool;
  logs: LogStore;
  events: EventQueue;
  stop(): Promise<void>;
}

export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const log = opts.log ?? (() => {});
  const unlock = await lockDataDir(opts.dataDir);
  let postgres: RunningPostgres;
  try {
    postgres = await startEmbeddedPostgres({ dataDir: opts.dataDir, port: opts.pgPort, host: opts.host, log });
  } catch (err) {
    await unlock();
    throw err;
  }
  const db = new pg.Pool({ connectionString: postgres.url, max: opts.asyncConcurrency + 8 });
  // An idle client's connection can drop when PostgreSQL restarts; the pool replaces it.
  db.on('error', (err) => log(`state database: ${err.message}`));
  try {
    await migrate(db, lambdaMigrations);
    const store = new FunctionStore(db);
    const code = new CodeStore(join(opts.dataDir, 'code'));
    await code.linkSharedModules();
    const pidFile = join(opts.dataDir, 'environments.pids');
    const leftovers = stopLeftovers(pidFile);
    if (leftovers) log(`stopped ${leftovers} function process(es) left by an earlier run`);
    const pool = new EnvironmentPool({ maxEnvironments: opts.maxEnvironments, idleMs: opts.idleMs, pidFile: new PidFile(pidFile) });
    const logs = new LogStore(db);
    const invoker = new Invoker(store, code, pool, logs);
    const events = new EventQueue(db);
    const worker = new EventWorker(events, invoker, store, {
      concurrency: opts.asyncConcurrency,
      retryBaseMs: opts.asyncRetryBaseMs,
      throttleDelayMs: Math.min(1000, opts.asyncRetryBaseMs),
    });
    const endpoint = new AwsEndpoint({ host: opts.host, port: opts.port, services: [lambdaService({ store, code, invoker, events, logs })] });
    const port = await endpoint.listen();
    worker.start();
    let stopping: Promise<void> | undefined;
    const stop = async () => {
      await endpoint.close();
      await worker.stop();
      pool.shutdown();
      await logs.flush();
      await db.end();
      await postgres.stop();
      await unlock();
    };
    return {
      endpoint: `http://${opts.host}:${port}`,
      port,
      postgres,
      pool,
      logs,
      events,
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    await db.end().catch(() => undefined);
    await postgres.stop();
    await unlock();
    throw err;
  }
}
