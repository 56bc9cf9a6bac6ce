/* extensions/aws_lambda/sql/aws_lambda--1.1--1.2.sql */

-- Released with 1.2: never edit this file.
--
-- 1.1 -> 1.2: when the bridge refuses this database's login, "invoke API failed" says so in a
-- HINT (see aws_lambda_private.connect in aws_lambda--1.2.sql); before, only the server log did;
-- and a login replaced while connecting is tried once more with the new one. invoke refuses a
-- payload over Lambda's limits before sending it. Only connect and invoke change; their
-- signatures, privileges, settings and comments stay. Also run without
-- ALTER EXTENSION by `pglambda install` on a plain install of 1.1 (minus the \echo guard line
-- below), so again every name is schema-qualified.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION aws_lambda UPDATE TO '1.2'" to load this file. \quit

-- Opens the connection 'aws_lambda_bridge' unless this backend has it. Returns true when it
-- reuses an open one. Failing to connect is "invoke API failed" (58000), in Aurora's words;
-- libpq's reason goes to the server log. A HINT gives the causes an administrator can act on:
-- the bridge is not configured yet, or it refuses this database's login (a wrong password, or a
-- login retired because `pglambda install` gave this database a new one elsewhere). The
-- login is read from the user mapping only then; its password never appears.
CREATE OR REPLACE FUNCTION aws_lambda_private.connect(
    -- aws_lambda.connect_timeout_ms as read
    connect_timeout_ms integer
)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    conn constant text := 'aws_lambda_bridge';
    msg text;
    detail text;
    refusal text;
    login text;
    used text;
BEGIN
    IF conn = ANY (dblink_get_connections()) THEN
        RETURN true;
    END IF;
    FOR attempt IN 1..2 LOOP
        used := aws_lambda_private.connstr(connect_timeout_ms);
        BEGIN
            PERFORM dblink_connect(conn, used);
            RETURN false;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
        END;
        -- dblink puts libpq's text in the DETAIL; other versions may put it in the message.
        refusal := substring(concat_ws(E'\n', msg, detail) FROM '(?:password )?authentication failed');
        -- Refused while pglambda install moved this database onto a new login (it retires the old
        -- one once the new one is in place): once more, with the login the database has now.
        EXIT WHEN refusal IS NULL OR aws_lambda_private.connstr(connect_timeout_ms) IS NOT DISTINCT FROM used;
    END LOOP;
    RAISE LOG 'aws_lambda: cannot connect to the bridge: % %', msg, detail;
    IF EXISTS (SELECT FROM pg_catalog.pg_foreign_server
               WHERE srvname = 'aws_lambda_bridge'
                 AND 'host=/nonexistent/pglambda-bridge-not-configured'::text = ANY (srvoptions)) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'system_error',
            MESSAGE = 'invoke API failed',
            DETAIL = 'AWS Lambda client returned ''Unable to connect to endpoint''',
            HINT = 'The bridge is not configured yet: run "pglambda install".';
    END IF;
    IF refusal IS NOT NULL THEN
        -- The login connstr sent: from the current role's mapping (inside invoke: the
        -- owner's), else PUBLIC's.
        SELECT o.v INTO login
        FROM (SELECT um.umoptions
              FROM pg_catalog.pg_user_mappings um
              WHERE um.srvname = 'aws_lambda_bridge'
                AND (um.umuser = 0 OR um.usename = current_user)
              ORDER BY um.umuser = 0
              LIMIT 1) u,
             LATERAL pg_catalog.pg_options_to_table(u.umoptions) AS o(k, v)
        WHERE o.k = 'user';
        RAISE EXCEPTION USING
            ERRCODE = 'system_error',
            MESSAGE = 'invoke API failed',
            DETAIL = 'AWS Lambda client returned ''Unable to connect to endpoint''',
            HINT = format('The bridge refused this database''s login%s: %s. Each database has its own '
                          'bridge login; run "pglambda install --database-url ..." for this database again.',
                          ' "' || login || '"', refusal);
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'system_error',
        MESSAGE = 'invoke API failed',
        DETAIL = 'AWS Lambda client returned ''Unable to connect to endpoint''';
END
$$;

-- Payloads over Lambda's limits are refused before anything is sent.
CREATE OR REPLACE FUNCTION aws_lambda_private.invoke(
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
    -- HTTP status of Invoke: 200, 202 or 204
    OUT status_code integer,
    -- the function's result as JSON text; NULL for Event and DryRun
    OUT payload text,
    -- the version that ran
    OUT executed_version text,
    -- base64 log tail with log_type 'Tail'
    OUT log_result text
)
LANGUAGE plpgsql
-- dblink reports a refused write and a failed result as a NOTICE; both are handled below.
SET client_min_messages = warning
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

-- CREATE OR REPLACE sets the function's settings to those it names: dblink's schema goes back
-- into invoke's search_path, as aws_lambda--1.2.sql sets it.
DO $$
DECLARE
    dblink_schema text;
BEGIN
    SELECT n.nspname INTO STRICT dblink_schema
    FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'dblink';
    EXECUTE format('ALTER FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer) '
                   'SET search_path = pg_catalog, %I, pg_temp', dblink_schema);
END
$$;
