-- Updating from each older version: ALTER EXTENSION aws_lambda UPDATE gives exactly what
-- CREATE EXTENSION installs at the current version, 1.3 (functions, their settings, privileges
-- and comments, members), keeps the bridge's server and user mapping, and the result works.
SET client_min_messages = warning;
CREATE EXTENSION aws_lambda CASCADE;
-- By schema name, not OID: every CREATE EXTENSION below makes the schemas anew.
CREATE TEMP VIEW functions AS
SELECT p.oid::regprocedure::text AS function, pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result, l.lanname, p.prosecdef, p.proconfig, p.provolatile,
       p.proparallel, p.proacl::text AS acl, obj_description(p.oid, 'pg_proc') AS comment, md5(p.prosrc) AS source
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('aws_lambda', 'aws_lambda_private');
CREATE TEMP VIEW members AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'aws_lambda');
CREATE TEMP TABLE fresh AS SELECT * FROM functions;
CREATE TEMP TABLE fresh_members AS SELECT * FROM members;
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
DROP EXTENSION aws_lambda;

-- What an updated extension must show. Its differences to the fresh install, either way: none.
CREATE TEMP VIEW differences AS
SELECT 'only here: ' || x::text AS difference FROM (SELECT * FROM functions EXCEPT SELECT * FROM fresh) x
UNION ALL
SELECT 'only fresh: ' || x::text FROM (SELECT * FROM fresh EXCEPT SELECT * FROM functions) x
UNION ALL
SELECT 'only here: ' || x.member FROM (SELECT * FROM members EXCEPT SELECT * FROM fresh_members) x
UNION ALL
SELECT 'only fresh: ' || x.member FROM (SELECT * FROM fresh_members EXCEPT SELECT * FROM members) x;
-- The bridge's address and login, kept, in the mapping for the owner.
CREATE TEMP VIEW bridge AS
SELECT s.srvoptions, m.usename = current_user AS for_owner, m.umoptions
FROM pg_foreign_server s JOIN pg_user_mappings m ON m.srvid = s.oid
WHERE s.srvname = 'aws_lambda_bridge';
-- Nothing for PUBLIC.
CREATE TEMP VIEW executable_by_public AS
SELECT count(*) AS executable_by_public
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('aws_lambda', 'aws_lambda_private')
  AND has_function_privilege('public', p.oid, 'EXECUTE');
\set SHOW_CONTEXT never

-- From 1.0, through 1.1 and 1.2.
CREATE EXTENSION aws_lambda VERSION '1.0';
RESET client_min_messages;
SELECT aws_lambda_private.configure_bridge('/tmp', 1, 'pglambda_regress', 'secret');
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
ALTER EXTENSION aws_lambda UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
\df aws_lambda.*
\df aws_lambda_private.*
SELECT * FROM differences;
SELECT * FROM bridge;
-- configure_bridge still finds the owner.
SELECT aws_lambda_private.configure_bridge('/tmp', 2, 'pglambda_regress', 'secret');
SELECT * FROM bridge;
SELECT * FROM executable_by_public;
-- And it runs (the bridge is down: nothing sent).
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);

-- From 1.1, one version at a time.
SET client_min_messages = warning;
DROP EXTENSION aws_lambda CASCADE;
CREATE EXTENSION aws_lambda VERSION '1.1';
RESET client_min_messages;
SELECT aws_lambda_private.configure_bridge('/tmp', 1, 'pglambda_regress', 'secret');
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
ALTER EXTENSION aws_lambda UPDATE TO '1.2';
ALTER EXTENSION aws_lambda UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
SELECT * FROM differences;
SELECT * FROM bridge;
SELECT * FROM executable_by_public;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);

-- From 1.2, updated by another superuser than the owner: what the update makes is the owner's too,
-- and configure_bridge still writes the owner's mapping.
SET client_min_messages = warning;
DROP EXTENSION aws_lambda CASCADE;
CREATE EXTENSION aws_lambda VERSION '1.2';
CREATE ROLE regress_aws_lambda_updater SUPERUSER;
RESET client_min_messages;
SELECT aws_lambda_private.configure_bridge('/tmp', 1, 'pglambda_regress', 'secret');
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
SET ROLE regress_aws_lambda_updater;
ALTER EXTENSION aws_lambda UPDATE;
RESET ROLE;
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
SELECT * FROM differences;
SELECT count(DISTINCT p.proowner) AS owners, bool_and(p.proowner = current_user::regrole) AS all_mine
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('aws_lambda', 'aws_lambda_private');
SET ROLE regress_aws_lambda_updater;
SELECT aws_lambda_private.configure_bridge('/tmp', 3, 'pglambda_regress', 'secret');
RESET ROLE;
SELECT * FROM bridge;
SELECT * FROM executable_by_public;
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT * FROM aws_lambda.invoke('my-function', '{}'::jsonb);

SET client_min_messages = warning;
DROP EXTENSION aws_lambda CASCADE;
DROP EXTENSION aws_commons;
DROP EXTENSION dblink;
DROP ROLE regress_aws_lambda_updater;
