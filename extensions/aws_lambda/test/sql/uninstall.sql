-- Dropping: the user mapping that `pglambda install` adds depends on the extension's server,
-- so DROP EXTENSION needs CASCADE (or DROP USER MAPPING first).
\set VERBOSITY terse
DROP EXTENSION aws_lambda;
SET client_min_messages = warning;
DROP EXTENSION aws_lambda CASCADE;
RESET client_min_messages;
\set VERBOSITY default
SELECT count(*) AS user_mappings FROM pg_user_mappings;
SELECT count(*) AS servers FROM pg_foreign_server;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'aws%' ORDER BY 1;
-- dblink keeps the revoked EXECUTE (aws_lambda's script revoked it; grant it back if wanted).
SELECT count(*) FILTER (WHERE has_function_privilege('public', d.objid, 'EXECUTE')) AS executable_by_public
FROM pg_depend d
WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dblink');
-- And back.
CREATE EXTENSION aws_lambda;
SELECT count(*) AS invoke_overloads FROM pg_proc WHERE proname = 'invoke' AND pronamespace = 'aws_lambda'::regnamespace;
DROP EXTENSION aws_lambda;
DROP EXTENSION aws_commons;
DROP EXTENSION dblink;
