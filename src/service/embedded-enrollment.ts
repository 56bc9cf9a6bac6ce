/**
 * On the embedded server, databases made after the start just work, as every database of an Aurora
 * cluster can invoke: `CREATE EXTENSION aws_lambda` in a database created from template1 points it
 * at the bridge as my-db-cluster. template1 holds an event trigger that does this and, in a schema
 * no ordinary role may use, the bridge's address and an enrollment login those databases share. The
 * login is issued once and kept across starts (so those databases keep working); `pglambda install`
 * gives any of them a login of its own, which leaves the enrollment login to the others.
 */
import pg from 'pg';
import { DEFAULT_CLUSTER, type ClusterRegistry } from '../bridge/cluster-registry.js';
import { databaseIdentity } from '../bridge/install.js';
import { inTransactionOn } from '../state/transaction.js';

const SCHEMA = `
  CREATE SCHEMA IF NOT EXISTS pglambda_enrollment;
  REVOKE ALL ON SCHEMA pglambda_enrollment FROM PUBLIC;
  CREATE TABLE IF NOT EXISTS pglambda_enrollment.bridge (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    host text NOT NULL,
    port integer NOT NULL,
    login text NOT NULL,
    password text NOT NULL
  );
  REVOKE ALL ON pglambda_enrollment.bridge FROM PUBLIC;
  -- SECURITY DEFINER: the password is read as the superuser who made this, never by the role
  -- creating the extension; the user mapping goes to that role, the extension's owner.
  CREATE OR REPLACE FUNCTION pglambda_enrollment.configure_aws_lambda() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
  DECLARE
      b record;
  BEGIN
      IF NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands() c
                     WHERE c.object_type = 'extension' AND c.object_identity = 'aws_lambda') THEN
          RETURN;
      END IF;
      IF EXISTS (SELECT FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge') THEN
          RETURN;
      END IF;
      SELECT * INTO b FROM pglambda_enrollment.bridge;
      IF FOUND THEN
          PERFORM aws_lambda_private.configure_bridge(b.host, b.port, b.login, b.password);
      END IF;
  END
  $$;
  REVOKE ALL ON FUNCTION pglambda_enrollment.configure_aws_lambda() FROM PUBLIC;
  DROP EVENT TRIGGER IF EXISTS pglambda_configure_aws_lambda;
  CREATE EVENT TRIGGER pglambda_configure_aws_lambda ON ddl_command_end WHEN TAG IN ('CREATE EXTENSION')
      EXECUTE FUNCTION pglambda_enrollment.configure_aws_lambda();
`;

export async function enrollNewDatabases(superuserUrl: string, registry: ClusterRegistry, bridge: { host: string; port: number }): Promise<void> {
  const url = new URL(superuserUrl);
  url.pathname = '/template1';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await inTransactionOn(client, async () => {
      await client.query(SCHEMA);
      const kept = (await client.query<{ login: string }>('SELECT login FROM pglambda_enrollment.bridge')).rows[0];
      const usable = kept && (await registry.byBridgeLogin(kept.login));
      if (usable && !usable.retired) {
        await client.query('UPDATE pglambda_enrollment.bridge SET host = $1, port = $2', [bridge.host, bridge.port]);
        return;
      }
      const { identifier, accountId, region } = DEFAULT_CLUSTER;
      // Issued to template1: a database made from it is another database, so installing there never retires this login.
      const issued = await registry.register(identifier, accountId, region, undefined, await databaseIdentity(client));
      await client.query(
        `INSERT INTO pglambda_enrollment.bridge (host, port, login, password) VALUES ($1, $2, $3, $4)
         ON CONFLICT (one) DO UPDATE SET host = excluded.host, port = excluded.port, login = excluded.login, password = excluded.password`,
        [bridge.host, bridge.port, issued.login, issued.password],
      );
    });
  } finally {
    await client.end();
  }
}
