/** `pglambda uninstall --database-url URL`: removes what `pglambda install` added to a database, and retires its bridge login. */
import { Command } from 'commander';
import { DEFAULT_CLUSTER } from '../rds/store/cluster-registry.js';
import { cliRegion, defaultEndpoint } from './options.js';

interface UninstallOptions {
  databaseUrl: string;
  cluster: string;
  region: string;
  endpointUrl: string;
  stateUrl?: string;
}

export function uninstallCommand(): Command {
  return new Command('uninstall')
    .description('remove aws_lambda from a database and retire its bridge login')
    .requiredOption('--database-url <url>', 'the database (as the owner of aws_lambda or a superuser)')
    .option('--cluster <id>', 'the DB cluster the database stood for', DEFAULT_CLUSTER.identifier)
    .option('--region <region>', "the cluster's region", cliRegion())
    .option('--endpoint-url <url>', 'the pglambda endpoint', defaultEndpoint())
    .option('--state-url <url>', "retire the login in pglambda's state database directly (standalone bridges)")
    .action(async (o: UninstallOptions) => {
      const { default: pg } = await import('pg');
      const { currentBridgeLogin, databaseIdentity, uninstallAwsLambda } = await import('../bridge/install.js');
      const { loginsFor } = await import('./bridge-logins.js');
      const client = new pg.Client({ connectionString: o.databaseUrl });
      await client.connect();
      try {
        const login = await currentBridgeLogin(client);
        const database = await databaseIdentity(client);
        const removed = await uninstallAwsLambda(client);
        if (login) {
          const logins = await loginsFor(o);
          try {
            await logins.retire(login, database);
          } finally {
            await logins.close();
          }
        }
        console.log(
          removed === 'absent'
            ? `aws_lambda is not installed in ${client.database}`
            : `aws_lambda removed from ${client.database}${login ? `; bridge login ${login} retired` : ''} (dblink stays)`,
        );
      } finally {
        await client.end();
      }
    });
}
