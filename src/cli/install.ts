/**
 * `pglambda install --database-url URL --cluster ID`: puts aws_lambda into a database and points it
 * at this pglambda as cluster ID. Uses CREATE EXTENSION where the server has our extension files
 * (PGXS install, the embedded server), else creates the same objects from plain SQL. Run again, it
 * brings an older aws_lambda to the current version (ALTER EXTENSION UPDATE, or the upgrade scripts).
 */
import { Command } from 'commander';
import pg from 'pg';
import { DEFAULT_CLUSTER } from '../bridge/cluster-registry.js';
import { AWS_LAMBDA_VERSION, configureBridge, currentBridgeLogin, installAwsLambda } from '../bridge/install.js';
import { cliFetch } from './client.js';
import { defaultEndpoint } from './options.js';

interface InstallOptions {
  databaseUrl: string;
  cluster: string;
  region: string;
  endpointUrl: string;
  bridgeHost?: string;
  awsRoleArn?: string;
  externalId?: string;
  localLambda?: boolean;
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
    .action(async (o: InstallOptions) => {
      if (o.awsRoleArn && o.localLambda) throw new Error('pass --aws-role-arn or --local-lambda, not both');
      if (o.externalId && !o.awsRoleArn) throw new Error('--external-id goes with --aws-role-arn');
      const client = new pg.Client({ connectionString: o.databaseUrl });
      await client.connect();
      try {
        // This database's own login is replaced; other databases of the cluster keep theirs. The new
        // one works before the old one is retired, so calls in flight never meet a dead login.
        const previous = await currentBridgeLogin(client);
        const bridge = await bridgeLogin(o);
        const available = await client.query(`select 1 from pg_available_extensions where name = 'aws_lambda'`);
        const how = (available.rowCount ?? 0) > 0 ? 'extension' : 'plain-sql';
        const outcome = await installAwsLambda(client, how);
        await configureBridge(client, { host: o.bridgeHost ?? bridge.host, port: bridge.port, login: bridge.login, password: bridge.password });
        if (previous && previous !== bridge.login) await retireLogin(o, previous);
        const what =
          outcome.action === 'updated' ? `updated from ${outcome.from} to ${AWS_LAMBDA_VERSION}; bridge login renewed`
          : outcome.action === 'current' ? 'already installed; bridge login renewed'
          : how === 'extension' ? 'installed with CREATE EXTENSION' : 'installed from plain SQL';
        const lambda = o.awsRoleArn ? `; invokes go to AWS Lambda as ${o.awsRoleArn}` : o.localLambda ? "; invokes go to pglambda's own Lambda" : '';
        console.log(`aws_lambda ${what} in ${client.database}, as cluster ${o.cluster} (${o.region}), bridge ${o.bridgeHost ?? bridge.host}:${bridge.port}${lambda}`);
      } finally {
        await client.end();
      }
    });
}

/** A login of another cluster (the database was installed as another one before) is left alone. */
async function retireLogin(o: InstallOptions, login: string): Promise<void> {
  const url = new URL(`${o.endpointUrl}/_pglambda/clusters/${encodeURIComponent(o.cluster)}/bridge-logins/${encodeURIComponent(login)}?Region=${encodeURIComponent(o.region)}`);
  const res = await cliFetch(url, { method: 'DELETE', service: 'pglambda', region: o.region });
  if (!res.ok && res.status !== 404) throw new Error(`pglambda could not retire the previous bridge login ${login}: HTTP ${res.status}`);
}

async function bridgeLogin(o: InstallOptions): Promise<BridgeLogin> {
  // The credential scope names account (a 12-digit key) and region, as for any AWS request.
  const url = new URL(`${o.endpointUrl}/_pglambda/clusters/${encodeURIComponent(o.cluster)}/bridge-login`);
  const body = JSON.stringify({ Region: o.region, AwsRoleArn: o.awsRoleArn, ExternalId: o.externalId, Local: o.localLambda });
  const res = await cliFetch(url, { method: 'POST', service: 'pglambda', region: o.region, body }).catch(() => {
    throw new Error(`cannot reach pglambda at ${o.endpointUrl}; start it with \`pglambda up\` or pass --endpoint-url`);
  });
  const answer = (await res.json()) as BridgeLogin & { message?: string };
  if (!res.ok) throw new Error(answer.message ?? `pglambda answered HTTP ${res.status}`);
  return answer;
}
