-- Updating from 1.0: ALTER EXTENSION aws_lambda UPDATE gives exactly what CREATE EXTENSION
-- installs at 1.1 (functions, their settings, privileges and comments, members), keeps the
-- bridge's server and user mapping, and the result works.
SET client_min_messages = warning;
CREATE EXTENSION aws_lambda CASCADE;
CREATE TEMP TABLE fresh AS
SELECT p.oid::regprocedure::text AS function, pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result, l.lanname, p.prosecdef, p.proconfig, p.provolatile,
       p.proparallel, p.proacl::text AS acl, obj_description(p.oid, 'pg_proc') AS comment, md5(p.prosrc) AS source
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace IN ('aws_lambda'::regnamespace, 'aws_lambda_private'::regnamespace);
CREATE TEMP TABLE fresh_members AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'aws_lambda');
DROP EXTENSION aws_lambda;

CREATE EXTENSION aws_lambda VERSION '1.0';
RESET client_min_messages;
SELECT aws_lambda_private.configure_bridge('/tmp', 1, 'pglambda_regress', 'secret');
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
ALTER EXTENSION aws_lambda UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda';
\df aws_lambda.*
\df aws_lambda_private.*

-- No difference to a fresh 1.1, either way.
(SELECT p.oid::regprocedure::text, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
        l.lanname, p.prosecdef, p.proconfig, p.provolatile, p.proparallel, p.proacl::text,
        obj_description(p.oid, 'pg_proc'), md5(p.prosrc)
 FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace IN ('aws_lambda'::regnamespace, 'aws_lambda_private'::regnamespace)
 EXCEPT SELECT * FROM fresh)
UNION ALL
(SELECT * FROM fresh
 EXCEPT
 SELECT p.oid::regprocedure::text, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
        l.lanname, p.prosecdef, p.proconfig, p.provolatile, p.proparallel, p.proacl::text,
        obj_description(p.oid, 'pg_proc'), md5(p.prosrc)
 FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace IN ('aws_lambda'::regnamespace, 'aws_lambda_private'::regnamespace));
(SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
 FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'aws_lambda')
 EXCEPT SELECT * FROM fresh_members)
UNION ALL
(SELECT * FROM fresh_members
 EXCEPT
 SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
 FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'aws_lambda'));

-- The bridge's address and login are kept; configure_bridge still finds the owner.
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'aws_lambda_bridge';
SELECT usename = current_user AS for_owner, umoptions FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge';
SELECT aws_lambda_private.configure_bridge('/tmp', 2, 'pglambda_regress', 'secret');
SELECT usename = current_user AS for_owner, umoptions FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge';
-- Nothing for PUBLIC.
SELECT count(*) AS executable_by_public
FROM pg_proc p
WHERE p.pronamespace IN ('aws_lambda'::regnamespace, 'aws_lambda_private'::regnamespace)
  AND has_function_privilege('public', p.oid, 'EXECUTE');
-- And it runs (the bridge is down: nothing sent).
\set SHOW_CONTEXT never
SELECT * FROM aws_lambda.invoke('my-function', '{}'::json);

SET client_min_messages = warning;
DROP EXTENSION aws_lambda CASCADE;
DROP EXTENSION aws_commons;
DROP EXTENSION dblink;
