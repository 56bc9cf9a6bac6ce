-- The bridge's answer to a version-2 request (docs/bridge-protocol.md): one row of eight
-- columns, a failure in the last four, raised from them with its SQLSTATE, message, and detail
-- and hint when not empty. No row: the connection broke after the request was written, or
-- something that is not a version-2 bridge answered with an ErrorResponse (told apart by
-- dblink_error_message). The dblink stand-in of resolution.sql (schema regress_stub) answers
-- with the row regress_stub.answer returns, replaced here in transactions that are rolled back.
\set SHOW_CONTEXT never
-- Each failing statement rolls back to its own savepoint: the transaction goes on.
\set ON_ERROR_ROLLBACK on
\set stub 'ALTER FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement) SET search_path = pg_catalog, regress_stub, pg_temp'
CREATE FUNCTION pg_temp.answer(status_code integer, payload text, executed_version text, log_result text,
                               sqlstate text, message text, detail text, hint text)
RETURNS void LANGUAGE plpgsql AS $outer$
BEGIN
    EXECUTE format($$
        CREATE OR REPLACE FUNCTION regress_stub.answer(request text,
            OUT status_code integer, OUT payload text, OUT executed_version text, OUT log_result text,
            OUT sqlstate text, OUT message text, OUT detail text, OUT hint text)
        RETURNS SETOF record LANGUAGE sql AS %L$$,
        format('SELECT %L::integer, %L, %L, %L, %L, %L, %L, %L',
               status_code, payload, executed_version, log_result, sqlstate, message, detail, hint));
END
$outer$;
-- Every field of an error.
CREATE FUNCTION pg_temp.error_of(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    msg text;
    detail text;
    hint text;
BEGIN
    EXECUTE call;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
        detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN format('%s | %s | detail %s | hint %s', state, msg, quote_nullable(nullif(detail, '')),
                  quote_nullable(nullif(hint, '')));
END
$$;

BEGIN;
:stub;
-- Success: the first four columns.
SELECT pg_temp.answer(200, '{"ok": true}', '1', 'bG9n', NULL, NULL, NULL, NULL);
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT * FROM aws_lambda.invoke('f', '{}'::jsonb);
SELECT pg_temp.answer(202, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM aws_lambda.invoke('f', '{}'::json, invocation_type => 'Event');
-- A result that is not JSON fails as in 1.0.
SELECT pg_temp.answer(200, 'not json', '$LATEST', NULL, NULL, NULL, NULL, NULL);
SELECT * FROM aws_lambda.invoke('f', '{}'::json);

-- Failures: raised with their own SQLSTATE; empty or NULL detail and hint give no line.
SELECT pg_temp.answer(NULL, NULL, NULL, NULL, '38000', 'lambda invocation failed',
    '"arn:aws:lambda:us-east-1:000000000000:function:f" returned error "Unhandled", details: "{}".', NULL);
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT pg_temp.error_of($$SELECT * FROM aws_lambda.invoke('f', '{}'::jsonb)$$);
SELECT pg_temp.answer(NULL, NULL, NULL, NULL, '58000', 'invoke API failed',
    'AWS Lambda client returned ''No IAM role is associated with DB cluster c for feature Lambda''',
    'aws rds add-role-to-db-cluster ...');
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT pg_temp.answer(NULL, NULL, NULL, NULL, '22023', 'invalid value for parameter "aws_lambda.request_timeout_ms": "0"',
    '', 'Valid values are whole numbers of milliseconds between 1 and 900000.');
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT pg_temp.error_of($$SELECT * FROM aws_lambda.invoke('f', '{}'::json)$$);
SELECT pg_temp.answer(NULL, NULL, NULL, NULL, 'XX000', 'invoke failed', '', '');
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT pg_temp.error_of($$SELECT * FROM aws_lambda.invoke('f', '{}'::json)$$);

-- No row (the stand-in raises the NOTICE dblink would; it does not reach the caller).
CREATE OR REPLACE FUNCTION regress_stub.answer(request text,
    OUT status_code integer, OUT payload text, OUT executed_version text, OUT log_result text,
    OUT sqlstate text, OUT message text, OUT detail text, OUT hint text)
RETURNS SETOF record LANGUAGE sql AS 'SELECT 1, '''', '''', '''', '''', '''', '''', '''' WHERE false';
-- The connection broke after the request was written: never re-sent.
SET LOCAL regress_stub.error = E'server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.';
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT pg_temp.error_of($$SELECT * FROM aws_lambda.invoke('f', '{}'::json)$$);
SET LOCAL regress_stub.error = E'FATAL:  terminating connection due to administrator command\nserver closed the connection unexpectedly';
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
-- Something that is not a version-2 bridge (a pglambda from before aws_lambda 1.1, another
-- server) answered with an error.
SET LOCAL regress_stub.error = E'ERROR:  the pglambda bridge only answers aws_lambda.invoke requests';
SELECT * FROM aws_lambda.invoke('f', '{}'::json);
SELECT pg_temp.error_of($$SELECT * FROM aws_lambda.invoke('f', '{}'::jsonb)$$);
ROLLBACK;

SET client_min_messages = warning;
DROP SCHEMA regress_stub CASCADE;
