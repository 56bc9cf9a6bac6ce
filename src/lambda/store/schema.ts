import type { Migration } from '../../state/migrate.js';

export const lambdaMigrations: Migration[] = [
  {
    id: 'lambda:1',
    sql: `
      create schema lambda;
      -- One row per function: configuration, versions, aliases and settings change together.
      create table lambda.functions (
        account_id text not null,
        region text not null,
        name text not null,
        doc jsonb not null,
        created_at timestamptz not null default now(),
        primary key (account_id, region, name)
      );
      -- Accepted Event invocations; a row lives until it ran to a final outcome (at-least-once).
      create table lambda.event_invocations (
        id uuid primary key,
        account_id text not null,
        region text not null,
        function_name text not null,
        qualifier text,
        payload bytea not null,
        enqueued_at timestamptz not null default now(),
        run_at timestamptz not null default now(),
        attempts int not null default 0,
        locked_until timestamptz,
        last_result jsonb
      );
      create index on lambda.event_invocations (run_at);
      create table lambda.invocation_logs (
        id bigserial primary key,
        account_id text not null,
        region text not null,
        function_name text not null,
        version text not null,
        request_id uuid not null,
        log_stream text not null,
        log text not null,
        created_at timestamptz not null default now()
      );
      create index on lambda.invocation_logs (account_id, region, function_name, id);
    `,
  },
  {
    id: 'lambda:2',
    sql: `
      -- Resource-based policies (AddPermission): one per function ('') and per version or alias. The
      -- document is text, not jsonb, because GetPolicy answers it with AWS's member order.
      create table lambda.function_policies (
        account_id text not null,
        region text not null,
        function_name text not null,
        qualifier text not null,
        document text not null,
        revision_id text not null,
        primary key (account_id, region, function_name, qualifier),
        foreign key (account_id, region, function_name) references lambda.functions (account_id, region, name) on delete cascade
      );
    `,
  },
  {
    id: 'lambda:3',
    // Retention removes the oldest logs by time.
    sql: 'create index on lambda.invocation_logs (created_at);',
  },
];
