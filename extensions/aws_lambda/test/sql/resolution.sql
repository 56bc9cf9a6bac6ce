-- Every aws_lambda.invoke call of the Aurora documentation, run verbatim: which overload
-- PostgreSQL picks and how that overload reads the arguments.
--
-- Without a bridge: a stand-in for dblink (schema regress_stub, kept for the next tests) takes
-- the request and answers it, as the bridge does, with one row of eight columns. Inside a
-- transaction that is rolled back, aws_lambda_private.invoke finds it first in its search_path,
-- and regress_stub.answer echoes the request the way the bridge reads it (its header as an
-- object, without request_timeout_ms and endpoint_override; unset invocation and log types as
-- their defaults), so the payload column shows what the bridge would receive.
-- track_functions tells which overload ran.
\set SHOW_CONTEXT never
SET track_functions = 'all';
CREATE TEMP TABLE calls_seen (funcid oid PRIMARY KEY, calls bigint);
CREATE FUNCTION pg_temp.overload_called() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    called text;
BEGIN
    SELECT string_agg(f.funcid::regprocedure::text, ', ') INTO called
    FROM pg_stat_xact_user_functions f LEFT JOIN calls_seen s USING (funcid)
    WHERE f.schemaname = 'aws_lambda' AND f.calls > coalesce(s.calls, 0);
    INSERT INTO calls_seen
    SELECT funcid, calls FROM pg_stat_xact_user_functions WHERE schemaname = 'aws_lambda'
    ON CONFLICT (funcid) DO UPDATE SET calls = excluded.calls;
    RETURN called;
END
$$;

CREATE SCHEMA regress_stub;
CREATE FUNCTION regress_stub.dblink_get_connections() RETURNS text[] LANGUAGE sql
AS $$ SELECT '{aws_lambda_bridge}'::text[] $$;
CREATE FUNCTION regress_stub.dblink_is_busy(text) RETURNS integer LANGUAGE sql
AS $$ SELECT 0 $$;
CREATE FUNCTION regress_stub.dblink_send_query(text, text) RETURNS integer LANGUAGE sql
AS $$ SELECT 1 FROM set_config('regress_stub.request', $2, true) $$;
-- As dblink does with fail_on_error false: an answer of no rows comes with a NOTICE.
CREATE FUNCTION regress_stub.dblink_get_result(text, boolean) RETURNS SETOF record LANGUAGE plpgsql
AS $$
BEGIN
    RETURN QUERY SELECT * FROM regress_stub.answer(current_setting('regress_stub.request'));
    IF NOT FOUND THEN
        RAISE NOTICE 'regress_stub: %', regress_stub.dblink_error_message($1);
    END IF;
END
$$;
CREATE FUNCTION regress_stub.dblink_error_message(text) RETURNS text LANGUAGE sql
AS $$ SELECT coalesce(current_setting('regress_stub.error', true), 'OK') $$;
CREATE FUNCTION regress_stub.dblink_disconnect(text) RETURNS text LANGUAGE sql
AS $$ SELECT 'OK' $$;
-- The request as the bridge reads it.
CREATE FUNCTION regress_stub.request(request text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'function_name', h ->> 1, 'region', h -> 2,
        'invocation_type', coalesce(h ->> 3, 'RequestResponse'), 'log_type', coalesce(h ->> 4, 'None'),
        'qualifier', h -> 5, 'context', (h ->> 6)::jsonb,
        'payload', nullif(substr(request, strpos(request, E'\n') + 1), '')::jsonb)
    FROM (SELECT split_part(request, E'\n', 1)::jsonb AS h) AS s
$$;
-- What the stand-in answers (tests replace it).
CREATE FUNCTION regress_stub.answer(request text,
    OUT status_code integer, OUT payload text, OUT executed_version text, OUT log_result text,
    OUT sqlstate text, OUT message text, OUT detail text, OUT hint text)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT 200, regress_stub.request(request)::text, '$LATEST',
           replace(encode(convert_to('log tail of ' || (regress_stub.request(request) ->> 'function_name'), 'utf-8'), 'base64'), E'\n', ''),
           NULL, NULL, NULL, NULL
$$;

BEGIN;
ALTER FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement)
    SET search_path = pg_catalog, regress_stub, pg_temp;
\x on

-- Specifying the Lambda function to use
SELECT aws_commons.create_lambda_function_arn(
   'my-function',
   'us-west-2'
) AS aws_lambda_arn_1 \gset

SELECT aws_commons.create_lambda_function_arn(
   '123456789012:function:my-function',
   'us-west-2'
) AS lambda_partial_arn_1 \gset

SELECT aws_commons.create_lambda_function_arn(
   'arn:aws:lambda:us-west-2:123456789012:function:my-function'
) AS lambda_arn_1 \gset

-- Synchronous RequestResponse invocation: the two calls give the same.
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json);
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json, 'RequestResponse');
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function', 'us-west-2'),
'{"body": "Hello from Postgres!"}'::json
);
SELECT pg_temp.overload_called();

-- Asynchronous event invocation
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json, 'Event');
SELECT pg_temp.overload_called();

-- Requesting a Lambda execution log in a function response
SELECT *, convert_from(decode(log_result, 'base64'), 'utf-8') as log FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json, 'RequestResponse', 'Tail');
SELECT pg_temp.overload_called();

-- Including client context
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json, 'RequestResponse', 'None', '{"env": {"locale": "es_MX.utf8"}}'::json);
SELECT pg_temp.overload_called();

-- Invoking a specific version
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json, 'RequestResponse', 'None', NULL, 'custom_version');
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function:custom_version', 'us-west-2'),
'{"body": "Hello from Postgres!"}'::json
);
SELECT pg_temp.overload_called();

-- Error handling (the error itself comes from the bridge; here: how the call reads)
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json);
SELECT pg_temp.overload_called();

-- The other two structures of the documentation, and the same calls with JSONB payloads.
SELECT * FROM aws_lambda.invoke(:'lambda_partial_arn_1', '{"body": "Hello from Postgres!"}'::json, 'Event');
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(:'lambda_arn_1', '{"body": "Hello from Postgres!"}'::jsonb, 'RequestResponse', 'Tail');
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::jsonb, 'RequestResponse', 'None', '{"env": {"locale": "es_MX.utf8"}}'::jsonb);
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::jsonb, 'RequestResponse', 'None', NULL, 'custom_version');
SELECT pg_temp.overload_called();
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function', 'us-west-2'), '{"body": "Hello from Postgres!"}'::jsonb, 'DryRun');
SELECT pg_temp.overload_called();

\x off
-- Plain TEXT names keep the TEXT overload's meaning, positional and named, including a sixth
-- argument that is an untyped literal (then the six-argument helper reads it as the context).
SELECT payload FROM aws_lambda.invoke('my-function', '{"a": 1}'::json);
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke('my-function', '{"a": 1}'::json, 'us-west-2', 'Event', 'Tail');
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json, 'us-west-2', 'RequestResponse', 'None', '{"a":1}');
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::jsonb, 'us-west-2', 'RequestResponse', 'None', NULL);
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke('my-function', '{}'::json, 'us-west-2', 'RequestResponse', 'None', '{"a":1}', 'v2');
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke(function_name => 'my-function', payload => '{}'::json, qualifier => 'v1');
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke(function_name => 'my-function', payload => '{}'::jsonb, context => '{"a":1}');
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke(function_name => 'my-function', payload => '{}'::json, region => 'eu-west-1',
                                      invocation_type => 'Event', log_type => 'Tail', context => '{"a":1}');
SELECT pg_temp.overload_called();
SELECT payload FROM aws_lambda.invoke('arn:aws:lambda:us-west-2:123456789012:function:my-function:7', NULL::json);
SELECT pg_temp.overload_called();

-- A composite-literal name with named or mixed arguments keeps the names.
SELECT payload FROM aws_lambda.invoke(function_name => :'aws_lambda_arn_1', payload => '{}'::json, invocation_type => 'Event');
SELECT payload FROM aws_lambda.invoke(function_name => :'aws_lambda_arn_1', payload => '{}'::json, log_type => 'Tail', qualifier => 'v1');
SELECT payload FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::json, 'Event', log_type => 'Tail');
SELECT payload FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::json, 'Event', context => '{"a":1}'::json, qualifier => 'v1');
SELECT payload FROM aws_lambda.invoke(:'lambda_arn_1', '{}'::json, region => 'us-west-2');
SELECT payload FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::json, 'RequestResponse', 'None', '{"untyped": true}');
SELECT pg_temp.overload_called();
-- Composite values, positional and named.
SELECT payload FROM aws_lambda.invoke(:'aws_lambda_arn_1'::aws_commons._lambda_function_arn_1, '{}'::json, 'Event', 'Tail', '{"a":1}', 'v1');
SELECT payload FROM aws_lambda.invoke(function_name => aws_commons.create_lambda_function_arn('my-function'), payload => '{}'::jsonb, qualifier => 'v1');
SELECT pg_temp.overload_called();

-- Do not expand the record with (f(...)).*: PostgreSQL may then call the function once per
-- output column. In FROM it runs once.
SELECT calls AS calls_before FROM pg_stat_xact_user_functions
WHERE funcid = 'aws_lambda.invoke(text,json,text,text,text,json,varchar)'::regprocedure \gset
SELECT count(*) FROM (SELECT (aws_lambda.invoke('my-function', '{}'::json)).*) AS t;
SELECT calls - :calls_before AS invocations FROM pg_stat_xact_user_functions
WHERE funcid = 'aws_lambda.invoke(text,json,text,text,text,json,varchar)'::regprocedure;
SELECT calls AS calls_before FROM pg_stat_xact_user_functions
WHERE funcid = 'aws_lambda.invoke(text,json,text,text,text,json,varchar)'::regprocedure \gset
SELECT count(*) FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT calls - :calls_before AS invocations FROM pg_stat_xact_user_functions
WHERE funcid = 'aws_lambda.invoke(text,json,text,text,text,json,varchar)'::regprocedure;
ROLLBACK;

-- Refused before anything is sent.
-- An untyped payload matches JSON and JSONB alike: cast it.
SELECT * FROM aws_lambda.invoke('my-function', '{}');
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}');
-- A name is required.
SELECT * FROM aws_lambda.invoke(NULL, '{}'::json);
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn(NULL), '{}'::json);
-- A Region given beside a composite name must agree with it.
SELECT payload FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::json, region => 'eu-west-1');
