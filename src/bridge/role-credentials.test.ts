/**
 * A role the cluster's RDS may not assume is the caller's problem, told as Aurora tells it (58000
 * with the trust to fix); any other failure to get a session is pglambda's own and stays what it is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessDenied } from '../aws/sts/errors.js';
import { InvokeApiFailed } from './errors.js';
import { RoleCredentials } from './role-credentials.js';

const cluster = { accountId: '123456789012', region: 'us-west-2', identifier: 'db' };
const role = 'arn:aws:iam::123456789012:role/aurora-lambda';

const failingWith = (err: Error) =>
  new RoleCredentials({ roleForLambda: async () => role, assumeForRds: async () => Promise.reject(err), generation: () => 0 });

test("STS's refusal is invoke API failed, naming the trust to fix", async () => {
  await assert.rejects(
    failingWith(new AccessDenied('User: rds.amazonaws.com is not authorized')).sessionFor(cluster),
    (e: InvokeApiFailed) => {
      assert.ok(e instanceof InvokeApiFailed);
      assert.equal(e.detail, "AWS Lambda client returned 'User: rds.amazonaws.com is not authorized'");
      assert.equal(e.hint, `The trust policy of ${role} must allow rds.amazonaws.com to assume it.`);
      return true;
    },
  );
});

test('a failure of pglambda itself (the state database gone) is not reported as a trust problem', async () => {
  const lost = new Error('Connection terminated unexpectedly');
  await assert.rejects(failingWith(lost).sessionFor(cluster), (e) => e === lost);
});
