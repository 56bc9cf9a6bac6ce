/**
 * `pglambda bridge`: the bridge alone, stateless. Clusters, logins and AWS bindings are read from
 * the state database, so replicas behind one address serve the same clusters, and each follows
 * the others' changes (LISTEN/NOTIFY). It serves clusters bound to AWS; pglambda's own Lambda runs
 * only inside `pglambda up`.
 */
import pg from 'pg';
import { ClusterRegistry } from '../rds/store/cluster-registry.js';
import type { Logger } from '../log/logger.js';
import { migrate } from '../state/migrate.js';
import { startHealth } from './health.js';
import { startBridge } from './start-bridge.js';
import { stateMigrations } from './state-schema.js';

export interface StandaloneBridgeOptions {
  /** pglambda's state database (`pglambda up` keeps it in database `pglambda` of its PostgreSQL). */
  stateUrl: string;
  host: string;
  port: number;
  /** `/healthz` and `/readyz`. */
  healthPort: number;
  tls?: { certFile: string; keyFile: string; optional?: boolean };
  logger: Logger;
}

export interface RunningStandaloneBridge {
  port: number;
  healthPort: number;
  /** Graceful: not ready, no new connection, in-flight invokes finish (up to `timeoutMs`), then everything closes. */
  stop(timeoutMs?: number): Promise<void>;
}

const DRAIN_MS = 30_000;

export async function startStandaloneBridge(opts: StandaloneBridgeOptions): Promise<RunningStandaloneBridge> {
  const db = new pg.Pool({ connectionString: opts.stateUrl, max: 8 });
  const { logger } = opts;
  db.on('error', (err) => logger.error({ err: err.message }, 'state database connection failed'));
  let draining = false;
  try {
    await migrate(db, stateMigrations);
    const registry = new ClusterRegistry(db);
    await registry.follow();
    const bridge = await startBridge(registry, { host: opts.host, port: opts.port, tls: opts.tls, logger });
    const health = await startHealth(opts.host, opts.healthPort, {
      ready: async () => {
        if (draining) throw new Error('draining');
        await db.query('select 1');
      },
      metrics: async () => ({ contentType: bridge.metrics.contentType, text: await bridge.metrics.text() }),
    });
    logger.info({ host: opts.host, port: bridge.port, tls: Boolean(opts.tls), healthPort: health.port }, 'bridge ready');
    let stopping: Promise<void> | undefined;
    return {
      port: bridge.port,
      healthPort: health.port,
      stop: (timeoutMs = DRAIN_MS) =>
        (stopping ??= (async () => {
          logger.info({ timeoutMs }, 'draining');
          draining = true;
          await bridge.drain(timeoutMs);
          await health.close();
          registry.stopFollowing();
          await db.end();
          logger.info('stopped');
        })()),
    };
  } catch (err) {
    await db.end().catch(() => undefined);
    throw err;
  }
}
