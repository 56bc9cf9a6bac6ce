/**
 * Databases made later from a template (template1) point themselves at the bridge: `CREATE
 * EXTENSION aws_lambda` there fires an event trigger, kept in the template, that configures the
 * bridge with an enrollment login those databases share, as every database of an Aurora cluster
 * can invoke. The login lives in the schema pglambda_enrollment, which no ordinary role may use.
 * A new enrollment login never retires the one before: databases made meanwhile still hold it.
 */
import type pg from 'pg';
import { inTransactionOn } from '../state/transaction.js';
import type { BridgeAddress } from './install.js';

const ENROLLMENT = `
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

/** The enrollment login the template holds now, if any. */
export async function enrolledLogin(client: pg.ClientBase): Promise<string | undefined> {
  const present = await client.query(`SELECT to_regclass('pglambda_enrollment.bridge') IS NOT NULL AS yes`);
  if (!present.rows[0].yes) return undefined;
  return (await client.query<{ login: string }>('SELECT login FROM pglambda_enrollment.bridge')).rows[0]?.login;
}

/** Installs (or refreshes) the event trigger in the template, with this bridge address and login. */
export async function enroll(client: pg.ClientBase, bridge: BridgeAddress): Promise<void> {
  await inTransactionOn(client, async () => {
    await client.query(ENROLLMENT);
    await client.query(
      `INSERT INTO pglambda_enrollment.bridge (host, port, login, password) VALUES ($1, $2, $3, $4)
       ON CONFLICT (one) DO UPDATE SET host = excluded.host, port = excluded.port, login = excluded.login, password = excluded.password`,
      [bridge.host, bridge.port, bridge.login, bridge.password],
    );
  });
}

/** The bridge moved (another port): the kept login, at the new address. */
export async function moveEnrollment(client: pg.ClientBase, host: string, port: number): Promise<void> {
  await inTransactionOn(client, async () => {
    await client.query(ENROLLMENT);
    await client.query('UPDATE pglambda_enrollment.bridge SET host = $1, port = $2', [host, port]);
  });
}
