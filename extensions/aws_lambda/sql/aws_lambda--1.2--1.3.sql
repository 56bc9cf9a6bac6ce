/* extensions/aws_lambda/sql/aws_lambda--1.2--1.3.sql */

-- Released with 1.3: never edit this file.
--
-- 1.2 -> 1.3: less SQL per call. The overloads of aws_lambda.invoke carry the settings the whole
-- call needs (search_path with dblink's schema, client_min_messages warning), and their body is
-- one function call whose row is the result; aws_lambda_private.invoke has no settings of its
-- own and returns the payload already of the overload's type (a new anyelement argument says
-- which), so it takes the place of the one with eight arguments. configure_bridge finds the
-- owner through the new signature. Signatures of the public functions, privileges and comments
-- stay. Also run without ALTER EXTENSION by `pglambda install` on a plain install of 1.2 (minus
-- the \echo guard line below), so again every name is schema-qualified.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION aws_lambda UPDATE TO '1.3'" to load this file. \quit

-- One invocation: reads the arguments, builds the request, and makes the one round trip on the
-- persistent connection. Everything a warm call needs is inline here (no nested function call,
-- no exception block, so no subtransaction): the settings are read raw, the bridge checks
-- aws_lambda.request_timeout_ms, and aws_lambda.connect_timeout_ms is read only to connect.
--
-- The request is version 2 of docs/bridge-protocol.md: a header made by json_build_array, a
-- newline, the payload's text. The answer is always one row of eight columns; a failure comes
-- in its last four (sqlstate, message, detail, hint) and is raised from them here.
--
-- The request is re-sent at most once, and only when it was certainly not written:
-- dblink_is_busy first reads whatever the bridge sent while idle (an end of file from a
-- restarted bridge marks the connection bad), and dblink_send_query then refuses to write on a
-- bad or busy connection (returns 0). A request that was written is never re-sent.
--
-- dblink_get_result(conn, false) turns a failed result into zero rows and a NOTICE (kept from
-- the caller by the client_min_messages of the public functions, which call this one). Zero
-- rows: either the connection broke after the request was written (libpq's own message, or a
-- FATAL the server sent before closing: 58000 "Connection to endpoint lost", the connection
-- dropped), or something that is not a version-2 bridge answered with an ErrorResponse
-- (dblink_error_message starts "ERROR:  ": 58000 "Unexpected answer from endpoint: <its
-- message>", the connection kept).
--
-- The TEXT overloads' reading of a name in composite-literal form, '(name,region)' (what psql's
-- \gset makes of aws_commons.create_lambda_function_arn), from a call written for the
-- composite overload that PostgreSQL resolved to a TEXT one (docs: overload-resolution). Its
-- arguments are then read as the composite overload reads them:
--   * seven-argument overloads, region NULL or not an invocation type: the arguments were
--     named (or all defaulted) and keep their names; a region given too must agree with the
--     composite's;
--   * seven-argument overloads, region is an invocation type: positional, shifted by one. The
--     composite's (invocation_type, log_type, context, qualifier) arrived in this overload's
--     (region, invocation_type, log_type, context). A value equal to the overload's default
--     counts as not passed, and 'None'/'Tail' where JSON is expected is a named log_type, so
--     only calls that were invalid anyway can be misread;
--   * six-argument overloads: after a plain name the sixth argument is the client context as
--     JSON text; after a composite-literal name with an invocation type as region, all six are
--     positional for the composite overload, so the sixth is the qualifier (else as the
--     seven-argument overloads, with the sixth as the context).
CREATE FUNCTION aws_lambda_private.invoke(
    -- function name, partial ARN or ARN (the bridge parses every form Lambda accepts), or with
    -- reading 6 or 7 '(name,region)'
    function_name text,
    -- AWS Region or NULL
    region text,
    -- the event's JSON text; NULL for none
    event text,
    -- 'RequestResponse' (NULL means this), 'Event' or 'DryRun'; checked by the bridge
    invocation_type text,
    -- 'None' (NULL means this) or 'Tail'; checked by the bridge
    log_type text,
    -- client context as JSON text, or NULL
    context text,
    -- version or alias or NULL
    qualifier text,
    -- how the arguments came: 0 from a composite overload (as they are), 7 or 6 from the
    -- seven- or six-argument TEXT overloads (a composite-literal name is read as above)
    reading integer,
    -- NULL::json or NULL::jsonb: the type of the payload returned, the calling overload's
    payload_type anyelement,
    -- HTTP status of Invoke: 200, 202 or 204
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload anyelement,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE plpgsql
-- No settings of its own (each costs a save and a restore per call): it runs with those of the
-- public function calling it, search_path with dblink's schema and client_min_messages warning.
AS $$
DECLARE
    conn constant text := 'aws_lambda_bridge';
    arn aws_commons._lambda_function_arn_1;
    override text := pg_catalog.current_setting('aws_lambda.endpoint_override', true);
    request text;
    reused boolean := false;
    sent boolean;
    state text;
    msg text;
    detail text;
    hint text;
BEGIN
    -- 1. The arguments.
    IF reading = 6 THEN
        IF left(function_name, 1) = '(' AND right(function_name, 1) = ')'
           AND region IN ('RequestResponse', 'Event', 'DryRun') THEN
            arn := function_name::aws_commons._lambda_function_arn_1;
            function_name := arn.function_name;
            qualifier := context;
            context := log_type::json::text;
            log_type := invocation_type;
            invocation_type := region;
            region := arn.region;
        ELSE
            context := context::json::text;
            reading := 7;
        END IF;
    END IF;
    IF reading = 7 AND left(function_name, 1) = '(' AND right(function_name, 1) = ')' THEN
        arn := function_name::aws_commons._lambda_function_arn_1;
        function_name := arn.function_name;
        IF region IS NULL OR region NOT IN ('RequestResponse', 'Event', 'DryRun') THEN
            IF region IS NOT NULL AND arn.region IS NOT NULL AND region <> arn.region THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'invalid_parameter_value',
                    MESSAGE = format('region "%s" conflicts with region "%s" of function_name', region, arn.region);
            END IF;
            region := coalesce(arn.region, region);
        ELSE
            -- In this order: each assignment reads only arguments not yet shifted.
            IF log_type IS NOT NULL AND log_type NOT IN ('None', 'Tail') THEN
                qualifier := coalesce(qualifier, context::json #>> '{}');
                context := log_type::json::text;
            END IF;
            log_type := CASE
                WHEN invocation_type IS DISTINCT FROM 'RequestResponse' THEN invocation_type
                WHEN log_type IN ('None', 'Tail') THEN log_type
                ELSE 'None'
            END;
            invocation_type := region;
            region := arn.region;
        END IF;
    END IF;
    IF function_name IS NULL OR function_name = '' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'function_name must not be null or empty';
    END IF;

    -- 2. The request. endpoint_override's superuser checks only when it is set.
    IF override <> '' THEN
        override := aws_lambda_private.endpoint_override();
    ELSE
        override := '';
    END IF;
    -- Lambda's payload limits, checked here too and in the bridge's words: a payload over them is
    -- never sent (one over the bridge's largest message could not even be read, and would cost
    -- the connection).
    IF octet_length(event) > 6291456 OR (invocation_type = 'Event' AND octet_length(event) > 1048576) THEN
        IF coalesce(invocation_type, 'RequestResponse') IN ('RequestResponse', 'Event', 'DryRun') THEN
            RAISE EXCEPTION USING
                ERRCODE = 'invalid_parameter_value',
                MESSAGE = format('payload is too large: %s bytes (limit %s for %s invocations)', octet_length(event),
                                 CASE WHEN invocation_type = 'Event' THEN 1048576 ELSE 6291456 END,
                                 coalesce(invocation_type, 'RequestResponse'));
        END IF;
    END IF;
    request := json_build_array(2, function_name, region, invocation_type, log_type, qualifier, context,
                   pg_catalog.current_setting('aws_lambda.request_timeout_ms', true), override)::text
               || E'\n' || coalesce(event, '');

    -- 3. A connection: this backend's, or a new one (58000 when the bridge is unreachable). On
    -- a reused one, read what arrived while idle, twice: a stopping bridge may send an error
    -- before its end of file, and only the read that meets the end of file marks the
    -- connection bad. Busy means an earlier call was interrupted while waiting: drop it.
    IF conn = ANY (dblink_get_connections()) THEN
        IF dblink_is_busy(conn) <> 0 OR dblink_is_busy(conn) <> 0 THEN
            PERFORM dblink_disconnect(conn);
            PERFORM aws_lambda_private.connect(
                aws_lambda_private.setting_ms('aws_lambda.connect_timeout_ms', 1000));
        ELSE
            reused := true;
        END IF;
    ELSE
        PERFORM aws_lambda_private.connect(
            aws_lambda_private.setting_ms('aws_lambda.connect_timeout_ms', 1000));
    END IF;

    -- 4. Sending. dblink_send_query returns 0 without writing on a bad connection: only then,
    -- and only on a reused connection, reconnect and send once more.
    sent := dblink_send_query(conn, request) = 1;
    IF NOT sent AND reused THEN
        PERFORM dblink_disconnect(conn);
        PERFORM aws_lambda_private.connect(
            aws_lambda_private.setting_ms('aws_lambda.connect_timeout_ms', 1000));
        sent := dblink_send_query(conn, request) = 1;
    END IF;
    IF NOT sent THEN
        PERFORM dblink_disconnect(conn);
        RAISE EXCEPTION USING
            ERRCODE = 'system_error',
            MESSAGE = 'invoke API failed',
            DETAIL = 'AWS Lambda client returned ''Unable to connect to endpoint''';
    END IF;

    -- 5. The answer. Never re-sent from here on.
    SELECT r.status_code, r.payload, r.executed_version, r.log_result, r.sqlstate, r.message, r.detail, r.hint
      INTO status_code, payload, executed_version, log_result, state, msg, detail, hint
    FROM dblink_get_result(conn, false)
         AS r(status_code integer, payload text, executed_version text, log_result text,
              sqlstate text, message text, detail text, hint text);
    IF NOT FOUND THEN
        msg := dblink_error_message(conn);
        IF msg LIKE 'ERROR:  %' THEN
            -- The connection is still good: read up to ReadyForQuery and keep it.
            IF dblink_is_busy(conn) <> 0 THEN
                PERFORM FROM dblink_get_result(conn, false) AS r(x text);
            END IF;
            RAISE LOG 'aws_lambda: the bridge answered with an error: %', msg;
            RAISE EXCEPTION USING
                ERRCODE = 'system_error',
                MESSAGE = 'invoke API failed',
                DETAIL = format('AWS Lambda client returned ''Unexpected answer from endpoint: %s''',
                                split_part(substr(msg, 9), E'\n', 1)),
                HINT = 'The bridge does not answer aws_lambda 1.1 requests (bridge protocol version 2): update pglambda.';
        END IF;
        RAISE LOG 'aws_lambda: lost the bridge connection: %', msg;
        PERFORM dblink_disconnect(conn);
        RAISE EXCEPTION USING
            ERRCODE = 'system_error',
            MESSAGE = 'invoke API failed',
            DETAIL = 'AWS Lambda client returned ''Connection to endpoint lost''',
            HINT = 'The request was sent: the function may have run.';
    END IF;
    -- Up to ReadyForQuery, so that the connection is idle for the next call: dblink_is_busy
    -- consumes it when it has arrived (the usual case), which costs no query.
    IF dblink_is_busy(conn) <> 0 THEN
        PERFORM FROM dblink_get_result(conn, false) AS r(x text);
    END IF;

    IF state IS NOT NULL THEN
        IF detail <> '' AND hint <> '' THEN
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, DETAIL = detail, HINT = hint;
        ELSIF detail <> '' THEN
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, DETAIL = detail;
        ELSIF hint <> '' THEN
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, HINT = hint;
        END IF;
        RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg;
    END IF;
END
$$;

COMMENT ON FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement) IS
'One invocation: reads the arguments of an aws_lambda.invoke overload, sends the request to the bridge on the persistent dblink connection aws_lambda_bridge and returns its answer';

REVOKE ALL ON FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement) FROM PUBLIC;

-- Points the foreign server at the bridge and stores the bridge login in a user mapping for
-- the extension owner (the role the public functions run as). Run by a superuser or the owner;
-- what `pglambda install` calls, with bind parameters. Other backends keep an open connection
-- to the previous bridge until it breaks.
CREATE OR REPLACE FUNCTION aws_lambda_private.configure_bridge(
    -- host name, address or socket directory of the bridge
    host text,
    -- its port
    port integer,
    -- the cluster's bridge login
    login text,
    -- its password (SCRAM-SHA-256 on the bridge); NULL for none
    password text,
    -- database name sent at startup (the bridge ignores it)
    dbname text DEFAULT 'aws_lambda_bridge'
)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    conn constant text := 'aws_lambda_bridge';
    owner oid;
BEGIN
    -- The role the public functions run as (SECURITY DEFINER): the one whose mapping connstr reads.
    SELECT p.proowner INTO owner
    FROM pg_catalog.pg_proc p
    WHERE p.oid = 'aws_lambda.invoke(text, json, text, text, text, json, character varying)'::regprocedure;

    EXECUTE format('ALTER SERVER aws_lambda_bridge OPTIONS (SET host %L, SET port %L, SET dbname %L)',
                   host, port::text, dbname);
    IF EXISTS (SELECT FROM pg_catalog.pg_user_mappings
               WHERE srvname = 'aws_lambda_bridge' AND umuser = owner) THEN
        EXECUTE format('DROP USER MAPPING FOR %s SERVER aws_lambda_bridge', owner::regrole);
    END IF;
    IF password IS NULL THEN
        EXECUTE format('CREATE USER MAPPING FOR %s SERVER aws_lambda_bridge OPTIONS (user %L)',
                       owner::regrole, login);
    ELSE
        EXECUTE format('CREATE USER MAPPING FOR %s SERVER aws_lambda_bridge OPTIONS (user %L, password %L)',
                       owner::regrole, login, password);
    END IF;
    IF conn = ANY (dblink_get_connections()) THEN
        PERFORM dblink_disconnect(conn);
    END IF;
END
$$;

COMMENT ON FUNCTION aws_lambda_private.configure_bridge(text, integer, text, text, text) IS
'Sets the bridge address in server aws_lambda_bridge and its login in the extension owner''s user mapping';

-- CREATE OR REPLACE keeps each overload's privileges and comment, and sets its settings to those
-- it names: the search_path follows below, with configure_bridge's.
CREATE OR REPLACE FUNCTION aws_lambda.invoke(
    -- function name, partial ARN or ARN (or, from psql's \gset, '(name,region)')
    IN function_name text,
    -- the event
    IN payload json,
    -- AWS Region; NULL: the one in the ARN, or the database's own
    IN region text DEFAULT NULL,
    -- 'RequestResponse', 'Event' or 'DryRun'
    IN invocation_type text DEFAULT 'RequestResponse',
    -- 'None' or 'Tail'
    IN log_type text DEFAULT 'None',
    -- client context
    IN context json DEFAULT NULL,
    -- version or alias
    IN qualifier varchar(128) DEFAULT NULL,
    -- HTTP status of Invoke
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload json,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE sql
SECURITY DEFINER
SET client_min_messages = warning
AS $$
    SELECT aws_lambda_private.invoke($1, $3, $2::text, $4, $5, $6::text, $7, 7, NULL::json)
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, json, text, text, text, json, varchar) IS
'Invokes a Lambda function named by text (JSON payload)';

CREATE OR REPLACE FUNCTION aws_lambda.invoke(
    -- function name and Region (aws_commons.create_lambda_function_arn)
    IN function_name aws_commons._lambda_function_arn_1,
    -- the event
    IN payload json,
    -- 'RequestResponse', 'Event' or 'DryRun'
    IN invocation_type text DEFAULT 'RequestResponse',
    -- 'None' or 'Tail'
    IN log_type text DEFAULT 'None',
    -- client context
    IN context json DEFAULT NULL,
    -- version or alias
    IN qualifier varchar(128) DEFAULT NULL,
    -- HTTP status of Invoke
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload json,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE sql
SECURITY DEFINER
SET client_min_messages = warning
AS $$
    SELECT aws_lambda_private.invoke(($1).function_name, ($1).region, $2::text, $3, $4, $5::text, $6, 0, NULL::json)
$$;

COMMENT ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, json, text, text, json, varchar) IS
'Invokes a Lambda function named by aws_commons._lambda_function_arn_1 (JSON payload)';

CREATE OR REPLACE FUNCTION aws_lambda.invoke(
    -- function name, partial ARN or ARN, or '(name,region)'
    IN function_name text,
    -- the event
    IN payload json,
    -- AWS Region, or with '(name,region)' the invocation type
    IN region text,
    -- invocation type, or with '(name,region)' the log type
    IN invocation_type text,
    -- log type, or with '(name,region)' the client context
    IN log_type text,
    -- client context as JSON text, or with '(name,region)' the qualifier
    IN context text,
    -- HTTP status of Invoke
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload json,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE sql
SECURITY DEFINER
SET client_min_messages = warning
AS $$
    SELECT aws_lambda_private.invoke($1, $3, $2::text, $4, $5, $6, NULL, 6, NULL::json)
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, json, text, text, text, text) IS
'Resolution helper: six-argument call with an untyped last argument (JSON payload); see the extension README';

CREATE OR REPLACE FUNCTION aws_lambda.invoke(
    -- function name, partial ARN or ARN (or, from psql's \gset, '(name,region)')
    IN function_name text,
    -- the event
    IN payload jsonb,
    -- AWS Region; NULL: the one in the ARN, or the database's own
    IN region text DEFAULT NULL,
    -- 'RequestResponse', 'Event' or 'DryRun'
    IN invocation_type text DEFAULT 'RequestResponse',
    -- 'None' or 'Tail'
    IN log_type text DEFAULT 'None',
    -- client context
    IN context jsonb DEFAULT NULL,
    -- version or alias
    IN qualifier varchar(128) DEFAULT NULL,
    -- HTTP status of Invoke
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload jsonb,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE sql
SECURITY DEFINER
SET client_min_messages = warning
AS $$
    SELECT aws_lambda_private.invoke($1, $3, $2::text, $4, $5, $6::text, $7, 7, NULL::jsonb)
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, jsonb, text, text, text, jsonb, varchar) IS
'Invokes a Lambda function named by text (JSONB payload)';

CREATE OR REPLACE FUNCTION aws_lambda.invoke(
    -- function name and Region (aws_commons.create_lambda_function_arn)
    IN function_name aws_commons._lambda_function_arn_1,
    -- the event
    IN payload jsonb,
    -- 'RequestResponse', 'Event' or 'DryRun'
    IN invocation_type text DEFAULT 'RequestResponse',
    -- 'None' or 'Tail'
    IN log_type text DEFAULT 'None',
    -- client context
    IN context jsonb DEFAULT NULL,
    -- version or alias
    IN qualifier varchar(128) DEFAULT NULL,
    -- HTTP status of Invoke
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload jsonb,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE sql
SECURITY DEFINER
SET client_min_messages = warning
AS $$
    SELECT aws_lambda_private.invoke(($1).function_name, ($1).region, $2::text, $3, $4, $5::text, $6, 0, NULL::jsonb)
$$;

COMMENT ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, jsonb, text, text, jsonb, varchar) IS
'Invokes a Lambda function named by aws_commons._lambda_function_arn_1 (JSONB payload)';

CREATE OR REPLACE FUNCTION aws_lambda.invoke(
    -- function name, partial ARN or ARN, or '(name,region)'
    IN function_name text,
    -- the event
    IN payload jsonb,
    -- AWS Region, or with '(name,region)' the invocation type
    IN region text,
    -- invocation type, or with '(name,region)' the log type
    IN invocation_type text,
    -- log type, or with '(name,region)' the client context
    IN log_type text,
    -- client context as JSON text, or with '(name,region)' the qualifier
    IN context text,
    -- HTTP status of Invoke
    OUT status_code integer,
    -- the function's result; NULL for Event and DryRun
    OUT payload jsonb,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE sql
SECURITY DEFINER
SET client_min_messages = warning
AS $$
    SELECT aws_lambda_private.invoke($1, $3, $2::text, $4, $5, $6, NULL, 6, NULL::jsonb)
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, jsonb, text, text, text, text) IS
'Resolution helper: six-argument call with an untyped last argument (JSONB payload); see the extension README';

-- The 1.2 function the overloads called until just now; nothing else calls it.
DROP FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer);

DO $$
DECLARE
    dblink_schema text;
    f regprocedure;
BEGIN
    SELECT n.nspname INTO STRICT dblink_schema
    FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'dblink';
    FOR f IN
        SELECT p.oid::regprocedure
        FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'aws_lambda'::regnamespace AND p.proname = 'invoke'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', f, dblink_schema);
    END LOOP;
    EXECUTE format('ALTER FUNCTION aws_lambda_private.configure_bridge(text, integer, text, text, text) '
                   'SET search_path = pg_catalog, %I, pg_temp', dblink_schema);
    -- Owned as the functions that call it: whoever runs this update may be a superuser other than
    -- the role the public functions run as, which must be able to call it.
    EXECUTE format('ALTER FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement) '
                   'OWNER TO %s',
                   (SELECT p.proowner::regrole FROM pg_catalog.pg_proc p
                    WHERE p.oid = 'aws_lambda.invoke(text, json, text, text, text, json, character varying)'::regprocedure));
END
$$;
