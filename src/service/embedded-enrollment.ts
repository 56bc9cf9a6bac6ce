/**
 * On the embedded server, databases made after the start just work: template1 is enrolled
 * (bridge/enrollment.ts) as my-db-cluster. The enrollment login is issued once and kept across
 * starts, so those databases keep working; `pglambda install` gives any of them a login of its own.
 */
import pg from 'pg';
import { DEFAULT_CLUSTER, type ClusterRegistry } from '../rds/store/cluster-registry.js';
import { enroll, enrolledLogin, moveEnrollment } from '../bridge/enrollment.js';
import { databaseIdentity } from '../bridge/install.js';

export async function enrollNewDatabases(
  superuserUrl: string,
  registry: ClusterRegistry,
  bridge: { host: string; port: number },
): Promise<void> {
  const url = new URL(superuserUrl);
  url.pathname = '/template1';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const kept = await enrolledLogin(client);
    const usable = kept && (await registry.byBridgeLogin(kept));
    if (usable && !usable.retired) return await moveEnrollment(client, bridge.host, bridge.port);
    const { identifier, accountId, region } = DEFAULT_CLUSTER;
    // Issued to template1: a database made from it is another database, so installing there never retires this login.
    const issued = await registry.register(identifier, accountId, region, undefined, await databaseIdentity(client));
    await enroll(client, { ...bridge, ...issued });
  } finally {
    await client.end();
  }
}
