import type { Migration } from '../../state/migrate.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

export const iamMigrations: Migration[] = [
  {
    id: 'iam:1',
    sql: `
      create schema iam;
      -- Managed policies; AWS managed ones live under account_id 'aws' and are seen from every account.
      create table iam.policies (
        id bigserial primary key,
        account_id text not null,
        arn text not null unique,
        name text not null,
        path text not null,
        policy_id text not null unique,
        description text,
        tags jsonb not null default '[]',
        default_version text not null default 'v1',
        -- IAM never reuses a version id, even after DeletePolicyVersion.
        next_version int not null default 2,
        created_at timestamptz not null default date_trunc('second', now()),
        updated_at timestamptz not null default date_trunc('second', now())
      );
      -- IAM names are unique per account without regard to case.
      create unique index on iam.policies (account_id, lower(name));
      create table iam.policy_versions (
        policy bigint not null references iam.policies (id) on delete cascade,
        version_id text not null,
        document text not null,
        created_at timestamptz not null default date_trunc('second', now()),
        primary key (policy, version_id)
      );
      create table iam.roles (
        id bigserial primary key,
        account_id text not null,
        arn text not null unique,
        name text not null,
        path text not null,
        role_id text not null unique,
        assume_role_policy text not null,
        description text,
        max_session_duration int not null default 3600,
        tags jsonb not null default '[]',
        created_at timestamptz not null default date_trunc('second', now())
      );
      create unique index on iam.roles (account_id, lower(name));
      -- No cascades: IAM refuses to delete a role or policy that is still attached.
      create table iam.role_policy_attachments (
        role bigint not null references iam.roles (id),
        policy bigint not null references iam.policies (id),
        primary key (role, policy)
      );
      create index on iam.role_policy_attachments (policy);
      create table iam.role_inline_policies (
        role bigint not null references iam.roles (id),
        name text not null,
        document text not null,
        primary key (role, name)
      );
    `,
  },
  {
    id: 'iam:2',
    sql: AWS_MANAGED_POLICIES.map(
      (p) => `
      with p as (
        insert into iam.policies (account_id, arn, name, path, policy_id, description, created_at, updated_at)
        values ('aws', ${quote(p.arn)}, ${quote(p.name)}, ${quote(p.path)}, ${quote(p.policyId)}, ${quote(p.description)},
                ${quote(p.createDate)}, ${quote(p.createDate)})
        returning id
      )
      insert into iam.policy_versions (policy, version_id, document, created_at)
      select id, 'v1', ${quote(p.document)}, ${quote(p.createDate)} from p;`,
    ).join('\n'),
  },
];
