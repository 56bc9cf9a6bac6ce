/**
 * Where a database's bridge logins come from, for `pglambda install` and `uninstall`: the running
 * pglambda's endpoint (signed as the CLI's caller), or the state database itself (`--state-url`, for
 * standalone bridges).
 */
import pg from 'pg';
import { ClusterRegistry, DEFAULT_CLUSTER } from '../rds/store/cluster-registry.js';
import type { AwsBinding } from '../rds/store/cluster-store.js';
import { stateMigrations } from '../service/state-schema.js';
import { migrate } from '../state/migrate.js';

export interface BridgeLogin {
  login: string;
  password: string;
  host: string;
  port: number;
}

export interface LoginSource {
  cluster: string;
  region: string;
  endpointUrl: string;
  stateUrl?: string;
  /** Where databases reach the bridge; with `stateUrl` there is no pglambda to say. */
  bridgeHost?: string;
  bridgePort?: number;
  /** Where the cluster's invokes go: AWS as this role, pglambda's own (null), or as they were (undefined). */
  binding?: AwsBinding | null;
}

export interface Logins {
  /** `database`: which database the login is for (databaseIdentity); unknown for a printed script. */
  issue(database: string | undefined): Promise<BridgeLogin>;
  /** A login of another cluster (the database was installed as another one before), or issued to the database this one was copied from, is left alone. */
  retire(login: string, database: string): Promise<void>;
  close(): Promise<void>;
}

export const loginsFor = (o: LoginSource): Promise<Logins> => (o.stateUrl ? stateLogins(o, o.stateUrl) : endpointLogins(o));

async function endpointLogins(o: LoginSource): Promise<Logins> {
  // The signer is loaded only here: logins from the state database (--state-url) do without it.
  const { cliFetch } = await import('./client.js');
  // The credential scope names account (a 12-digit key) and region, as for any AWS request.
  const cluster = `${o.endpointUrl}/_pglambda/clusters/${encodeURIComponent(o.cluster)}`;
  return {
    async issue(database) {
      const { binding } = o;
      const body = JSON.stringify({
        Region: o.region,
        AwsRoleArn: binding?.roleArn,
        ExternalId: binding?.externalId,
        Local: binding === null ? true : undefined,
        Database: database,
      });
      const res = await cliFetch(new URL(`${cluster}/bridge-login`), { method: 'POST', service: 'pglambda', region: o.region, body }).catch(
        () => {
          throw new Error(`cannot reach pglambda at ${o.endpointUrl}; start it with \`pglambda up\` or pass --endpoint-url`);
        },
      );
      const answer = (await res.json()) as BridgeLogin & { message?: string };
      if (!res.ok) throw new Error(answer.message ?? `pglambda answered HTTP ${res.status}`);
      return { ...answer, host: o.bridgeHost ?? answer.host, port: o.bridgePort ?? answer.port };
    },
    async retire(login, database) {
      const url = new URL(
        `${cluster}/bridge-logins/${encodeURIComponent(login)}?Region=${encodeURIComponent(o.region)}&Database=${encodeURIComponent(database)}`,
      );
      const res = await cliFetch(url, { method: 'DELETE', service: 'pglambda', region: o.region }).catch(() => {
        throw new Error(`cannot reach pglambda at ${o.endpointUrl}; start it with \`pglambda up\` or pass --endpoint-url`);
      });
      if (!res.ok && res.status !== 404) throw new Error(`pglambda could not retire the bridge login ${login}: HTTP ${res.status}`);
    },
    close: async () => {},
  };
}

async function stateLogins(o: LoginSource, stateUrl: string): Promise<Logins> {
  const db = new pg.Pool({ connectionString: stateUrl, max: 2 });
  try {
    await migrate(db, stateMigrations);
  } catch (err) {
    await db.end();
    throw err;
  }
  const registry = new ClusterRegistry(db);
  const { accountId } = DEFAULT_CLUSTER;
  return {
    issue: async (database) => ({
      ...(await registry.register(o.cluster, accountId, o.region, o.binding, database)),
      host: o.bridgeHost!,
      port: o.bridgePort!,
    }),
    retire: async (login, database) => void (await registry.retire(accountId, o.region, o.cluster, login, database)),
    close: () => db.end(),
  };
}
