-- Reaching the bridge: failures to connect, connect_timeout_ms checked when connecting, and a
-- stand-in bridge (this very server: it answers the request with a syntax error, an
-- ErrorResponse, as a server that is not a version-2 bridge would) to see that answer
-- reported, the persistent connection, and reconnection after the bridge restarted. Needs a
-- server that lets this superuser connect to itself through its Unix socket without a
-- password (trust or peer), as make installcheck on a throwaway cluster does.
\set SHOW_CONTEXT never
SELECT aws_commons.create_lambda_function_arn('my-function', 'us-west-2') AS aws_lambda_arn_1 \gset

-- As installed, the server points nowhere: every overload fails at once, nothing is sent.
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT * FROM aws_lambda.invoke('my-function', '{}'::jsonb);
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function'), '{}'::json);
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function'), '{}'::jsonb);
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::json, 'RequestResponse', 'None', NULL, 'custom_version');
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{}'::jsonb, 'RequestResponse', 'None', NULL, 'custom_version');
SELECT dblink_get_connections();

-- A configured bridge that is down: the same error, without the hint.
SELECT aws_lambda_private.configure_bridge('/tmp', 1, 'pglambda_regress', 'secret');
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'aws_lambda_bridge';
SELECT usename = current_user AS for_owner, umoptions FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge';
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json, 'us-west-2', 'Event');

-- aws_lambda.connect_timeout_ms: default 1000, 1..900000, checked when connecting; libpq gets
-- whole seconds, at least 2.
SET aws_lambda.connect_timeout_ms = 0;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.connect_timeout_ms = 'fast';
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.connect_timeout_ms = 900001;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SET aws_lambda.connect_timeout_ms = 2500;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT regexp_replace(aws_lambda_private.connstr(2500), 'password=''[^'']*''', 'password=***') AS connstr;
SELECT substring(aws_lambda_private.connstr(1) FROM 'connect_timeout=''[0-9]+''') AS shortest,
       substring(aws_lambda_private.connstr(900000) FROM 'connect_timeout=''[0-9]+''') AS longest;
RESET aws_lambda.connect_timeout_ms;

-- The stand-in bridge: this server, through its socket, as this superuser.
SELECT aws_lambda_private.configure_bridge(
    split_part(current_setting('unix_socket_directories'), ',', 1),
    current_setting('port')::integer, current_user, NULL, current_database());
-- An ErrorResponse means the server is not a version-2 bridge: 58000 with its message, without
-- dblink's context line ("while executing query on dblink connection ...") or its NOTICE. The
-- connection stays.
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
DO $$
DECLARE
    state text;
    msg text;
    ctx text;
BEGIN
    PERFORM * FROM aws_lambda.invoke('my-function', '{}'::json);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, ctx = PG_EXCEPTION_CONTEXT;
    RAISE NOTICE 'sqlstate %, message "%", dblink in context: %', state, msg, ctx LIKE '%dblink%';
END
$$;
-- With the connection open, aws_lambda.connect_timeout_ms is not read.
SET aws_lambda.connect_timeout_ms = 0;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
RESET aws_lambda.connect_timeout_ms;
-- One persistent connection per backend, reused by every call, listed for the owner.
SELECT dblink_get_connections();
SELECT count(*) AS bridge_connections FROM pg_stat_activity
WHERE application_name = 'aws_lambda' AND datname = current_database() \gset
\echo :bridge_connections
SELECT pid AS bridge_pid FROM pg_stat_activity
WHERE application_name = 'aws_lambda' AND datname = current_database() \gset
SELECT * FROM aws_lambda.invoke('my-function', '{}'::jsonb);
SELECT pid = :bridge_pid AS same_connection FROM pg_stat_activity
WHERE application_name = 'aws_lambda' AND datname = current_database();

-- The bridge restarts: the dead connection is noticed before the request is written, dropped,
-- and the request goes once on a new connection.
SELECT pg_terminate_backend(:bridge_pid);
DO $$
BEGIN
    FOR i IN 1..500 LOOP
        EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'aws_lambda');
        PERFORM pg_sleep(0.01);
    END LOOP;
    PERFORM pg_sleep(0.1);
END
$$;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT count(*) AS bridge_connections, bool_and(pid <> :bridge_pid) AS new_connection
FROM pg_stat_activity WHERE application_name = 'aws_lambda' AND datname = current_database();

-- Pointing the server elsewhere drops this backend's connection.
SELECT aws_lambda_private.configure_bridge('/tmp', 1, 'pglambda_regress', 'secret');
SELECT dblink_get_connections();
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);

-- configure_bridge replaced the user mapping of the extension owner.
SELECT usename = current_user AS for_owner, umoptions FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge';

-- The bridge refuses this database's login (a wrong password, or a login retired because a
-- copy of the database was given its own): the same error, with a HINT that names the login
-- of the user mapping and what libpq said, found in dblink's DETAIL or in its message. This
-- server lets every local connection in, so a stand-in for dblink_connect (schema
-- regress_refusal, first in invoke's search_path, in a transaction rolled back) fails as
-- dblink does.
\set ON_ERROR_ROLLBACK on
BEGIN;
CREATE SCHEMA regress_refusal;
CREATE FUNCTION regress_refusal.dblink_get_connections() RETURNS text[] LANGUAGE sql
AS $$ SELECT NULL::text[] $$;
CREATE FUNCTION regress_refusal.dblink_connect(text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'sqlclient_unable_to_establish_sqlconnection',
        MESSAGE = current_setting('regress_refusal.message'),
        DETAIL = current_setting('regress_refusal.detail');
END
$$;
ALTER FUNCTION aws_lambda_private.invoke(text, text, text, text, text, text, text, integer, anyelement)
    SET search_path = pg_catalog, regress_refusal, pg_temp;
SET LOCAL regress_refusal.message = 'could not establish connection';
SET LOCAL regress_refusal.detail = 'connection to server on socket "/tmp/.s.PGSQL.1" failed: FATAL:  password authentication failed for user "pglambda_regress"';
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function'), '{}'::jsonb);
SET LOCAL regress_refusal.message = 'connection to server on socket "/tmp/.s.PGSQL.1" failed: FATAL:  Peer authentication failed for user "pglambda_regress"';
SET LOCAL regress_refusal.detail = '';
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
-- A mapping without a login (libpq then sends the operating system user's name): no name.
ALTER USER MAPPING FOR CURRENT_USER SERVER aws_lambda_bridge OPTIONS (DROP user);
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
-- Other failures to connect keep the error without a hint.
SET LOCAL regress_refusal.message = 'could not establish connection';
SET LOCAL regress_refusal.detail = 'connection to server on socket "/tmp/.s.PGSQL.1" failed: FATAL:  role "pglambda_regress" does not exist';
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
ROLLBACK;
\unset ON_ERROR_ROLLBACK
SELECT count(*) AS stand_ins FROM pg_namespace WHERE nspname = 'regress_refusal';
