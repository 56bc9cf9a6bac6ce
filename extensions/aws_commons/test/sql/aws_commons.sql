-- aws_commons: the composite type and its constructor, as the Aurora documentation uses them.
CREATE EXTENSION aws_commons;

\d aws_commons._lambda_function_arn_1
\df aws_commons.*

-- The documentation's three calls, and what psql's \gset keeps of each (text).
SELECT aws_commons.create_lambda_function_arn(
   'my-function',
   'us-west-2'
) AS aws_lambda_arn_1 \gset

SELECT aws_commons.create_lambda_function_arn(
   '123456789012:function:my-function',
   'us-west-2'
) AS lambda_partial_arn_1 \gset

SELECT aws_commons.create_lambda_function_arn(
   'arn:aws:lambda:us-west-2:123456789012:function:my-function'
) AS lambda_arn_1 \gset

\echo :aws_lambda_arn_1
\echo :lambda_partial_arn_1
\echo :lambda_arn_1

-- The fields, and the text form read back into the type.
SELECT (aws_commons.create_lambda_function_arn('my-function:custom_version', 'us-west-2')).*;
SELECT (:'lambda_arn_1'::aws_commons._lambda_function_arn_1).*;
SELECT (aws_commons.create_lambda_function_arn('my function, "quoted"')).function_name,
       aws_commons.create_lambda_function_arn('my function, "quoted"')::text;

-- Immutable and parallel safe; no SET clause, so the planner can inline it.
SELECT p.oid::regprocedure, p.provolatile, p.proparallel, p.prosecdef, p.proconfig
FROM pg_proc p WHERE p.pronamespace = 'aws_commons'::regnamespace;

-- Only the installing role may use the schema until it grants USAGE (as on RDS).
SELECT nspname, has_schema_privilege('public', oid, 'USAGE') AS public_usage,
       (SELECT count(*) FROM aclexplode(nspacl) a WHERE a.grantee <> nspowner) AS other_grants
FROM pg_namespace WHERE nspname = 'aws_commons';

CREATE ROLE regress_aws_commons_user;
SET ROLE regress_aws_commons_user;
SELECT aws_commons.create_lambda_function_arn('my-function');
RESET ROLE;
GRANT USAGE ON SCHEMA aws_commons TO regress_aws_commons_user;
SET ROLE regress_aws_commons_user;
SELECT aws_commons.create_lambda_function_arn('my-function');
RESET ROLE;
REVOKE USAGE ON SCHEMA aws_commons FROM regress_aws_commons_user;
DROP ROLE regress_aws_commons_user;
