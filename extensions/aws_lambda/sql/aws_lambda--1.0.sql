/* extensions/aws_lambda/sql/aws_lambda--1.0.sql */

-- Released: never edit this file. Changes go into aws_lambda--1.0--1.1.sql and so on.
--
-- Also run without CREATE EXTENSION by `pglambda install` (a server whose files we cannot
-- touch): that step creates dblink and the schemas aws_commons and aws_lambda, runs
-- aws_commons--1.0.sql, then drops the \echo guard line below and runs the rest unchanged. So
-- every name is schema-qualified (no @extschema@), which is possible because the extension is
-- not relocatable; dblink, which may live in any schema, is found through pg_extension.
--
-- How a call flows (docs/bridge-protocol.md):
--   aws_lambda.invoke (SQL, SECURITY DEFINER)
--     -> aws_lambda_private.request_json / text_request_json / text6_request_json: the request
--     -> aws_lambda_private.send: one query on the persistent dblink connection
--        'aws_lambda_bridge', opened from the foreign server of the same name
--     <- status_code, payload, executed_version, log_result

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION aws_lambda" to load this file. \quit

-- Nothing here is usable by PUBLIC: an administrator grants
--   GRANT USAGE ON SCHEMA aws_lambda, aws_commons TO r;
--   GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda TO r;
REVOKE ALL ON SCHEMA aws_lambda FROM PUBLIC;

-- The private schema: no GRANT reaches it; the public functions run as their owner.
CREATE SCHEMA aws_lambda_private;
REVOKE ALL ON SCHEMA aws_lambda_private FROM PUBLIC;
COMMENT ON SCHEMA aws_lambda_private IS
'Internals of the aws_lambda extension; not for direct use';

-- The bridge. Placeholder options: a socket directory that does not exist, so that until
-- `pglambda install` (or aws_lambda_private.configure_bridge) sets the real host, port and
-- login, invoke fails at once with "invoke API failed" and touches no network.
CREATE SERVER aws_lambda_bridge
    FOREIGN DATA WRAPPER dblink_fdw
    OPTIONS (host '/nonexistent/pglambda-bridge-not-configured', port '5432', dbname 'aws_lambda_bridge');
REVOKE ALL ON FOREIGN SERVER aws_lambda_bridge FROM PUBLIC;
COMMENT ON SERVER aws_lambda_bridge IS
'The pglambda bridge that aws_lambda.invoke calls; its user mapping for the extension owner holds the bridge login';

----------------------------------------------------------------------------------------------
-- API: Private
----------------------------------------------------------------------------------------------

-- A millisecond setting read at call time: NULL or '' gives the default, anything but an
-- integer in 1..900000 is refused with 22023.
CREATE FUNCTION aws_lambda_private.setting_ms(
    -- setting name, e.g. 'aws_lambda.request_timeout_ms'
    name text,
    -- value when the setting is unset or empty
    default_ms integer
)
RETURNS integer
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    raw constant text := pg_catalog.current_setting(name, true);
BEGIN
    IF raw IS NULL OR raw = '' THEN
        RETURN default_ms;
    END IF;
    IF raw ~ '^[[:space:]]*[0-9]{1,6}[[:space:]]*$' AND raw::integer BETWEEN 1 AND 900000 THEN
        RETURN raw::integer;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('invalid value for parameter "%s": "%s"', name, raw),
        HINT = 'Valid values are whole numbers of milliseconds between 1 and 900000.';
END
$$;

COMMENT ON FUNCTION aws_lambda_private.setting_ms(text, integer) IS
'Reads and range-checks a millisecond setting (1..900000) at call time';

-- aws_lambda.endpoint_override as the bridge may use it: the value when a superuser chose it,
-- else '' (with a WARNING). Chosen by a superuser means: the session user is a superuser, or
-- the value equals the one a superuser configured for this session (ALTER ROLE/DATABASE ...
-- SET, which for this placeholder setting only superusers, or roles granted SET on it, may
-- run; else ALTER SYSTEM or postgresql.conf, read through pg_file_settings when the extension
-- owner may read it). A value from SET, PGOPTIONS or a function's SET clause that differs is
-- ignored.
CREATE FUNCTION aws_lambda_private.endpoint_override()
RETURNS text
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    raw constant text := pg_catalog.current_setting('aws_lambda.endpoint_override', true);
    configured text;
BEGIN
    IF raw IS NULL OR raw = '' THEN
        RETURN '';
    END IF;
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) THEN
        RETURN raw;
    END IF;

    -- What the server applied at login: database-and-role, role, database, all (that order).
    SELECT substr(c.item, strpos(c.item, '=') + 1) INTO configured
    FROM pg_catalog.pg_db_role_setting s,
         LATERAL unnest(s.setconfig) AS c(item)
    WHERE s.setdatabase IN (0, (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database()))
      AND s.setrole IN (0, (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user))
      AND lower(split_part(c.item, '=', 1)) = 'aws_lambda.endpoint_override'
    ORDER BY s.setrole <> 0 AND s.setdatabase <> 0 DESC, s.setrole <> 0 DESC, s.setdatabase <> 0 DESC
    LIMIT 1;

    IF configured IS NULL
       AND has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE') THEN
        SELECT f.setting INTO configured
        FROM pg_catalog.pg_file_settings f
        WHERE lower(f.name) = 'aws_lambda.endpoint_override' AND f.error IS NULL
        ORDER BY f.seqno DESC
        LIMIT 1;
    END IF;

    IF raw = configured THEN
        RETURN raw;
    END IF;
    RAISE WARNING USING
        MESSAGE = 'aws_lambda.endpoint_override is ignored: it was not set by a superuser',
        HINT = 'A superuser sets it with ALTER SYSTEM, ALTER DATABASE ... SET or ALTER ROLE ... SET.';
    RETURN '';
END
$$;

COMMENT ON FUNCTION aws_lambda_private.endpoint_override() IS
'aws_lambda.endpoint_override when a superuser set it for this session, else an empty string';

-- The request text of docs/bridge-protocol.md, from arguments already read as the composite
-- overload reads them. Reads aws_lambda.request_timeout_ms and aws_lambda.endpoint_override.
CREATE FUNCTION aws_lambda_private.request_json(
    -- function name, partial ARN or ARN (the bridge parses every form Lambda accepts)
    function_name text,
    -- AWS Region or NULL
    region text,
    -- the event; SQL NULL is sent as JSON null
    payload json,
    -- 'RequestResponse' (NULL means this), 'Event' or 'DryRun'; checked by the bridge
    invocation_type text,
    -- 'None' (NULL means this) or 'Tail'; checked by the bridge
    log_type text,
    -- client context or NULL
    context json,
    -- version or alias or NULL
    qualifier text
)
RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
    IF function_name IS NULL OR function_name = '' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'function_name must not be null or empty';
    END IF;
    RETURN json_build_object(
        'v', 1,
        'function_name', function_name,
        'region', region,
        'payload', payload,
        'invocation_type', coalesce(invocation_type, 'RequestResponse'),
        'log_type', coalesce(log_type, 'None'),
        'context', context,
        'qualifier', qualifier,
        'request_timeout_ms', aws_lambda_private.setting_ms('aws_lambda.request_timeout_ms', 3000),
        'endpoint_override', aws_lambda_private.endpoint_override(),
        'caller', json_build_object(
            'database', current_database(),
            'role', session_user,
            'backend_pid', pg_backend_pid()))::text;
END
$$;

COMMENT ON FUNCTION aws_lambda_private.request_json(text, text, json, text, text, json, text) IS
'Builds the bridge request (docs/bridge-protocol.md) and reads the request settings';

-- The TEXT overloads' reading. A plain name is used as is. A name in composite-literal form,
-- '(name,region)' (what psql's \gset makes of aws_commons.create_lambda_function_arn), came
-- from a call written for the composite overload that PostgreSQL resolved to the TEXT one
-- (docs: overload-resolution). Its arguments are then read as the composite overload reads
-- them:
--   * region NULL or not an invocation type: the arguments were named (or all defaulted) and
--     keep their names; a region given too must agree with the composite's;
--   * region is an invocation type: positional, shifted by one. The composite's
--     (invocation_type, log_type, context, qualifier) arrived in this overload's
--     (region, invocation_type, log_type, context). A value equal to this overload's default
--     counts as not passed, and 'None'/'Tail' where JSON is expected is a named log_type, so
--     only calls that were invalid anyway can be misread.
CREATE FUNCTION aws_lambda_private.text_request_json(
    -- function name, or '(name,region)'
    function_name text,
    -- the event
    payload json,
    -- AWS Region, or (composite form) the invocation type
    region text,
    -- invocation type, or (composite form) the log type
    invocation_type text,
    -- log type, or (composite form) the client context as JSON text
    log_type text,
    -- client context
    context json,
    -- version or alias
    qualifier text
)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    arn aws_commons._lambda_function_arn_1;
BEGIN
    IF function_name IS NULL OR left(function_name, 1) <> '(' OR right(function_name, 1) <> ')' THEN
        RETURN aws_lambda_private.request_json(function_name, region, payload,
            invocation_type, log_type, context, qualifier);
    END IF;
    arn := function_name::aws_commons._lambda_function_arn_1;

    IF region IS NULL OR region NOT IN ('RequestResponse', 'Event', 'DryRun') THEN
        IF region IS NOT NULL AND arn.region IS NOT NULL AND region <> arn.region THEN
            RAISE EXCEPTION USING
                ERRCODE = 'invalid_parameter_value',
                MESSAGE = format('region "%s" conflicts with region "%s" of function_name', region, arn.region);
        END IF;
        RETURN aws_lambda_private.request_json(arn.function_name, coalesce(arn.region, region),
            payload, invocation_type, log_type, context, qualifier);
    END IF;

    RETURN aws_lambda_private.request_json(
        arn.function_name,
        arn.region,
        payload,
        region,
        CASE
            WHEN invocation_type IS DISTINCT FROM 'RequestResponse' THEN invocation_type
            WHEN log_type IN ('None', 'Tail') THEN log_type
            ELSE 'None'
        END,
        CASE
            WHEN log_type IS NULL OR log_type IN ('None', 'Tail') THEN context
            ELSE log_type::json
        END,
        CASE
            WHEN log_type IS NULL OR log_type IN ('None', 'Tail') THEN qualifier
            ELSE coalesce(qualifier, context #>> '{}')
        END);
END
$$;

COMMENT ON FUNCTION aws_lambda_private.text_request_json(text, json, text, text, text, json, text) IS
'Reads the arguments of the TEXT overloads of aws_lambda.invoke (plain or composite-literal function name) and builds the request';

-- The six-argument TEXT overloads' reading. A plain name: the sixth argument is the client
-- context as JSON text. A composite-literal name: all six are positional for the composite
-- overload, so the sixth is the qualifier (unless region is not an invocation type: then the
-- call was written with names and keeps them).
CREATE FUNCTION aws_lambda_private.text6_request_json(
    -- function name, or '(name,region)'
    function_name text,
    -- the event
    payload json,
    -- AWS Region, or (composite form) the invocation type
    region text,
    -- invocation type, or (composite form) the log type
    invocation_type text,
    -- log type, or (composite form) the client context as JSON text
    log_type text,
    -- client context as JSON text, or (composite form) the qualifier
    sixth text
)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    arn aws_commons._lambda_function_arn_1;
BEGIN
    IF left(function_name, 1) = '(' AND right(function_name, 1) = ')'
       AND region IN ('RequestResponse', 'Event', 'DryRun') THEN
        arn := function_name::aws_commons._lambda_function_arn_1;
        RETURN aws_lambda_private.request_json(arn.function_name, arn.region, payload,
            region, invocation_type, log_type::json, sixth);
    END IF;
    RETURN aws_lambda_private.text_request_json(function_name, payload, region,
        invocation_type, log_type, sixth::json, NULL);
END
$$;

COMMENT ON FUNCTION aws_lambda_private.text6_request_json(text, json, text, text, text, text) IS
'Reads the arguments of the six-argument TEXT overloads of aws_lambda.invoke and builds the request';

-- libpq connection string for the bridge: our defaults, then the foreign server's options,
-- then the user mapping of the current role (inside invoke: the extension owner) or PUBLIC,
-- then connect_timeout from aws_lambda.connect_timeout_ms. A later keyword wins in libpq.
CREATE FUNCTION aws_lambda_private.connstr(
    -- aws_lambda.connect_timeout_ms as read; libpq takes whole seconds, at least 2
    connect_timeout_ms integer
)
RETURNS text
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    result text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_foreign_server WHERE srvname = 'aws_lambda_bridge') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'undefined_object',
            MESSAGE = 'server "aws_lambda_bridge" does not exist';
    END IF;
    SELECT string_agg(
               o.k || '=''' || replace(replace(o.v, E'\\', E'\\\\'), '''', E'\\''') || '''',
               ' ' ORDER BY o.rank, o.n)
      INTO result
    FROM (
        VALUES (0, 1::bigint, 'application_name', 'aws_lambda'),
               (0, 2, 'keepalives', '1'),
               (0, 3, 'keepalives_idle', '30'),
               (0, 4, 'keepalives_interval', '10'),
               (0, 5, 'keepalives_count', '3')
        UNION ALL
        SELECT 1, s.n, s.k, s.v
        FROM pg_catalog.pg_foreign_server fs,
             LATERAL pg_catalog.pg_options_to_table(fs.srvoptions) WITH ORDINALITY AS s(k, v, n)
        WHERE fs.srvname = 'aws_lambda_bridge'
        UNION ALL
        SELECT 2, m.n, m.k, m.v
        FROM (SELECT um.umoptions
              FROM pg_catalog.pg_user_mappings um
              WHERE um.srvname = 'aws_lambda_bridge'
                AND (um.umuser = 0 OR um.usename = current_user)
              ORDER BY um.umuser = 0
              LIMIT 1) u,
             LATERAL pg_catalog.pg_options_to_table(u.umoptions) WITH ORDINALITY AS m(k, v, n)
        UNION ALL
        SELECT 3, 1, 'connect_timeout', greatest(2, ceil(connect_timeout_ms / 1000.0))::integer::text
    ) AS o(rank, n, k, v);
    RETURN result;
END
$$;

COMMENT ON FUNCTION aws_lambda_private.connstr(integer) IS
'libpq connection string for the bridge, from the foreign server aws_lambda_bridge and the owner''s user mapping';

-- Opens the connection 'aws_lambda_bridge' unless this backend has it. Returns true when it
-- reuses an open one. Failing to connect is "invoke API failed" (58000); libpq's reason goes to
-- the server log only (it may name the bridge login).
CREATE FUNCTION aws_lambda_private.connect(
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
BEGIN
    IF conn = ANY (dblink_get_connections()) THEN
        RETURN true;
    END IF;
    BEGIN
        PERFORM dblink_connect(conn, aws_lambda_private.connstr(connect_timeout_ms));
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
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
        RAISE EXCEPTION USING
            ERRCODE = 'system_error',
            MESSAGE = 'invoke API failed',
            DETAIL = 'AWS Lambda client returned ''Unable to connect to endpoint''';
    END;
    RETURN false;
END
$$;

COMMENT ON FUNCTION aws_lambda_private.connect(integer) IS
'Opens the dblink connection aws_lambda_bridge unless open; true when it was already open';

-- One request on the persistent connection. The request is re-sent at most once, and only
-- when it was certainly not written: dblink_is_busy first reads whatever the bridge sent while
-- idle (an end of file from a restarted bridge marks the connection bad), and
-- dblink_send_query then refuses to write on a bad or busy connection (returns 0). A request
-- that was written is never re-sent: losing the connection afterwards is an error, since the
-- function may have run. ErrorResponses of the bridge are re-raised with their SQLSTATE,
-- message, detail and hint, without dblink's context line.
CREATE FUNCTION aws_lambda_private.send(
    -- the request text (aws_lambda_private.request_json)
    request text,
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
-- dblink_send_query reports a refused write as a NOTICE; the retry below handles it.
SET client_min_messages = warning
AS $$
DECLARE
    conn constant text := 'aws_lambda_bridge';
    connect_timeout_ms constant integer :=
        aws_lambda_private.setting_ms('aws_lambda.connect_timeout_ms', 1000);
    reused boolean;
    busy boolean;
    sent boolean := false;
    state text;
    msg text;
    detail text;
    hint text;
BEGIN
    -- 1. A connection: this backend's, or a new one (58000 when the bridge is unreachable).
    reused := aws_lambda_private.connect(connect_timeout_ms);
    IF reused THEN
        -- Read what arrived while idle, twice: a stopping bridge may send an error before its
        -- end of file, and only the read that meets the end of file marks the connection bad.
        -- Busy means an earlier call was interrupted while waiting: drop that connection.
        busy := dblink_is_busy(conn) <> 0;
        IF NOT busy THEN
            busy := dblink_is_busy(conn) <> 0;
        END IF;
        IF busy THEN
            PERFORM dblink_disconnect(conn);
            reused := aws_lambda_private.connect(connect_timeout_ms);
        END IF;
    END IF;

    -- 2. The request. dblink_send_query returns 0 without writing on a bad connection: only
    -- then, and only on a reused connection, reconnect and send once more.
    sent := dblink_send_query(conn, request) = 1;
    IF NOT sent AND reused THEN
        PERFORM dblink_disconnect(conn);
        PERFORM aws_lambda_private.connect(connect_timeout_ms);
        sent := dblink_send_query(conn, request) = 1;
    END IF;
    IF NOT sent THEN
        PERFORM dblink_disconnect(conn);
        RAISE EXCEPTION USING
            ERRCODE = 'system_error',
            MESSAGE = 'invoke API failed',
            DETAIL = 'AWS Lambda client returned ''Unable to connect to endpoint''';
    END IF;

    -- 3. The answer: one row, or the bridge's ErrorResponse. Never re-sent from here on.
    BEGIN
        SELECT r.status_code, r.payload, r.executed_version, r.log_result
          INTO status_code, payload, executed_version, log_result
        FROM dblink_get_result(conn, true)
             AS r(status_code integer, payload text, executed_version text, log_result text);
    EXCEPTION
        WHEN query_canceled THEN
            -- Only on PostgreSQL 17 and later, where dblink waits interruptibly.
            PERFORM dblink_disconnect(conn);
            RAISE;
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
            IF left(state, 2) = '08'::text THEN
                -- No answer: libpq lost the connection after the request was written.
                RAISE LOG 'aws_lambda: lost the bridge connection: % %', msg, detail;
                PERFORM dblink_disconnect(conn);
                RAISE EXCEPTION USING
                    ERRCODE = 'system_error',
                    MESSAGE = 'invoke API failed',
                    DETAIL = 'AWS Lambda client returned ''Connection to endpoint lost''',
                    HINT = 'The request was sent: the function may have run.';
            END IF;
            -- An ErrorResponse of the bridge: read up to ReadyForQuery, then pass it on.
            PERFORM FROM dblink_get_result(conn, false) AS r(x text);
            IF detail <> '' AND hint <> '' THEN
                RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, DETAIL = detail, HINT = hint;
            ELSIF detail <> '' THEN
                RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, DETAIL = detail;
            ELSIF hint <> '' THEN
                RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg, HINT = hint;
            END IF;
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = msg;
    END;
    -- 4. Read up to ReadyForQuery so that the connection is idle for the next call.
    PERFORM FROM dblink_get_result(conn, false) AS r(x text);
END
$$;

COMMENT ON FUNCTION aws_lambda_private.send(text) IS
'Sends one request to the bridge on the persistent dblink connection aws_lambda_bridge and returns its answer';

-- Points the foreign server at the bridge and stores the bridge login in a user mapping for
-- the extension owner (the role the public functions run as). Run by a superuser or the owner;
-- what `pglambda install` calls, with bind parameters. Other backends keep an open connection
-- to the previous bridge until it breaks.
CREATE FUNCTION aws_lambda_private.configure_bridge(
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
    SELECT p.proowner INTO owner
    FROM pg_catalog.pg_proc p
    WHERE p.oid = 'aws_lambda_private.send(text)'::regprocedure;

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

----------------------------------------------------------------------------------------------
-- API: Public
--
-- The four overloads the Aurora documentation declares, with its parameter names, types and
-- defaults, plus one six-argument TEXT overload per payload type: PostgreSQL resolves the
-- documented call invoke(:'aws_lambda_arn_1', payload, 'RequestResponse', 'None', NULL,
-- 'custom_version') to it (without it the call is "not unique"). LANGUAGE sql because
-- PL/pgSQL refuses an IN and an OUT parameter both named payload. SECURITY DEFINER: callers
-- need EXECUTE on these and USAGE on the schema only, never dblink or the bridge login.
----------------------------------------------------------------------------------------------

CREATE FUNCTION aws_lambda.invoke(
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
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status_code, r.payload::json, r.executed_version, r.log_result
    FROM aws_lambda_private.send(
        aws_lambda_private.text_request_json($1, $2, $3, $4, $5, $6, $7)) AS r
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, json, text, text, text, json, varchar) IS
'Invokes a Lambda function named by text (JSON payload)';

CREATE FUNCTION aws_lambda.invoke(
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
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status_code, r.payload::json, r.executed_version, r.log_result
    FROM aws_lambda_private.send(
        aws_lambda_private.request_json(($1).function_name, ($1).region, $2, $3, $4, $5, $6)) AS r
$$;

COMMENT ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, json, text, text, json, varchar) IS
'Invokes a Lambda function named by aws_commons._lambda_function_arn_1 (JSON payload)';

CREATE FUNCTION aws_lambda.invoke(
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
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status_code, r.payload::json, r.executed_version, r.log_result
    FROM aws_lambda_private.send(
        aws_lambda_private.text6_request_json($1, $2, $3, $4, $5, $6)) AS r
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, json, text, text, text, text) IS
'Resolution helper: six-argument call with an untyped last argument (JSON payload); see the extension README';

CREATE FUNCTION aws_lambda.invoke(
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
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status_code, r.payload::jsonb, r.executed_version, r.log_result
    FROM aws_lambda_private.send(
        aws_lambda_private.text_request_json($1, $2::json, $3, $4, $5, $6::json, $7)) AS r
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, jsonb, text, text, text, jsonb, varchar) IS
'Invokes a Lambda function named by text (JSONB payload)';

CREATE FUNCTION aws_lambda.invoke(
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
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status_code, r.payload::jsonb, r.executed_version, r.log_result
    FROM aws_lambda_private.send(
        aws_lambda_private.request_json(($1).function_name, ($1).region, $2::json, $3, $4, $5::json, $6)) AS r
$$;

COMMENT ON FUNCTION aws_lambda.invoke(aws_commons._lambda_function_arn_1, jsonb, text, text, jsonb, varchar) IS
'Invokes a Lambda function named by aws_commons._lambda_function_arn_1 (JSONB payload)';

CREATE FUNCTION aws_lambda.invoke(
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
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status_code, r.payload::jsonb, r.executed_version, r.log_result
    FROM aws_lambda_private.send(
        aws_lambda_private.text6_request_json($1, $2::json, $3, $4, $5, $6)) AS r
$$;

COMMENT ON FUNCTION aws_lambda.invoke(text, jsonb, text, text, text, text) IS
'Resolution helper: six-argument call with an untyped last argument (JSONB payload); see the extension README';

----------------------------------------------------------------------------------------------
-- Privileges
----------------------------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA aws_lambda FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA aws_lambda_private FROM PUBLIC;

-- dblink: send (with connect, which only send calls) and configure_bridge call it through
-- their search_path, fixed here to pg_catalog, dblink's schema, pg_temp. The other private
-- functions have no SET clause (one GUC save and restore less per call): they run with the
-- search_path of the public functions, pg_catalog, pg_temp, or the owner's when the owner calls
-- them directly.
--
-- dblink's functions lose EXECUTE for PUBLIC: a connection that invoke opened stays open in
-- the backend, and dblink lets anyone who may call it list (dblink_get_connections) and use
-- (dblink('aws_lambda_bridge', ...)) a named connection.
DO $$
DECLARE
    dblink_schema text;
    f regprocedure;
BEGIN
    SELECT n.nspname INTO STRICT dblink_schema
    FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'dblink';

    EXECUTE format('ALTER FUNCTION aws_lambda_private.send(text) SET search_path = pg_catalog, %I, pg_temp',
                   dblink_schema);
    EXECUTE format('ALTER FUNCTION aws_lambda_private.configure_bridge(text, integer, text, text, text) '
                   'SET search_path = pg_catalog, %I, pg_temp', dblink_schema);

    FOR f IN
        SELECT d.objid::regprocedure
        FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_proc'::regclass
          AND d.refclassid = 'pg_catalog.pg_extension'::regclass
          AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'dblink')
          AND d.deptype = 'e'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;
