/**
 * `pglambda install --database-url URL --cluster ID`: puts aws_lambda into a database and points it
 * at this pglambda as cluster ID. Uses CREATE EXTENSION where the server has our extension files
 * (PGXS install, the embedded server), else creates the same objects from plain SQL. Run again, it
 * brings an older aws_lambda to the current version (ALTER EXTENSION UPDATE, or the upgrade scripts).
 */
import { Command } from 'commander';
import { DEFAULT_CLUSTER } from '../rds/store/cluster-registry.js';
import type { BridgeLogin } from './bridge-logins.js';
import { cliRegion, defaultEndpoint, intArg } from './options.js';

interface InstallOptions {
  databaseUrl?: string;
  cluster: string;
  region: string;
  endpointUrl: string;
  bridgeHost?: string;
  awsRoleArn?: string;
  externalId?: string;
  localLambda?: boolean;
  bridgeSslmode?: string;
  bridgeSslrootcert?: string;
  stateUrl?: string;
  bridgePort?: number;
  printSql?: boolean;
  newDatabases?: boolean;
}

export function installCommand(): Command {
  return new Command('install')
    .description('install aws_lambda into a database and point it at this pglambda')
    .option('--database-url <url>', 'the database to install into (as its owner or a superuser)')
    .option('--print-sql', 'connect to no database: print the plain-SQL script, with a new bridge login, for an administrator to run')
    .option('--cluster <id>', 'the DB cluster this database stands for', DEFAULT_CLUSTER.identifier)
    .option('--region <region>', "the cluster's region", cliRegion())
    .option('--endpoint-url <url>', 'the pglambda endpoint', defaultEndpoint())
    .option('--bridge-host <host>', 'address the database reaches the bridge at (default: the one pglambda binds)')
    .option(
      '--aws-role-arn <arn>',
      'bind the cluster to AWS Lambda: the bridge assumes this role there (with its own AWS credentials) and invokes as it',
    )
    .option('--external-id <id>', "the external id the role's trust policy requires (sts:ExternalId)")
    .option('--local-lambda', "bind the cluster back to pglambda's own Lambda")
    .option(
      '--bridge-sslmode <mode>',
      'libpq sslmode for the connection to the bridge (verify-full with a bridge started with --bridge-tls-cert)',
    )
    .option('--bridge-sslrootcert <file>', "CA certificate that signed the bridge's, as a path on the database server")
    .option(
      '--state-url <url>',
      "register the login in pglambda's state database directly, for standalone bridges (pglambda bridge); needs --bridge-host and --bridge-port",
    )
    .option('--bridge-port <n>', 'port the database reaches the bridge at (default: the one pglambda listens on)', intArg(1, 65535))
    .option(
      '--new-databases',
      'enroll this database as a template (template1): a database made from it later gets aws_lambda pointed at the bridge when it runs CREATE EXTENSION aws_lambda; the server needs the extension files (PGXS)',
    )
    .action(async (o: InstallOptions) => {
      if (o.awsRoleArn && o.localLambda) throw new Error('pass --aws-role-arn or --local-lambda, not both');
      if (o.externalId && !o.awsRoleArn) throw new Error('--external-id goes with --aws-role-arn');
      if (o.stateUrl && (!o.bridgeHost || !o.bridgePort))
        throw new Error('--state-url needs --bridge-host and --bridge-port: where the database reaches the bridges');
      if (!o.databaseUrl && !o.printSql) throw new Error('pass --database-url, or --print-sql to print the script instead');
      const { default: pg } = await import('pg');
      const { AWS_LAMBDA_VERSION, configureBridge, configureBridgeTls, databaseIdentity, installAwsLambda, moveToNewLogin } = await import(
        '../bridge/install.js'
      );
      const { enroll } = await import('../bridge/enrollment.js');
      const { loginsFor } = await import('./bridge-logins.js');
      const binding = o.awsRoleArn ? { roleArn: o.awsRoleArn, externalId: o.externalId } : o.localLambda ? null : undefined;
      const logins = await loginsFor({ ...o, binding });
      if (o.printSql) {
        try {
          process.stdout.write(await scriptFor(o, await logins.issue(undefined)));
        } finally {
          await logins.close();
        }
        return;
      }
      const client = new pg.Client({ connectionString: o.databaseUrl });
      await client.connect();
      try {
        if (o.newDatabases) {
          const bridge = await logins.issue(await databaseIdentity(client));
          await enroll(client, bridge);
          console.log(
            `databases made from ${client.database} from now on get aws_lambda at CREATE EXTENSION, as cluster ${o.cluster} (${o.region}), bridge ${bridge.host}:${bridge.port}`,
          );
          return;
        }
        // This database's own login is replaced; other databases of the cluster keep theirs. The login
        // is issued before anything is installed, so an unreachable pglambda changes nothing here.
        const available = await client.query(`select 1 from pg_available_extensions where name = 'aws_lambda'`);
        const how = (available.rowCount ?? 0) > 0 ? 'extension' : 'plain-sql';
        const { issued: bridge, configured: outcome } = await moveToNewLogin(client, logins, async (login) => {
          const installed = await installAwsLambda(client, how);
          await configureBridge(client, login);
          await configureBridgeTls(client, { sslmode: o.bridgeSslmode, sslrootcert: o.bridgeSslrootcert });
          return installed;
        });
        const what =
          outcome.action === 'updated'
            ? `updated from ${outcome.from} to ${AWS_LAMBDA_VERSION}; bridge login renewed`
            : outcome.action === 'current'
              ? 'already installed; bridge login renewed'
              : how === 'extension'
                ? 'installed with CREATE EXTENSION'
                : 'installed from plain SQL';
        const lambda = o.awsRoleArn
          ? `; invokes go to AWS Lambda as ${o.awsRoleArn}`
          : o.localLambda
            ? "; invokes go to pglambda's own Lambda"
            : '';
        console.log(
          `aws_lambda ${what} in ${client.database}, as cluster ${o.cluster} (${o.region}), bridge ${bridge.host}:${bridge.port}${lambda}`,
        );
      } finally {
        await client.end();
        await logins.close();
      }
    });
}

/** What an administrator runs instead: the plain install, its bridge login, and the TLS options asked for. */
async function scriptFor(o: InstallOptions, bridge: BridgeLogin): Promise<string> {
  const { default: pg } = await import('pg');
  const { AWS_LAMBDA_VERSION, plainInstallSql } = await import('../bridge/install.js');
  const lit = pg.escapeLiteral;
  const tls = Object.entries({ sslmode: o.bridgeSslmode, sslrootcert: o.bridgeSslrootcert }).filter(([, v]) => v !== undefined);
  return [
    `-- aws_lambda ${AWS_LAMBDA_VERSION} for DB cluster ${o.cluster} (${o.region}), printed by pglambda install --print-sql.`,
    '-- Run it once, in the database, as the role that is to own aws_lambda (a superuser, or rds_superuser on RDS);',
    '-- it holds a bridge login issued for that one database: keep it as secret as a password.',
    '-- Where the server has the extension files, CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE may replace the script.',
    await plainInstallSql(),
    `SELECT aws_lambda_private.configure_bridge(${lit(bridge.host)}, ${bridge.port}, ${lit(bridge.login)}, ${lit(bridge.password)});`,
    ...tls.map(([k, v]) => `ALTER SERVER aws_lambda_bridge OPTIONS (ADD ${k} ${lit(v!)});`),
    '',
  ].join('\n');
}
