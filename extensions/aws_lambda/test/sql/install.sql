-- Installing: the documentation's statement, and what it creates.
CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE;

\dx aws_*
\dx dblink

-- The four documented overloads and the two six-argument resolution helpers (README).
\df aws_lambda.*
\df aws_lambda_private.*

-- Every public function: LANGUAGE sql, SECURITY DEFINER, fixed search_path, volatile,
-- parallel unsafe, commented.
SELECT p.oid::regprocedure AS function, l.lanname, p.prosecdef, p.proconfig,
       p.provolatile, p.proparallel, obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'aws_lambda'::regnamespace
ORDER BY p.oid::regprocedure::text;

-- The private functions: invoker rights; those calling dblink have a search_path with its schema.
SELECT p.oid::regprocedure AS function, l.lanname, p.prosecdef, p.proconfig,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'aws_lambda_private'::regnamespace
ORDER BY p.oid::regprocedure::text;

-- What the extension owns (DROP EXTENSION removes exactly this).
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'aws_lambda')
ORDER BY 1;

-- Nothing for PUBLIC or anybody else: schemas, functions, the foreign server.
SELECT nspname, has_schema_privilege('public', oid, 'USAGE') AS public_usage,
       (SELECT count(*) FROM aclexplode(nspacl) a WHERE a.grantee <> nspowner) AS other_grants
FROM pg_namespace WHERE nspname IN ('aws_commons', 'aws_lambda', 'aws_lambda_private')
ORDER BY 1;
SELECT count(*) AS executable_by_public
FROM pg_proc p
WHERE p.pronamespace IN ('aws_lambda'::regnamespace, 'aws_lambda_private'::regnamespace)
  AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT srvname, srvoptions, has_server_privilege('public', oid, 'USAGE') AS public_usage,
       (SELECT count(*) FROM aclexplode(srvacl) a WHERE a.grantee <> srvowner) AS other_grants
FROM pg_foreign_server;
SELECT count(*) AS user_mappings FROM pg_user_mappings;

-- dblink's functions lose EXECUTE for PUBLIC, wherever dblink lives.
SELECT count(*) AS dblink_functions,
       count(*) FILTER (WHERE has_function_privilege('public', d.objid, 'EXECUTE')) AS executable_by_public
FROM pg_depend d
WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dblink');

-- Installing again is a no-op, as in the documentation.
CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE;
