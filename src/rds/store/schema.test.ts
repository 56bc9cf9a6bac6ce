/**
 * rds:8 on a state database from before it: clusters registered under an identifier in upper case
 * take the lower-case one RDS looks them up by, keeping their logins and roles, and join a cluster
 * of that identifier where one exists.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPlainPostgres, type PlainPostgres } from '../../../test/helpers/plain-postgres.js';
import { migrate } from '../../state/migrate.js';
import { rdsMigrations } from './schema.js';

let postgres: PlainPostgres;
let pool: pg.Pool;

before(async () => {
  postgres = await startPlainPostgres();
  pool = new pg.Pool({ connectionString: postgres.superuserUrl, max: 1 });
});
after(async () => {
  await pool?.end();
  await postgres?.stop();
});

test('rds:8 keeps clusters in lower case: renamed with their logins and roles, or joined to the one there', async () => {
  await migrate(
    pool,
    rdsMigrations.filter((m) => m.id !== 'rds:8'),
  );
  const acct = '123456789012';
  await pool.query(
    `insert into rds.db_clusters (account_id, region, identifier, created_at) values
       ($1, 'us-west-2', 'MyCluster', now() - interval '2 days'),
       ($1, 'us-west-2', 'MYCLUSTER', now() - interval '1 day'),
       ($1, 'us-west-2', 'Twin', now()), ($1, 'us-west-2', 'twin', now()),
       ($1, 'us-west-2', 'plain', now())`,
    [acct],
  );
  await pool.query(
    `insert into rds.bridge_logins (login, account_id, region, identifier, verifier) values
       ('l1', $1, 'us-west-2', 'MyCluster', 'v'), ('l2', $1, 'us-west-2', 'MYCLUSTER', 'v'),
       ('l3', $1, 'us-west-2', 'Twin', 'v'), ('l4', $1, 'us-west-2', 'twin', 'v')`,
    [acct],
  );
  await pool.query(
    `insert into rds.db_cluster_roles (account_id, region, identifier, role_arn, feature_name) values
       ($1, 'us-west-2', 'MyCluster', 'arn:aws:iam::${acct}:role/a', 'Lambda'),
       ($1, 'us-west-2', 'MYCLUSTER', 'arn:aws:iam::${acct}:role/b', 'Lambda'),
       ($1, 'us-west-2', 'Twin', 'arn:aws:iam::${acct}:role/c', 'Lambda'),
       ($1, 'us-west-2', 'Twin', 'arn:aws:iam::${acct}:role/d', 's3Import')`,
    [acct],
  );

  await migrate(pool, rdsMigrations);

  const rows = async (sql: string) => (await pool.query(sql)).rows.map((r) => Object.values(r).join(' '));
  assert.deepEqual(await rows('select identifier from rds.db_clusters order by identifier'), ['mycluster', 'plain', 'twin']);
  assert.deepEqual(await rows('select login, identifier from rds.bridge_logins order by login'), [
    'l1 mycluster',
    'l2 mycluster',
    'l3 twin',
    'l4 twin',
  ]);
  // The oldest cluster's role for a feature stands; the other's for the same feature goes.
  assert.deepEqual(await rows('select identifier, role_arn, feature_name from rds.db_cluster_roles order by identifier, feature_name'), [
    `mycluster arn:aws:iam::${acct}:role/a Lambda`,
    `twin arn:aws:iam::${acct}:role/c Lambda`,
    `twin arn:aws:iam::${acct}:role/d s3Import`,
  ]);
});
