/** `pglambda up`: start pglambda's PostgreSQL and AWS endpoint, print what to paste, stop cleanly. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { LEVELS } from '../log/levels.js';
import { DEFAULTS } from '../service/defaults.js';
import type { RunningService } from '../service/start-service.js';
import { configurable } from './config.js';
import { bridgeTlsArg, defaultDataDir, intArg, pythonsArg } from './options.js';

interface UpOptions {
  dataDir: string;
  host: string;
  port: number;
  pgPort: number;
  bridgePort: number;
  maxEnvironments: number;
  idleTimeout: number;
  asyncRetryBaseMs: number;
  examples: boolean;
  enforceIam: boolean;
  verifySignatures: boolean;
  logRetentionDays: number;
  python?: Record<string, string>;
  bridgeTlsCert?: string;
  bridgeTlsKey?: string;
  bridgeTlsOptional?: boolean;
  logLevel: string;
}

export function upCommand(): Command {
  return configurable(
    new Command('up')
      .description('start the local Lambda service and its embedded PostgreSQL')
      // Absolute whatever the source: function processes run elsewhere and read paths under it.
      .option('--data-dir <dir>', 'where state lives', (dir: string) => resolve(dir), defaultDataDir())
      .option('--host <addr>', 'address to bind', DEFAULTS.host)
      .option('--port <n>', 'AWS endpoint port', intArg(0, 65535), DEFAULTS.port)
      .option('--pg-port <n>', 'embedded PostgreSQL port', intArg(1, 65535), DEFAULTS.pgPort)
      .option('--bridge-port <n>', 'port aws_lambda.invoke connects to', intArg(0, 65535), DEFAULTS.bridgePort)
      .option('--max-environments <n>', 'function processes this machine runs at once', intArg(1), DEFAULTS.maxEnvironments)
      .option('--log-retention-days <days>', 'how long invocation logs are kept (0: forever)', intArg(0, 3653), DEFAULTS.logRetentionDays)
      .option('--idle-timeout <seconds>', 'how long an idle function process stays warm', intArg(1), DEFAULTS.idleMs / 1000)
      .option(
        '--async-retry-base-ms <ms>',
        'delay before the nth retry of a failed Event invocation is n × this',
        intArg(0),
        DEFAULTS.asyncRetryBaseMs,
      )
      .option(
        '--python <runtime=interpreter,…>',
        'the interpreter of a Python runtime, when not python3.X on PATH (e.g. python3.12=/opt/python3.12/bin/python3)',
        pythonsArg,
      )
      .option('--no-examples', "start without the reference's my-function (to follow its access steps from scratch)")
      .option('--no-enforce-iam', 'do not authorize requests by IAM: every caller, and every cluster from SQL, may do everything')
      .option(
        '--bridge-tls-cert <file>',
        'PEM certificate for TLS on the bridge port (with --bridge-tls-key); plaintext logins are then refused',
      )
      .option('--bridge-tls-key <file>', 'PEM private key of that certificate')
      .option('--bridge-tls-optional', 'with TLS on the bridge, still accept plaintext logins')
      .option(
        '--no-verify-signatures',
        'identify requests by their access key id alone, whatever secret signed them (for tools that sign with a made-up secret)',
      )
      .addOption(
        new Option('--log-level <level>', 'log lines on stderr from this level (JSON unless stderr is a terminal); debug adds each request')
          .choices(LEVELS)
          .default('info'),
      )
      .action(async (o: UpOptions) => {
        if (Boolean(o.bridgeTlsCert) !== Boolean(o.bridgeTlsKey)) throw new Error('--bridge-tls-cert and --bridge-tls-key go together');
        const { PortInUseError } = await import('../db/embedded-postgres.js');
        const { createLogger, logProcessWarnings } = await import('../log/logger.js');
        const { startService } = await import('../service/start-service.js');
        // In step with the banner on stdout: what the start said comes before it.
        const logger = createLogger({ name: 'pglambda', level: o.logLevel, sync: true });
        logProcessWarnings(logger);
        let service: RunningService;
        try {
          service = await startService({
            dataDir: o.dataDir,
            host: o.host,
            port: o.port,
            pgPort: o.pgPort,
            bridgePort: o.bridgePort,
            maxEnvironments: o.maxEnvironments,
            idleMs: o.idleTimeout * 1000,
            logRetentionDays: o.logRetentionDays,
            asyncConcurrency: DEFAULTS.asyncConcurrency,
            asyncRetryBaseMs: o.asyncRetryBaseMs,
            examples: o.examples,
            pythons: o.python,
            enforceIam: o.enforceIam,
            verifySignatures: o.verifySignatures,
            bridgeTls: bridgeTlsArg(o),
            rootSecretAccessKey: rootSecret() ?? DEFAULTS.rootSecretAccessKey,
            logger,
          });
        } catch (err) {
          if (err instanceof PortInUseError) throw new Error(`${err.message}`);
          const e = err as NodeJS.ErrnoException & { port?: number };
          if (e.code === 'EADDRINUSE') {
            const flag = e.port === o.bridgePort ? '--bridge-port' : '--port';
            throw new Error(`port ${e.port ?? o.port} on ${o.host} is in use; pass ${flag} to choose another`);
          }
          throw err;
        }
        printBanner(service, o);
        let signals = 0;
        const shutdown = (signal: string) => {
          if (++signals > 1) process.exit(130);
          console.log(`\n${signal}: stopping pglambda…`);
          service.stop().then(
            () => {
              console.log('pglambda stopped.');
              process.exit(0);
            },
            (err: Error) => {
              logger.error({ err }, 'stop failed');
              process.exit(1);
            },
          );
        };
        process.on('SIGINT', () => shutdown('SIGINT'));
        process.on('SIGTERM', () => shutdown('SIGTERM'));
      }),
  );
}

/** The root keys' secret, from the environment rather than a flag, so it never shows in `ps`. */
const rootSecret = () => process.env.PGLAMBDA_ROOT_SECRET || undefined;

function printBanner(s: RunningService, o: UpOptions): void {
  console.log(`pglambda is up.
  AWS endpoint  ${s.endpoint}  (Lambda)
  Bridge        127.0.0.1:${s.bridge.port}  (what aws_lambda.invoke connects to)
  PostgreSQL    127.0.0.1:${s.postgres.port}  (PostgreSQL 18: aws_lambda installed in database postgres, as cluster my-db-cluster)
  Data          ${o.dataDir}

Paste into a shell:
  export AWS_ENDPOINT_URL=${s.endpoint}
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=${rootSecret() === undefined ? 'test' : '"$PGLAMBDA_ROOT_SECRET"'} AWS_DEFAULT_REGION=us-west-2
  export DATABASE_URL=${s.postgres.superuserUrl}

Then: psql "$DATABASE_URL" -c "SELECT * FROM aws_lambda.invoke('my-function', '{\\"body\\": \\"Hello from Postgres!\\"}'::json)"
Older aws CLIs ignore AWS_ENDPOINT_URL: pass --endpoint-url ${s.endpoint} instead.
Ctrl-C stops.`);
}
