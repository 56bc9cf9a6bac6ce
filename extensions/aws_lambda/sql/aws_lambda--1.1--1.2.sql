/* extensions/aws_lambda/sql/aws_lambda--1.1--1.2.sql */

-- Released with 1.2: never edit this file.
--
-- 1.1 -> 1.2: when the bridge refuses this database's login, "invoke API failed" says so in a
-- HINT (see aws_lambda_private.connect in aws_lambda--1.2.sql); before, only the server log did.
-- Only connect changes; its signature, privileges, settings and comment stay. Also run without
-- ALTER EXTENSION by `pglambda install` on a plain install of 1.1 (minus the \echo guard line
-- below), so again every name is schema-qualified.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION aws_lambda UPDATE TO '1.2'" to load this file. \quit

-- Opens the connection 'aws_lambda_bridge' unless this backend has it. Returns true when it
-- reuses an open one. Failing to connect is "invoke API failed" (58000), in Aurora's words;
-- libpq's reason goes to the server log. A HINT gives the causes an administrator can act on:
-- the bridge is not configured yet, or it refuses this database's login (a wrong password, or a
-- login retired because `pglambda install` gave a copy of this database a login of its own). The
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
