/**
 * Least privilege from the first start: the starter grant lets my-db-cluster invoke my-function
 * (any version or alias) and nothing else; without examples it may invoke nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { startTestService, type TestService } from '../helpers/service.js';

const denied = (resource: string) =>
  `ERROR:  invoke API failed\nDETAIL:  AWS Lambda client returned 'User: arn:aws:sts::123456789012:assumed-role/pglambda-starter/my-db-cluster is not authorized to perform: lambda:InvokeFunction on resource: ${resource} because no identity-based policy allows the lambda:InvokeFunction action'\n`;

describe('the starter grant', { skip: skipWithoutPsql }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ examples: true, grantAll: false });
    await svc.createFunction('other', { 'index.mjs': 'export const handler = async () => "ran";' });
  });
  after(() => svc.close());

  test('covers my-function and its versions and aliases, and nothing else', { timeout: 30_000 }, async () => {
    const r = await psql(svc.postgres.superuserUrl, String.raw`
SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{}'::json);
SELECT status_code, executed_version FROM aws_lambda.invoke('my-function:custom_version', '{}'::json);
SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{}'::json, qualifier => '1');
SELECT status_code FROM aws_lambda.invoke('other', '{}'::json);
SELECT status_code FROM aws_lambda.invoke('other', '{}'::json, qualifier => '$LATEST');
\echo still usable`);
    assert.equal(r.stdout, '200|$LATEST\n200|1\n200|1\nstill usable\n');
    assert.equal(
      r.stderr.replace(/CONTEXT: .*\n(SQL function .*\n)?/g, ''),
      denied('arn:aws:lambda:us-west-2:123456789012:function:other') +
        denied('arn:aws:lambda:us-west-2:123456789012:function:other:$LATEST'),
    );
  });
});

describe('without examples', { skip: skipWithoutPsql }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ examples: false, grantAll: false });
    await svc.createFunction('my-function', { 'index.mjs': 'export const handler = async () => "ran";' });
  });
  after(() => svc.close());

  test('my-db-cluster may invoke nothing until access is given', { timeout: 30_000 }, async () => {
    const r = await psql(svc.postgres.superuserUrl, `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json);`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-west-2:123456789012:function:my-function because/);
  });
});
