/** Assertions on what the official SDK shows a user. */
import assert from 'node:assert/strict';

/** Asserts the SDK rejects with this exception class, HTTP status and message. */
export async function refused(p: Promise<unknown>, name: string, status: number, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** A function ARN in us-west-2, the tests' region. */
export const fnArn = (name: string, qualifier?: string, account = '123456789012') =>
  `arn:aws:lambda:us-west-2:${account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

/** The SDK's rejection, for asserting on name, status and modelled members. */
export async function failure(p: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, any>;
  }
  assert.fail('expected the call to fail');
}

export const EXPLICIT_DENY = 'with an explicit deny in an identity-based policy';

/** AWS's denial of an action by identity-based policies, as Lambda, IAM and RDS word it. */
export const notAuthorized = (
  who: string,
  action: string,
  resource: string,
  why = `because no identity-based policy allows the ${action} action`,
) => `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
