/** `pglambda bridge`: the bridge alone, for clusters bound to AWS, as replicas sharing one state database. */
import { Command } from 'commander';
import { DEFAULTS } from '../service/defaults.js';
import { configurable } from './config.js';
import { bridgeTlsArg, intArg } from './options.js';

interface BridgeCliOptions {
  stateUrl?: string;
  host: string;
  port: number;
  healthPort: number;
  bridgeTlsCert?: string;
  bridgeTlsKey?: string;
  bridgeTlsOptional?: boolean;
  drainSeconds: number;
  logLevel: string;
  logPayloads?: boolean;
}

export function bridgeCommand(): Command {
  return configurable(
    new Command('bridge')
      .description('run the bridge alone (stateless; replicas share the state database) for clusters bound to AWS')
      .option('--state-url <url>', "pglambda's state database")
      .option('--host <addr>', 'address to bind', DEFAULTS.host)
      .option('--port <n>', 'the port aws_lambda.invoke connects to', intArg(0, 65535), DEFAULTS.bridgePort)
      .option('--health-port <n>', 'HTTP port of /healthz and /readyz', intArg(0, 65535), DEFAULTS.bridgePort + 1)
      .option('--bridge-tls-cert <file>', 'PEM certificate for TLS (with --bridge-tls-key); plaintext logins are then refused')
      .option('--bridge-tls-key <file>', 'PEM private key of that certificate')
      .option('--bridge-tls-optional', 'with TLS, still accept plaintext logins')
      .option('--drain-seconds <s>', 'on SIGTERM, how long in-flight invokes may take to finish', intArg(0, 3600), 30)
      .option(
        '--log-level <level>',
        'log lines on stderr from this level (JSON unless stderr is a terminal): error, warn, info, debug (each invoke)',
        'info',
      )
      .option('--log-payloads', 'keep payload fields in debug lines (credentials are always redacted)')
      .action(async (o: BridgeCliOptions) => {
        if (!o.stateUrl)
          throw new Error('--state-url (or PGLAMBDA_STATE_URL) is required: the state database that holds clusters and logins');
        if (Boolean(o.bridgeTlsCert) !== Boolean(o.bridgeTlsKey)) throw new Error('--bridge-tls-cert and --bridge-tls-key go together');
        const { createLogger, logProcessWarnings } = await import('../log/logger.js');
        const { startStandaloneBridge } = await import('../service/start-standalone-bridge.js');
        const logger = createLogger({ name: 'pglambda-bridge', level: o.logLevel, payloads: o.logPayloads });
        logProcessWarnings(logger);
        const bridge = await startStandaloneBridge({
          stateUrl: o.stateUrl,
          host: o.host,
          port: o.port,
          healthPort: o.healthPort,
          tls: bridgeTlsArg(o),
          logger,
        });
        let signals = 0;
        const shutdown = (signal: string) => {
          if (++signals > 1) process.exit(130);
          logger.info({ signal }, 'stopping');
          bridge.stop(o.drainSeconds * 1000).then(
            () => logger.flush(() => process.exit(0)),
            (err: Error) => {
              logger.error({ err: err.message }, 'stop failed');
              logger.flush(() => process.exit(1));
            },
          );
        };
        process.on('SIGINT', () => shutdown('SIGINT'));
        process.on('SIGTERM', () => shutdown('SIGTERM'));
      }),
  );
}
