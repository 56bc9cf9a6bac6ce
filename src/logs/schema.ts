import type { Migration } from '../state/migrate.js';

export const logsMigrations: Migration[] = [
  {
    id: 'logs:1',
    sql: `
      create schema logs;
      create table logs.log_groups (
        id bigserial primary key,
        account_id text not null,
        region text not null,
        name text not null,
        created_ms bigint not null,
        -- Null follows the service's default (--log-retention-days); 0 keeps events forever
        -- (DeleteRetentionPolicy); otherwise PutRetentionPolicy's days.
        retention_days int,
        unique (account_id, region, name)
      );
      create table logs.log_streams (
        id bigserial primary key,
        group_id bigint not null,
        name text not null,
        created_ms bigint not null,
        first_event_ms bigint,
        last_event_ms bigint,
        last_ingestion_ms bigint,
        stored_bytes bigint not null default 0,
        unique (group_id, name)
      );
      -- No foreign keys: the writer's insert locks its group row, and DeleteLogGroup deletes the
      -- group row first, so neither leaves events behind, and the hot insert runs no triggers.
      -- Within a stream, id order is the order lines were written.
      create table logs.log_events (
        id bigserial primary key,
        group_id bigint not null,
        stream_id bigint not null,
        ts bigint not null,
        ingested_ms bigint not null,
        message text not null
      );
      create index on logs.log_events (group_id, ts, id);
      create index on logs.log_events (stream_id, id);

      -- Invocation logs kept before, one row per invocation, become their lines.
      insert into logs.log_groups (account_id, region, name, created_ms)
        select account_id, region, '/aws/lambda/' || function_name, (extract(epoch from min(created_at)) * 1000)::bigint
        from lambda.invocation_logs group by account_id, region, function_name;
      insert into logs.log_streams (group_id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms, stored_bytes)
        select g.id, l.log_stream, min(l.ms), min(l.ms), max(l.ms), max(l.ms), sum(octet_length(l.log))
        from (select *, (extract(epoch from created_at) * 1000)::bigint as ms from lambda.invocation_logs) l
        join logs.log_groups g on g.account_id = l.account_id and g.region = l.region and g.name = '/aws/lambda/' || l.function_name
        group by g.id, l.log_stream;
      insert into logs.log_events (group_id, stream_id, ts, ingested_ms, message)
        select s.group_id, s.id, l.ms, l.ms, line.text || E'\\n'
        from (select *, (extract(epoch from created_at) * 1000)::bigint as ms from lambda.invocation_logs) l
        join logs.log_groups g on g.account_id = l.account_id and g.region = l.region and g.name = '/aws/lambda/' || l.function_name
        join logs.log_streams s on s.group_id = g.id and s.name = l.log_stream
        cross join lateral regexp_split_to_table(regexp_replace(l.log, E'\\n$', ''), E'\\n') with ordinality as line(text, n)
        order by l.id, line.n;
      drop table lambda.invocation_logs;
    `,
  },
  {
    // No query finds an event by its id alone: reads go through (group_id, ts, id) or
    // (stream_id, id). The primary key's index was a third b-tree to update for every line stored,
    // three lines per invocation; the sequence still numbers the lines in the order written.
    id: 'logs:2',
    sql: 'alter table logs.log_events drop constraint log_events_pkey',
  },
  {
    // A row per line cost the writer a heap tuple and two b-tree entries for every line, three
    // lines per invocation: most of what this database spent on a warm invoke. Now each flush
    // stores the lines it has for a stream as one chunk, in the order written. A line's id is its
    // chunk's times 65536 (CHUNK_LINES) plus its place in the chunk, so ids still follow the order lines
    // were written within a stream, as the rows' did. Chunks stay in their heap page uncompressed
    // up to the largest tuple a page holds: compressing log text would cost more than it saves.
    // logs.log_events reads them back a line per row, for people looking at this database. Lines
    // stored before become a chunk each (their id, so their order, kept; their event ids change,
    // so a paging token from before the update starts over).
    id: 'logs:3',
    sql: `
      create table logs.log_chunks (
        id bigserial,
        group_id bigint not null,
        stream_id bigint not null,
        first_ts bigint not null,
        last_ts bigint not null,
        ingested_ms bigint not null,
        ts bigint[] not null,
        messages text[] not null
      ) with (toast_tuple_target = 8160);
      -- A stream's chunks in the order written (GetLogEvents, an invocation's lines), and a
      -- group's by the time of their first or last line (FilterLogEvents, pglambda logs, retention).
      create index on logs.log_chunks (stream_id, id);
      create index on logs.log_chunks (group_id, first_ts, id);
      create index on logs.log_chunks (group_id, last_ts, id);

      insert into logs.log_chunks (id, group_id, stream_id, first_ts, last_ts, ingested_ms, ts, messages)
        select id, group_id, stream_id, ts, ts, ingested_ms, array[ts], array[message] from logs.log_events order by id;
      select setval(pg_get_serial_sequence('logs.log_chunks', 'id'), max(id)) from logs.log_chunks having max(id) is not null;
      drop table logs.log_events;

      create view logs.log_events as
        select c.id * 65536 + l.n - 1 as id, c.group_id, c.stream_id, l.ts, c.ingested_ms, l.message
        from logs.log_chunks c cross join lateral unnest(c.ts, c.messages) with ordinality as l(ts, message, n);
    `,
  },
  {
    // CreateLogGroup's groups: their tags (TagResource and the older TagLogGroup) and KMS key.
    id: 'logs:4',
    sql: `alter table logs.log_groups add column tags jsonb not null default '{}', add column kms_key_id text`,
  },
];
