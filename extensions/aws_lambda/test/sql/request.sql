-- The request of docs/bridge-protocol.md (version 2) as aws_lambda_private.invoke sends it, the
-- settings it carries, and what a call runs. The dblink stand-in of resolution.sql (schema
-- regress_stub) answers here with the request text in executed_version.
\set SHOW_CONTEXT never
\set stub 'ALTER FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement) SET search_path = pg_catalog, regress_stub, pg_temp'
CREATE OR REPLACE FUNCTION regress_stub.answer(request text,
    OUT status_code integer, OUT payload text, OUT executed_version text, OUT log_result text,
    OUT sqlstate text, OUT message text, OUT detail text, OUT hint text)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT 200, NULL, request, NULL, NULL, NULL, NULL, NULL
$$;
CREATE FUNCTION pg_temp.header(request text) RETURNS json LANGUAGE sql
AS $$ SELECT split_part(request, E'\n', 1)::json $$;

BEGIN;
:stub;
-- A one-line header (json_build_array: version 2, function_name, region, invocation_type,
-- log_type, qualifier, context as a JSON string, request_timeout_ms as set, endpoint_override),
-- a newline, the payload's text.
SELECT executed_version AS request FROM aws_lambda.invoke('my-function', '{"body": "Hello"}'::json,
    'us-west-2', 'Event', 'Tail', '{"custom": {"a": 1}}'::json, 'v1');
SELECT executed_version AS request FROM aws_lambda.invoke(
    aws_commons.create_lambda_function_arn('my-function', 'us-west-2'), '{"body": "Hello"}'::jsonb, 'DryRun');
-- A json payload goes as written (spacing, key order, duplicate keys, newlines); jsonb as
-- jsonb prints it.
SELECT executed_version AS request FROM aws_lambda.invoke('f', E'{"b": 1,  "a": 2,\n "a": 3}'::json);
SELECT executed_version AS request FROM aws_lambda.invoke('f', '{"b": 1,  "a": 2, "a": 3}'::jsonb);
-- SQL NULL: nothing after the newline. JSON null, strings, numbers, arrays: their text.
SELECT executed_version AS request FROM aws_lambda.invoke('f', NULL::json);
SELECT executed_version AS request FROM aws_lambda.invoke('f', 'null'::jsonb);
SELECT executed_version AS request FROM aws_lambda.invoke('f', '"text"'::json, context => '[1]'::json);
-- Newlines in arguments are escaped in the header: it stays one line.
SELECT executed_version AS request FROM aws_lambda.invoke(E'f\nx', '1'::json, qualifier => E'v\n1');
-- The named and composite-literal readings reach the header as resolution.sql shows.
SELECT aws_commons.create_lambda_function_arn('my-function', 'us-west-2') AS aws_lambda_arn_1 \gset
SELECT executed_version AS request FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::json, 'RequestResponse', 'None', NULL, 'custom_version');

-- aws_lambda.request_timeout_ms: sent as SQL reads it; the bridge checks it (unset or empty is
-- 3000, else whole milliseconds 1..900000).
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
SET LOCAL aws_lambda.request_timeout_ms = 900000;
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
SET LOCAL aws_lambda.request_timeout_ms = ' 25 ';
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
SET LOCAL aws_lambda.request_timeout_ms = '';
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
SET LOCAL aws_lambda.request_timeout_ms = 'soon';
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
ROLLBACK;

-- ALTER DATABASE and ALTER ROLE ... IN DATABASE settings apply to the next session; the more
-- specific one wins.
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET aws_lambda.request_timeout_ms = 7000', current_database());
END $$;
\c
CREATE FUNCTION pg_temp.header(request text) RETURNS json LANGUAGE sql
AS $$ SELECT split_part(request, E'\n', 1)::json $$;
BEGIN;
:stub;
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
ROLLBACK;
DO $$ BEGIN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET aws_lambda.request_timeout_ms = 8000',
                   current_user, current_database());
END $$;
\c
CREATE FUNCTION pg_temp.header(request text) RETURNS json LANGUAGE sql
AS $$ SELECT split_part(request, E'\n', 1)::json $$;
BEGIN;
:stub;
SELECT pg_temp.header(executed_version) -> 7 AS request_timeout_ms FROM aws_lambda.invoke('f', '{}'::json);
ROLLBACK;
DO $$ BEGIN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET aws_lambda.request_timeout_ms',
                   current_user, current_database());
    EXECUTE format('ALTER DATABASE %I RESET aws_lambda.request_timeout_ms', current_database());
END $$;
\c
CREATE FUNCTION pg_temp.header(request text) RETURNS json LANGUAGE sql
AS $$ SELECT split_part(request, E'\n', 1)::json $$;

-- What a warm call runs: the public function and aws_lambda_private.invoke, nothing else of
-- the extension (the stand-in's dblink functions aside). endpoint_override() only when the
-- setting is not empty; connecting (connect, setting_ms, connstr) is in bridge.sql.
SET track_functions = 'all';
BEGIN;
:stub;
SELECT status_code FROM aws_lambda.invoke('f', '{}'::json);
SELECT status_code FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::jsonb, 'Event');
SET LOCAL aws_lambda.endpoint_override = '';
SELECT status_code FROM aws_lambda.invoke('f', '{}'::json, 'us-west-2', 'Event', 'None', '{}');
SELECT funcid::regprocedure AS function, calls FROM pg_stat_xact_user_functions
WHERE schemaname IN ('aws_lambda', 'aws_lambda_private') ORDER BY funcid::regprocedure::text;
SET LOCAL aws_lambda.endpoint_override = 'http://127.0.0.1:4566';
SELECT status_code FROM aws_lambda.invoke('f', '{}'::json);
SELECT funcid::regprocedure AS function, calls FROM pg_stat_xact_user_functions
WHERE schemaname = 'aws_lambda_private' ORDER BY funcid::regprocedure::text;
ROLLBACK;
RESET track_functions;
-- No exception block (no subtransaction) in it.
SELECT prosrc ~* '\mEXCEPTION\s+WHEN\M' AS has_exception_block
FROM pg_proc WHERE oid = 'aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement)'::regprocedure;

-- aws_lambda.endpoint_override: sent only when a superuser chose it.
-- A superuser session: as set.
BEGIN;
:stub;
SET LOCAL aws_lambda.endpoint_override = 'http://127.0.0.1:4566';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('f', '{}'::json);
SET LOCAL aws_lambda.endpoint_override = '';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('f', '{}'::json);
ROLLBACK;

-- An ordinary session, through invoke.
CREATE ROLE regress_aws_lambda_caller;
GRANT USAGE ON SCHEMA aws_lambda, aws_commons TO regress_aws_lambda_caller;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda TO regress_aws_lambda_caller;
BEGIN;
:stub;
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('my-function', '{}'::json);
-- Set by the session itself: ignored, with a warning.
SET aws_lambda.endpoint_override = 'http://attacker.example';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('my-function', '{}'::json);
RESET SESSION AUTHORIZATION;
-- A superuser configures a value for the role (or the database): a session holding exactly
-- that value (it got it at login) sends it; any other value is still ignored.
ALTER ROLE regress_aws_lambda_caller SET aws_lambda.endpoint_override = 'http://localstack:4566';
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
SET aws_lambda.endpoint_override = 'http://localstack:4566';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.endpoint_override = 'http://attacker.example';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('my-function', '{}'::json);
RESET SESSION AUTHORIZATION;
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET aws_lambda.endpoint_override = ''http://db-wide:4566''', current_database());
END $$;
ALTER ROLE regress_aws_lambda_caller RESET aws_lambda.endpoint_override;
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
SET aws_lambda.endpoint_override = 'http://db-wide:4566';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.endpoint_override = 'http://localstack:4566';
SELECT pg_temp.header(executed_version) -> 8 AS endpoint_override FROM aws_lambda.invoke('my-function', '{}'::json);
RESET SESSION AUTHORIZATION;
ROLLBACK;

-- Only a superuser (or a role granted SET on it) may store the setting for a role.
SET SESSION AUTHORIZATION regress_aws_lambda_caller;
ALTER ROLE regress_aws_lambda_caller SET aws_lambda.endpoint_override = 'http://attacker.example';
RESET SESSION AUTHORIZATION;

REVOKE ALL ON SCHEMA aws_lambda, aws_commons FROM regress_aws_lambda_caller;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA aws_lambda FROM regress_aws_lambda_caller;
DROP ROLE regress_aws_lambda_caller;
