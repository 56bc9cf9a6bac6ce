/**
 * Every SQL example of the reference, verbatim through psql (the \gset variables included), on the
 * embedded PostgreSQL 18 right after the one-command start: each gives what the reference documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { assertReferenceResults, REFERENCE } from '../fixtures/reference.js';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { startTestService, type TestService } from '../helpers/service.js';

describe('the reference, verbatim, on the embedded PostgreSQL 18', { skip: skipWithoutPsql }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ examples: true });
  });
  after(() => svc.close());

  test('every example gives what the reference documents', { timeout: 60_000 }, async () => {
    const r = await psql(svc.postgres.superuserUrl, REFERENCE);
    assertReferenceResults(r.stdout, r.stderr);
  });

  test('the error example, against a function that throws', { timeout: 30_000 }, async () => {
    await svc.client.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'my-function',
        ZipFile: await zipFiles({ 'index.mjs': 'export const handler = async () => { throw new Error("Error details string"); };' }),
      }),
    );
    const r = await psql(
      svc.postgres.superuserUrl,
      String.raw`
SELECT aws_commons.create_lambda_function_arn('my-function', 'us-west-2') AS aws_lambda_arn_1 \gset
SELECT * FROM aws_lambda.invoke(:'aws_lambda_arn_1', '{"body": "Hello from Postgres!"}'::json);
\echo after`,
    );
    assert.match(
      r.stderr,
      /^ERROR: {2}lambda invocation failed\nDETAIL: {2}"arn:aws:lambda:us-west-2:123456789012:function:my-function" returned error "Unhandled", details: "{"errorType":"Error","errorMessage":"Error details string","trace":\[.*\]}"\.\n/s,
    );
    assert.equal(r.stdout, 'after\n', 'the session goes on');
  });
});
