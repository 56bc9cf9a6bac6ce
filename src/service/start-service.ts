/**
 * The composition root: pglambda's own PostgreSQL, its schema, the Lambda domain and the AWS
 * endpoint, started in that order and stopped in reverse.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { AwsEndpoint } from '../aws/server.js';
import { createLambda } from '../aws/lambda/index.js';
import { CodeUrls } from '../aws/lambda/code-url.js';
import { iamService } from '../aws/iam/index.js';
import { IamStore } from '../iam/store/iam-store.js';
import { createSts, stsService } from '../aws/sts/index.js';
import { rdsService } from '../aws/rds/index.js';
import { ClusterStore } from '../rds/store/cluster-store.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres.js';
import { CodeStore } from '../lambda/code-store.js';
import { PidFile, stopLeftovers } from '../lambda/environments/leftovers.js';
import { EnvironmentPool } from '../lambda/environments/pool.js';
import { PythonInterpreters } from '../lambda/environments/python-interpreter.js';
import { EventQueue } from '../lambda/invoke/event-queue.js';
import { EventWorker } from '../lambda/invoke/event-worker.js';
import { Invoker } from '../lambda/invoke/invoker.js';
import type { Logger } from '../log/logger.js';
import { createLogs } from '../logs/index.js';
import { logsService } from '../aws/logs/index.js';
import { FunctionStore } from '../lambda/store/function-store.js';
import { FunctionPolicyStore } from '../lambda/store/policy-store.js';
import { migrate } from '../state/migrate.js';
import { stateMigrations } from './state-schema.js';
import { CodeCollector } from './code-collector.js';
import { lockDataDir } from './instance-lock.js';
import { preflight } from './preflight.js';
import { ClusterRegistry } from '../rds/store/cluster-registry.js';
import { clusterService } from '../aws/rds/cluster-routes.js';
import { startBridge, type RunningBridge } from './start-bridge.js';
import { deployExamples, installIntoEmbedded, stageExtensions } from './embedded-setup.js';
import { enrollNewDatabases } from './embedded-enrollment.js';
import { ensureDefaultRole } from './default-role.js';
import { executionCredentials } from './execution-credentials.js';
import { createStarterAccess, noteStarterAccessLeft } from './starter-access.js';
import { RoleCredentials } from '../bridge/role-credentials.js';
import { rootIdentity } from '../aws/sts/identity.js';
import { Authenticator, rootKeySecret } from '../aws/auth/authenticate.js';
import { rootCredentials } from './root-credentials.js';

export interface ServiceOptions {
  dataDir: string;
  host: string;
  /** AWS endpoint port; 0 picks a free one. */
  port: number;
  pgPort: number;
  /** Port of the bridge `aws_lambda.invoke` connects to; 0 picks a free one. */
  bridgePort: number;
  maxEnvironments: number;
  idleMs: number;
  /** Invocations an execution environment serves before it is retired (tests lower it; see pool.ts). */
  invocationsPerEnvironment?: number;
  /** Days a log group without a retention policy of its own keeps its events; 0 keeps them forever. */
  logRetentionDays: number;
  asyncConcurrency: number;
  asyncRetryBaseMs: number;
  /** Deploy the reference's my-function and the starter role that lets my-db-cluster invoke it. */
  examples: boolean;
  /**
   * Authorize every Lambda request and every SQL invoke by IAM (on by default). Off, any caller may
   * do anything and the bridge calls Lambda as the cluster's account, without a role; a function's
   * execution role need not exist (its processes then get no credentials).
   */
  enforceIam: boolean;
  /**
   * Check every request's SigV4 signature against its key's secret (on by default). Off, a request
   * is identified by its access key id alone, whatever secret signed it.
   */
  verifySignatures: boolean;
  /** The secret of the root keys (`test` and 12-digit account ids). */
  rootSecretAccessKey: string;
  /** The interpreter of a Python runtime, when not `python3.X` on PATH: `{ "python3.12": "/opt/py312/bin/python3" }`. */
  pythons?: Record<string, string>;
  /** TLS on the bridge's wire port: PEM certificate and key; plaintext logins are refused unless `optional`. */
  bridgeTls?: { certFile: string; keyFile: string; optional?: boolean };
  /** Progress of the start at info; each part logs through a child naming it (`component`). */
  logger: Logger;
}

/** How long a clean stop lets running Event invocations finish before it cuts them short. */
const STOP_GRACE_MS = 5_000;

export interface RunningService {
  endpoint: string;
  port: number;
  bridge: RunningBridge;
  postgres: RunningPostgres;
  pool: EnvironmentPool;
  stop(): Promise<void>;
}

export async function startService(given: ServiceOptions): Promise<RunningService> {
  // Function processes get paths under it (LAMBDA_TASK_ROOT) and run in another directory.
  const opts = { ...given, dataDir: resolve(given.dataDir) };
  const { logger } = opts;
  // Each part that started pushes its stop; a failure part-way, or stop(), unwinds in reverse.
  const stops: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const created = !existsSync(opts.dataDir);
    stops.push(await lockDataDir(opts.dataDir));
    await preflight(opts, logger).catch(async (err: unknown) => {
      // Nothing but the lock is in a data dir this start made: it goes with the failure.
      if (created) await rm(opts.dataDir, { recursive: true, force: true });
      throw err;
    });
    const extensionDirs = [await stageExtensions(opts.dataDir)];
    const postgres = await startEmbeddedPostgres({
      dataDir: opts.dataDir,
      port: opts.pgPort,
      host: opts.host,
      extensionDirs,
      log: logger.child({ component: 'postgres' }),
    });
    stops.push(() => postgres.stop());
    const db = new pg.Pool({ connectionString: postgres.url, max: opts.asyncConcurrency + 8 });
    // An idle client's connection can drop when PostgreSQL restarts; the pool replaces it.
    const dropped = (err: Error) => logger.warn({ err: err.message }, 'a state database connection failed');
    db.on('error', dropped);
    stops.push(() => {
      // end() resolves while connections are still closing; PostgreSQL's stop then cuts them, which is no trouble.
      db.off('error', dropped).on('error', () => {});
      return db.end();
    });
    await step(logger, "pglambda's state schema", () => migrate(db, stateMigrations));

    const store = new FunctionStore(db);
    const code = new CodeStore(join(opts.dataDir, 'code'));
    await code.linkSharedModules();
    const pidFile = join(opts.dataDir, 'environments.pids');
    const leftovers = stopLeftovers(pidFile);
    if (leftovers) logger.info(`stopped ${leftovers} function process(es) left by an earlier run`);
    const pids = new PidFile(pidFile);
    const pool = new EnvironmentPool({
      maxEnvironments: opts.maxEnvironments,
      idleMs: opts.idleMs,
      pidFile: pids,
      invocationsPerEnvironment: opts.invocationsPerEnvironment,
    });
    const watchdog = pids.watchOwner();
    stops.push(() => watchdog.stop());
    const collector = new CodeCollector(db, code, pool, logger.child({ component: 'code' }));
    await collector.start();
    stops.push(() => collector.stop());
    const logs = createLogs(db, opts.logRetentionDays, logger.child({ component: 'logs' }));
    await logs.retention.start();
    stops.push(
      () => logs.retention.stop(),
      () => logs.writer.close(),
      () => pool.shutdown(),
    );
    const iamStore = new IamStore(db);
    const sts = createSts(db, iamStore);
    // Known once the endpoint listens, before anything can invoke.
    let awsEndpointUrl: string | undefined;
    const pythons = new PythonInterpreters(opts.pythons);
    const invoker = new Invoker(store, code, pool, logs.writer, executionCredentials(sts, opts.enforceIam), {
      awsEndpointUrl: () => awsEndpointUrl,
      python: (runtime) => pythons.for(runtime),
    });
    const eventLogger = logger.child({ component: 'events' });
    const events = new EventQueue(db, eventLogger);
    const worker = new EventWorker(
      events,
      invoker,
      store,
      {
        concurrency: opts.asyncConcurrency,
        retryBaseMs: opts.asyncRetryBaseMs,
        throttleDelayMs: Math.min(1000, opts.asyncRetryBaseMs),
      },
      eventLogger,
    );
    const registry = new ClusterRegistry(db);
    // Logins installs write straight into the state database (`pglambda install --state-url`), or a standalone bridge retires.
    await registry.follow();
    stops.push(() => registry.stopFollowing());
    const clusters = new ClusterStore(db);
    let bridgePort = opts.bridgePort;
    const lambda = createLambda({
      store,
      code,
      invoker,
      events,
      logs: logs.invocations,
      sts,
      enforceIam: opts.enforceIam,
      policies: new FunctionPolicyStore(db),
      codeUrls: new CodeUrls(),
    });
    const root = rootCredentials(opts.rootSecretAccessKey);
    const endpoint = new AwsEndpoint({
      host: opts.host,
      port: opts.port,
      authenticator: new Authenticator(
        async (key) => rootKeySecret(key, opts.rootSecretAccessKey) ?? (await sts.identities.secretOf(key)),
        opts.verifySignatures,
      ),
      accountOfSessionKey: async (key) => (await sts.identities.resolveAccessKey(key)).accountId,
      logger: logger.child({ component: 'aws' }),
      services: [
        clusterService({
          registry,
          clusters,
          bridge: () => ({ host: opts.host, port: bridgePort }),
          // The service loads each AWS SDK client on the one path that uses it, so a start and each
          // test file do not pay for parsing all four (the doctor's STS and Lambda clients here).
          diagnose: async (cluster, functionName) => (await import('../bridge/aws-doctor.js')).diagnose(cluster, functionName),
          identities: sts.identities,
          roles: sts.roles,
          enforceIam: opts.enforceIam,
        }),
        lambda.api,
        iamService(iamStore, opts.enforceIam ? { identities: sts.identities, roles: sts.roles } : undefined),
        stsService(sts),
        logsService({ logs, identities: sts.identities, roles: sts.roles, enforceIam: opts.enforceIam }),
        rdsService({
          clusters,
          iam: iamStore,
          identities: sts.identities,
          roles: sts.roles,
          enforceIam: opts.enforceIam,
          rdsMayAssume: async (roleArn, c) =>
            (await sts.assumer.serviceMayAssume(roleArn, 'rds.amazonaws.com', c.identifier, {
              'aws:SourceArn': c.arn,
              'aws:SourceAccount': c.accountId,
            })) !== undefined,
        }),
      ],
    });
    const port = await endpoint.listen();
    const endpointUrl = `http://${opts.host}:${port}`;
    awsEndpointUrl = endpointUrl;
    stops.push(() => endpoint.close());
    const roleCredentials = new RoleCredentials({
      roleForLambda: (c) => clusters.roleForFeature(c.accountId, c.region, c.identifier, 'Lambda'),
      assumeForRds: (roleArn, session, source) => sts.assumer.assumeRoleForService(roleArn, 'rds.amazonaws.com', session, source),
      generation: () => iamStore.generation + clusters.generation,
    });
    const bridge = await startBridge(registry, {
      host: opts.host,
      port: opts.bridgePort,
      own: {
        invocations: lambda.invocations,
        // Without IAM a cluster calls Lambda as its account's root (a 12-digit key selects the account).
        sessionFor: opts.enforceIam
          ? (cluster) => roleCredentials.sessionFor(cluster)
          : async (cluster) => ({
              credentials: { accessKeyId: cluster.accountId, secretAccessKey: opts.rootSecretAccessKey },
              identity: rootIdentity(cluster.accountId),
            }),
      },
      tls: opts.bridgeTls,
      logger: logger.child({ component: 'bridge' }),
    });
    bridgePort = bridge.port;
    stops.push(() => bridge.close());
    logger.info(`listening on ${endpointUrl} (AWS API) and ${opts.host}:${bridge.port} (bridge)`);
    // Two independent chains: the starter access needs my-db-cluster, which the install registers;
    // my-function needs its execution role.
    await allSettled([
      (async () => {
        await step(logger, 'aws_lambda in database postgres', () =>
          installIntoEmbedded(postgres.superuserUrl, bridge.registry, { host: opts.host, port: bridge.port }),
        );
        await step(logger, 'aws_lambda for new databases', () =>
          enrollNewDatabases(postgres.superuserUrl, bridge.registry, { host: opts.host, port: bridge.port }),
        );
        if (opts.examples) await step(logger, 'starter access for my-db-cluster', () => createStarterAccess(endpointUrl, root));
        else await noteStarterAccessLeft(clusters, opts.dataDir, logger);
      })(),
      (async () => {
        await step(logger, 'execution role pglambda-default', () => ensureDefaultRole(endpointUrl, root, iamStore));
        if (opts.examples) await step(logger, 'example my-function', () => deployExamples(endpointUrl, root));
      })(),
    ]);
    worker.start();
    stops.push(async () => {
      await worker.stop(STOP_GRACE_MS, () => void pool.shutdown());
      await pool.shutdown();
    });

    let stopping: Promise<void> | undefined;
    return {
      endpoint: endpointUrl,
      port,
      bridge,
      postgres,
      pool,
      stop: () => (stopping ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** Brackets one part of the start with progress lines, so a slow part is never silent. */
async function step<T>(logger: Logger, name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  logger.info(`${name} …`);
  const result = await run();
  logger.info(`${name}: done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return result;
}

/** Like Promise.all, but waits for every part: the unwind must not stop what a part still uses. */
async function allSettled(parts: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(parts)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
