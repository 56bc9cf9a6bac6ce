-- The request of docs/bridge-protocol.md, as aws_lambda_private.request_json builds it, and the
-- settings it reads at call time.
\set SHOW_CONTEXT never

-- Every field. caller names this session (database, session user, backend pid).
SELECT jsonb_pretty(aws_lambda_private.request_json('my-function', 'us-west-2', '{"body": "Hello"}',
    'Event', 'Tail', '{"custom": {"a": 1}}', 'v1')::jsonb - 'caller');
SELECT r -> 'caller' ->> 'database' = current_database() AS database,
       r -> 'caller' ->> 'role' = session_user AS role,
       (r -> 'caller' ->> 'backend_pid')::integer = pg_backend_pid() AS backend_pid,
       jsonb_typeof(r -> 'caller' -> 'backend_pid') AS pid_type
FROM (SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::jsonb AS r) AS s;
-- A JSON object as text: the one request shape the bridge accepts.
SELECT left(aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL), 1) AS first_char;
-- A json payload goes as written (spacing, key order, duplicate keys); SQL NULLs are JSON nulls
-- and NULL invocation and log types their defaults.
SELECT strpos(aws_lambda_private.request_json('f', NULL, '{"b": 1,  "a": 2, "a": 3}', NULL, NULL, NULL, NULL),
              '"payload" : {"b": 1,  "a": 2, "a": 3}') > 0 AS verbatim;
SELECT r -> 'payload' AS payload, r -> 'context' AS context, r -> 'region' AS region,
       r -> 'qualifier' AS qualifier, r ->> 'invocation_type' AS invocation_type, r ->> 'log_type' AS log_type
FROM (SELECT aws_lambda_private.request_json('f', NULL, NULL, NULL, NULL, NULL, NULL)::jsonb AS r) AS s;
-- A JSON string, number or array is a payload too.
SELECT aws_lambda_private.request_json('f', NULL, '"text"', NULL, NULL, '[1]', NULL)::jsonb -> 'payload' AS payload;
-- No name, no request.
SELECT aws_lambda_private.request_json(NULL, NULL, '{}', NULL, NULL, NULL, NULL);
SELECT aws_lambda_private.request_json('', NULL, '{}', NULL, NULL, NULL, NULL);

-- aws_lambda.request_timeout_ms: default 3000, whole milliseconds 1..900000, read at each call.
CREATE FUNCTION pg_temp.request_timeout() RETURNS text LANGUAGE sql AS $$
    SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::json ->> 'request_timeout_ms'
$$;
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = 900000;
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = ' 25 ';
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = '';
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = 0;
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = 900001;
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = -5;
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = '2.5';
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = '3s';
SELECT pg_temp.request_timeout();
SET aws_lambda.request_timeout_ms = '99999999999999999999';
SELECT pg_temp.request_timeout();
-- invoke refuses the same way, before anything is sent.
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
RESET aws_lambda.request_timeout_ms;

-- ALTER DATABASE and ALTER ROLE ... IN DATABASE settings apply to the next session; the more
-- specific one wins.
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET aws_lambda.request_timeout_ms = 7000', current_database());
END $$;
\c
-- (a new session: its own pg_temp)
CREATE FUNCTION pg_temp.request_timeout() RETURNS text LANGUAGE sql AS $$
    SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::json ->> 'request_timeout_ms'
$$;
SELECT pg_temp.request_timeout();
DO $$ BEGIN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET aws_lambda.request_timeout_ms = 8000',
                   current_user, current_database());
END $$;
\c
CREATE FUNCTION pg_temp.request_timeout() RETURNS text LANGUAGE sql AS $$
    SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::json ->> 'request_timeout_ms'
$$;
SELECT pg_temp.request_timeout();
-- A bad value stored that way is refused at call time.
DO $$ BEGIN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET aws_lambda.request_timeout_ms = ''soon''',
                   current_user, current_database());
END $$;
\c
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
DO $$ BEGIN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET aws_lambda.request_timeout_ms',
                   current_user, current_database());
    EXECUTE format('ALTER DATABASE %I RESET aws_lambda.request_timeout_ms', current_database());
END $$;
\c
SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::json ->> 'request_timeout_ms'
    AS request_timeout_ms;

-- aws_lambda.endpoint_override: sent only when a superuser chose it.
-- A superuser session: as set.
SET aws_lambda.endpoint_override = 'http://127.0.0.1:4566';
SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::json ->> 'endpoint_override'
    AS endpoint_override;
RESET aws_lambda.endpoint_override;
SELECT aws_lambda_private.request_json('f', NULL, '{}', NULL, NULL, NULL, NULL)::json ->> 'endpoint_override'
    AS endpoint_override;

-- An ordinary session, through invoke. The transport is a stub that returns what the request
-- carried (rolled back below).
CREATE ROLE regress_aws_lambda_caller;
GRANT USAGE ON SCHEMA aws_lambda, aws_commons TO regress_aws_lambda_caller;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda TO regress_aws_lambda_caller;
BEGIN;
CREATE OR REPLACE FUNCTION aws_lambda_private.send(
    request text,
    OUT status_code integer, OUT payload text, OUT executed_version text, OUT log_result text)
LANGUAGE sql AS $$
    SELECT 200, json_build_object('role', request::json -> 'caller' -> 'role',
                                  'endpoint_override', request::json -> 'endpoint_override')::text,
           NULL::text, NULL::text
$$;
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json);
-- Set by the session itself: ignored, with a warning.
SET aws_lambda.endpoint_override = 'http://attacker.example';
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json);
RESET SESSION AUTHORIZATION;
-- A superuser configures a value for the role (or the database): a session holding exactly
-- that value (it got it at login) sends it; any other value is still ignored.
ALTER ROLE regress_aws_lambda_caller SET aws_lambda.endpoint_override = 'http://localstack:4566';
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
SET aws_lambda.endpoint_override = 'http://localstack:4566';
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.endpoint_override = 'http://attacker.example';
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json);
RESET SESSION AUTHORIZATION;
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET aws_lambda.endpoint_override = ''http://db-wide:4566''', current_database());
END $$;
ALTER ROLE regress_aws_lambda_caller RESET aws_lambda.endpoint_override;
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
SET aws_lambda.endpoint_override = 'http://db-wide:4566';
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.endpoint_override = 'http://localstack:4566';
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json);
RESET SESSION AUTHORIZATION;
ROLLBACK;

-- Only a superuser (or a role granted SET on it) may store the setting for a role.
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
ALTER ROLE regress_aws_lambda_caller SET aws_lambda.endpoint_override = 'http://attacker.example';
RESET SESSION AUTHORIZATION;

REVOKE ALL ON SCHEMA aws_lambda, aws_commons FROM regress_aws_lambda_caller;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA aws_lambda FROM regress_aws_lambda_caller;
DROP ROLE regress_aws_lambda_caller;
