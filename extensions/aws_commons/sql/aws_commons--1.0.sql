/* extensions/aws_commons/sql/aws_commons--1.0.sql */

-- Released: never edit this file. Changes go into aws_commons--1.0--1.1.sql and so on.
--
-- Also run without CREATE EXTENSION by `pglambda install` (a server whose files we cannot
-- touch): that step creates the schema aws_commons first, drops the \echo guard line below and
-- runs the rest unchanged. So every name is schema-qualified (no @extschema@), which is
-- possible because the extension is not relocatable.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION aws_commons" to load this file. \quit

-- The schema gets no privileges for PUBLIC (as on RDS and Aurora): only the role that
-- installed the extension can use it until it grants USAGE.
REVOKE ALL ON SCHEMA aws_commons FROM PUBLIC;

----------------------------------------------------------------------------------------------
-- API: Public
----------------------------------------------------------------------------------------------

-- Identifies a Lambda function: what aws_lambda.invoke accepts in place of a function name and
-- Region. psql's \gset stores it as the text '(function_name,region)', which the TEXT
-- overloads of aws_lambda.invoke recognise.
CREATE TYPE aws_commons._lambda_function_arn_1 AS (
    -- function name, partial ARN or full ARN, optionally with a ":qualifier" suffix
    function_name text,
    -- AWS Region, or NULL for the one in the ARN or the database's own
    region text
);

COMMENT ON TYPE aws_commons._lambda_function_arn_1 IS
'Lambda function name (name, partial ARN or ARN) and optional AWS Region, as accepted by aws_lambda.invoke';

CREATE FUNCTION aws_commons.create_lambda_function_arn(
    -- function name, partial ARN or full ARN, optionally with a ":qualifier" suffix
    function_name text,
    -- AWS Region; NULL: the one in the ARN, or the database's own
    region text DEFAULT NULL
)
RETURNS aws_commons._lambda_function_arn_1
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT ROW($1, $2)::aws_commons._lambda_function_arn_1
$$;

COMMENT ON FUNCTION aws_commons.create_lambda_function_arn(text, text) IS
'Builds the aws_commons._lambda_function_arn_1 structure that names a Lambda function for aws_lambda.invoke';
