-- What an ordinary role can do: nothing without grants; with them, invoke, and still neither
-- the bridge connection, nor its login, nor the foreign server, nor the internals.
\set SHOW_CONTEXT never
-- The stand-in bridge of the bridge test (this server), with a password in the user mapping.
SELECT aws_lambda_private.configure_bridge(
    split_part(current_setting('unix_socket_directories'), ',', 1),
    current_setting('port')::integer, current_user, 'not-for-your-eyes', current_database());
CREATE ROLE regress_aws_lambda_user;

-- No grants: the schema is closed.
SET ROLE regress_aws_lambda_user;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT aws_commons.create_lambda_function_arn('my-function');
RESET ROLE;

-- The grants of the README.
GRANT USAGE ON SCHEMA aws_lambda, aws_commons TO regress_aws_lambda_user;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda TO regress_aws_lambda_user;
SET ROLE regress_aws_lambda_user;
-- It reaches the bridge (the stand-in answers with an error), so this backend now has the
-- connection open...
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT * FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function', 'us-west-2'), '{}'::jsonb, 'Event');
-- ...which it can neither list nor use,
SELECT dblink_get_connections();
SELECT * FROM dblink('aws_lambda_bridge', 'select 1') AS t(x integer);
SELECT dblink_exec('aws_lambda_bridge', 'select 1');
SELECT dblink_disconnect('aws_lambda_bridge');
-- nor reach the bridge through the foreign server,
SELECT has_server_privilege('aws_lambda_bridge', 'USAGE') AS server_usage;
SELECT dblink_connect('mine', 'aws_lambda_bridge');
-- nor read the login,
SELECT srvname, usename = 'regress_aws_lambda_user' AS mine, umoptions FROM pg_user_mappings;
-- nor call or see into the internals.
SELECT * FROM aws_lambda_private.invoke('f', NULL, '{}', NULL, NULL, NULL, NULL, 0, NULL::json);
SELECT aws_lambda_private.configure_bridge('evil.example', 5432, 'me', 'mine');
SELECT aws_lambda_private.connstr(1000);
RESET ROLE;
-- The owner's backend still has the connection, unharmed.
SELECT dblink_get_connections();

-- Revoking EXECUTE closes it again.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda FROM regress_aws_lambda_user;
SET ROLE regress_aws_lambda_user;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
RESET ROLE;

REVOKE ALL ON SCHEMA aws_lambda, aws_commons FROM regress_aws_lambda_user;
DROP ROLE regress_aws_lambda_user;
