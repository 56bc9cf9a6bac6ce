/**
 * The Aurora guide's IAM steps through the real `aws` CLI, typed as the guide has them (placeholders
 * filled in), and an IAM error as the CLI prints it. The CLI decodes policy documents for display.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { aws, skipWithoutAwsCli } from '../helpers/aws-cli.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { REFERENCE_POLICY as POLICY, REFERENCE_TRUST as TRUST } from '../fixtures/reference-iam.js';

describe('IAM through the aws CLI', { skip: skipWithoutAwsCli }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ grantAll: false, executionRole: false });
  });
  after(() => svc.close());

  test("the guide's create-policy, create-role and attach-role-policy", async () => {
    const policy = await aws(svc.endpoint, ['iam', 'create-policy', '--policy-name', 'rds-lambda-policy', '--policy-document', POLICY]);
    assert.equal(policy.code, 0, policy.stderr);
    const policyArn = JSON.parse(policy.stdout).Policy.Arn;
    assert.equal(policyArn, 'arn:aws:iam::123456789012:policy/rds-lambda-policy');

    const role = await aws(svc.endpoint, ['iam', 'create-role', '--role-name', 'rds-lambda-role', '--assume-role-policy-document', TRUST]);
    assert.equal(role.code, 0, role.stderr);
    const created = JSON.parse(role.stdout).Role;
    assert.equal(created.Arn, 'arn:aws:iam::123456789012:role/rds-lambda-role');
    assert.deepEqual(created.AssumeRolePolicyDocument, JSON.parse(TRUST));

    const attached = await aws(svc.endpoint, ['iam', 'attach-role-policy', '--policy-arn', policyArn, '--role-name', 'rds-lambda-role']);
    assert.deepEqual([attached.code, attached.stdout.trim()], [0, ''], attached.stderr);

    const listed = await aws(svc.endpoint, ['iam', 'list-attached-role-policies', '--role-name', 'rds-lambda-role']);
    assert.deepEqual(JSON.parse(listed.stdout).AttachedPolicies, [{ PolicyName: 'rds-lambda-policy', PolicyArn: policyArn }]);
    const version = await aws(svc.endpoint, ['iam', 'get-policy-version', '--policy-arn', policyArn, '--version-id', 'v1']);
    assert.deepEqual(JSON.parse(version.stdout).PolicyVersion.Document, JSON.parse(POLICY));
  });

  test('errors print as IAM errors do', async () => {
    const missing = await aws(svc.endpoint, ['iam', 'get-role', '--role-name', 'nope']);
    assert.equal(missing.code, 254);
    assert.match(
      missing.stderr,
      /An error occurred \(NoSuchEntity\) when calling the GetRole operation: The role with name nope cannot be found\./,
    );
  });
});
