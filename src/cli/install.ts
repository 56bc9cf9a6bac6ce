/**
 * `pglambda install --database-url URL --cluster ID`: puts aws_lambda into a database and points it
 * at this pglambda as cluster ID. Uses CREATE EXTENSION where the server has our extension files
 * (PGXS install, the embedded server), else creates the same objects from plain SQL. Run again, it
 * brings an older aws_lambda to the current version (ALTER EXTENSION UPDATE, or the upgrade scripts).
 */
import { Command } from 'commander';
import pg from 'pg';
import { ClusterRegistry, DEFAULT_CLUSTER } from '../bridge/cluster-registry.js';
import { stateMigrations } from '../service/state-schema.js';
import { migrate } from '../state/migrate.js';
import { AWS_LAMBDA_VERSION, configureBridge, configureBridgeTls, currentBridgeLogin, databaseIdentity, installAwsLambda } from '../bridge/install.js';
import { cliFetch } from './client.js';
import { defaultEndpoint, intArg } from './options.js';

interface InstallOptions {
  databaseUrl: string;
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
}

interface BridgeLogin {
  login: string;
  password: string;
  host: string;
  port: number;
}

export function installCommand(): Command {
  return new Command('install')
    .description('install aws_lambda into a database and point it at this pglambda')
    .requiredOption('--database-url <url>', 'the database to install into (as its owner or a superuser)')
    .option('--cluster <id>', 'the DB cluster this database stands for', DEFAULT_CLUSTER.identifier)
    .option('--region <region>', "the cluster's region", process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_CLUSTER.region)
    .option('--endpoint-url <url>', 'the pglambda endpoint', defaultEndpoint())
    .option('--bridge-host <host>', 'address the database reaches the bridge at (default: the one pglambda binds)')
    .option('--aws-role-arn <arn>', "bind the cluster to AWS Lambda: the bridge assumes this role there (with its own AWS credentials) and invokes as it")
    .option('--external-id <id>', 'the external id the role\'s trust policy requires (sts:ExternalId)')
    .option('--local-lambda', "bind the cluster back to pglambda's own Lambda")
    .option('--bridge-sslmode <mode>', 'libpq sslmode for the connection to the bridge (verify-full with a bridge started with --bridge-tls-cert)')
    .option('--bridge-sslrootcert <file>', "CA certificate that signed the bridge's, as a path on the database server")
    .option('--state-url <url>', "register the login in pglambda's state database directly, for standalone bridges (pglambda bridge); needs --bridge-host and --bridge-port")
    .option('--bridge-port <n>', 'port the database reaches the bridge at (default: the one pglambda listens on)', intArg(1, 65535))
    .action(async (o: InstallOptions) => {
      if (o.awsRoleArn && o.localLambda) throw new Error('pass --aws-role-arn or --local-lambda, not both');
      if (o.externalId && !o.awsRoleArn) throw new Error('--external-id goes with --aws-role-arn');
      if (o.stateUrl && (!o.bridgeHost || !o.bridgePort)) throw new Error('--state-url needs --bridge-host and --bridge-port: where the database reaches the bridges');
      const logins = o.stateUrl ? await stateLogins(o, o.stateUrl) : endpointLogins(o);
      const client = new pg.Client({ connectionString: o.databaseUrl });
      await client.connect();
      try {
        // This database's own login is replaced; other databases of the cluster keep theirs. The new
        // one works before the old one is retired, so calls in flight never meet a dead login.
        const previous = await currentBridgeLogin(client);
        const database = await databaseIdentity(client);
        const issued = await logins.issue(database);
        const bridge = { ...issued, host: o.bridgeHost ?? issued.host, port: o.bridgePort ?? issued.port };
        const available = await client.query(`select 1 from pg_available_extensions where name = 'aws_lambda'`);
        const how = (available.rowCount ?? 0) > 0 ? 'extension' : 'plain-sql';
        const outcome = await installAwsLambda(client, how);
        await configureBridge(client, bridge);
        await configureBridgeTls(client, { sslmode: o.bridgeSslmode, sslrootcert: o.bridgeSslrootcert });
        if (previous && previous !== bridge.login) await logins.retire(previous, database);
        const what =
          outcome.action === 'updated' ? `updated from ${outcome.from} to ${AWS_LAMBDA_VERSION}; bridge login renewed`
          : outcome.action === 'current' ? 'already installed; bridge login renewed'
          : how === 'extension' ? 'installed with CREATE EXTENSION' : 'installed from plain SQL';
        const lambda = o.awsRoleArn ? `; invokes go to AWS Lambda as ${o.awsRoleArn}` : o.localLambda ? "; invokes go to pglambda's own Lambda" : '';
        console.log(`aws_lambda ${what} in ${client.database}, as cluster ${o.cluster} (${o.region}), bridge ${bridge.host}:${bridge.port}${lambda}`);
      } finally {
        await client.end();
        await logins.close();
      }
    });
}

/** Where a database's bridge logins come from: the running pglambda's endpoint, or the state database itself. */
interface Logins {
  /** `database`: which database the login is for (databaseIdentity). */
  issue(database: string): Promise<BridgeLogin>;
  /** A login of another cluster (the database was installed as another one before), or issued to the database this one was copied from, is left alone. */
  retire(login: string, database: string): Promise<void>;
  close(): Promise<void>;
}

function endpointLogins(o: InstallOptions): Logins {
  // The credential scope names account (a 12-digit key) and region, as for any AWS request.
  const cluster = `${o.endpointUrl}/_pglambda/clusters/${encodeURIComponent(o.cluster)}`;
  return {
    async issue(database) {
      const body = JSON.stringify({ Region: o.region, AwsRoleArn: o.awsRoleArn, ExternalId: o.externalId, Local: o.localLambda, Database: database });
      const res = await cliFetch(new URL(`${cluster}/bridge-login`), { method: 'POST', service: 'pglambda', region: o.region, body }).catch(() => {
        throw new Error(`cannot reach pglambda at ${o.endpointUrl}; start it with \`pglambda up\` or pass --endpoint-url`);
      });
      const answer = (await res.json()) as BridgeLogin & { message?: string };
      if (!res.ok) throw new Error(answer.message ?? `pglambda answered HTTP ${res.status}`);
      return answer;
    },
    async retire(login, database) {
      const url = new URL(`${cluster}/bridge-logins/${encodeURIComponent(login)}?Region=${encodeURIComponent(o.region)}&Database=${encodeURIComponent(database)}`);
      const res = await cliFetch(url, { method: 'DELETE', service: 'pglambda', region: o.region });
      if (!res.ok && res.status !== 404) throw new Error(`pglambda could not retire the previous bridge login ${login}: HTTP ${res.status}`);
    },
    close: async () => {},
  };
}

async function stateLogins(o: InstallOptions, stateUrl: string): Promise<Logins> {
  const db = new pg.Pool({ connectionString: stateUrl, max: 2 });
  try {
    await migrate(db, stateMigrations);
  } catch (err) {
    await db.end();
    throw err;
  }
  const registry = new ClusterRegistry(db);
  const { accountId } = DEFAULT_CLUSTER;
  const binding = o.awsRoleArn ? { roleArn: o.awsRoleArn, externalId: o.externalId } : o.localLambda ? null : undefined;
  return {
    issue: async (database) => ({ ...(await registry.register(o.cluster, accountId, o.region, binding, database)), host: o.bridgeHost!, port: o.bridgePort! }),
    retire: async (login, database) => void (await registry.retire(accountId, o.region, o.cluster, login, database)),
    close: () => db.end(),
  };
}
