import type { Migration } from '../../state/migrate.js';

/**
 * Clusters and their bridge logins (`rds.db_clusters`, `rds.bridge_logins`): one table of clusters,
 * so a cluster `pglambda install` registers is an RDS cluster too and one the RDS API creates can
 * later be installed into a database.
 */
export const rdsMigrations: Migration[] = [
  {
    id: 'rds:1',
    sql: `
      create schema rds;
      create table rds.db_clusters (
        account_id text not null,
        region text not null,
        identifier text not null,
        bridge_login text not null unique,
        bridge_verifier text not null,
        created_at timestamptz not null default now(),
        primary key (account_id, region, identifier)
      );
    `,
  },
  {
    id: 'rds:2',
    sql: `
      -- What a cluster could invoke before IAM roles existed (dropped by rds:4).
      create table rds.invoke_grants (
        account_id text not null,
        region text not null,
        identifier text not null,
        resource text not null,
        primary key (account_id, region, identifier, resource),
        foreign key (account_id, region, identifier) references rds.db_clusters on delete cascade
      );
    `,
  },
  {
    id: 'rds:3',
    sql: `
      -- A cluster created through the RDS API has no bridge login until a database is installed for it.
      alter table rds.db_clusters
        alter column bridge_login drop not null,
        alter column bridge_verifier drop not null,
        add column engine text not null default 'aurora-postgresql',
        add column engine_version text,
        add column master_username text,
        add column status text not null default 'available',
        -- Existing and installed clusters get one here; the API makes its own (both "cluster-" + 26 characters).
        add column resource_id text not null default 'cluster-' || upper(substr(md5(random()::text), 1, 26)),
        add column tags jsonb not null default '[]';
      create table rds.db_cluster_roles (
        account_id text not null,
        region text not null,
        identifier text not null,
        role_arn text not null,
        feature_name text not null,
        status text not null default 'ACTIVE',
        created_at timestamptz not null default now(),
        primary key (account_id, region, identifier, role_arn),
        -- One role per feature of a cluster.
        unique (account_id, region, identifier, feature_name),
        foreign key (account_id, region, identifier) references rds.db_clusters on delete cascade
      );
      create index on rds.db_cluster_roles (role_arn);
    `,
  },
  {
    id: 'rds:4',
    // Access is IAM's now: the role associated with a cluster for feature Lambda.
    sql: 'drop table rds.invoke_grants;',
  },
  {
    id: 'rds:5',
    sql: `
      -- A cluster bound to AWS: its invokes go to AWS Lambda as this role (pglambda's own setting,
      -- since no RDS cluster exists to associate it with); null for pglambda's own Lambda.
      alter table rds.db_clusters add column aws_role_arn text, add column aws_external_id text;
    `,
  },
  {
    id: 'rds:6',
    sql: `
      -- One bridge login per installed database, so installing into one never breaks another. A
      -- retired login (its database moved to a new one) opens no new connection; sessions it
      -- already opened keep working.
      create table rds.bridge_logins (
        login text primary key,
        account_id text not null,
        region text not null,
        identifier text not null,
        verifier text not null,
        created_at timestamptz not null default now(),
        retired_at timestamptz,
        foreign key (account_id, region, identifier) references rds.db_clusters on delete cascade
      );
      insert into rds.bridge_logins (login, account_id, region, identifier, verifier)
        select bridge_login, account_id, region, identifier, bridge_verifier from rds.db_clusters where bridge_login is not null;
      alter table rds.db_clusters drop column bridge_login, drop column bridge_verifier;
    `,
  },
  {
    id: 'rds:7',
    sql: `
      -- Which database a login was issued to: a copy of that database (CREATE DATABASE … TEMPLATE)
      -- holds the same login in its user mapping, and installing into the copy must not retire it.
      alter table rds.bridge_logins add column issued_to text;
    `,
  },
  {
    id: 'rds:8',
    // Identifiers as the cluster routes were given them, before they kept them in lower case as RDS
    // does: the RDS API, which lowers them, never found such a cluster, so a role associated with
    // "MyCluster" went to another row than the database installed for it. Such a cluster takes its
    // lower-case identifier (of several that differ only in case, the oldest); any other, and one
    // whose lower-case twin was installed since, joins that cluster: its logins move, and of its
    // roles those the cluster has no role for the same feature or ARN.
    sql: `
      alter table rds.db_cluster_roles
        drop constraint db_cluster_roles_account_id_region_identifier_fkey,
        add foreign key (account_id, region, identifier) references rds.db_clusters on delete cascade on update cascade;
      alter table rds.bridge_logins
        drop constraint bridge_logins_account_id_region_identifier_fkey,
        add foreign key (account_id, region, identifier) references rds.db_clusters on delete cascade on update cascade;

      update rds.db_clusters c set identifier = lower(c.identifier)
      where c.identifier <> lower(c.identifier)
        and not exists (select from rds.db_clusters t
                        where (t.account_id, t.region, t.identifier) = (c.account_id, c.region, lower(c.identifier)))
        and c.identifier = (select o.identifier from rds.db_clusters o
                            where (o.account_id, o.region) = (c.account_id, c.region) and lower(o.identifier) = lower(c.identifier)
                            order by o.created_at, o.identifier limit 1);

      update rds.bridge_logins set identifier = lower(identifier) where identifier <> lower(identifier);
      insert into rds.db_cluster_roles (account_id, region, identifier, role_arn, feature_name, status, created_at)
        select account_id, region, lower(identifier), role_arn, feature_name, status, created_at
        from rds.db_cluster_roles where identifier <> lower(identifier)
        order by created_at
        on conflict do nothing;
      delete from rds.db_clusters where identifier <> lower(identifier);
    `,
  },
];
