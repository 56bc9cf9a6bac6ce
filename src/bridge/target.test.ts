import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from './errors.js';
import { resolveTarget } from './target.js';

const cluster = { accountId: '123456789012', region: 'us-west-2' };

test('every name form Lambda accepts resolves to a region, account, name and qualifier', () => {
  assert.deepEqual(resolveTarget('my-function', undefined, undefined, cluster), {
    region: 'us-west-2',
    accountId: '123456789012',
    name: 'my-function',
    qualifier: undefined,
    arn: 'arn:aws:lambda:us-west-2:123456789012:function:my-function',
  });
  assert.equal(resolveTarget('my-function:custom_version', undefined, undefined, cluster).qualifier, 'custom_version');
  assert.equal(resolveTarget('123456789012:function:my-function', 'eu-west-1', undefined, cluster).region, 'eu-west-1');
  const arn = resolveTarget('arn:aws:lambda:eu-central-1:210987654321:function:f:3', undefined, undefined, cluster);
  assert.deepEqual([arn.region, arn.accountId, arn.name, arn.qualifier], ['eu-central-1', '210987654321', 'f', '3']);
  assert.equal(resolveTarget('f', undefined, '$LATEST', cluster).qualifier, '$LATEST');
  assert.equal(resolveTarget('arn:aws:lambda:us-west-2:123456789012:function', undefined, undefined, cluster).name, 'function');
});

test('conflicts and malformed names are refused with 22023 before any call', () => {
  const refused = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof InvalidArgument && e.sqlstate === '22023' && message.test(e.message));
  refused(
    () => resolveTarget('arn:aws:lambda:us-east-1:123456789012:function:f', 'us-west-2', undefined, cluster),
    /region "us-west-2" conflicts with the region "us-east-1"/,
  );
  refused(() => resolveTarget('f:1', undefined, '2', cluster), /qualifier "2" conflicts with the qualifier "1"/);
  refused(() => resolveTarget('arn:aws:lambda:us-west-2:123:function:f', undefined, undefined, cluster), /invalid function_name/);
  refused(() => resolveTarget('(my-function,us-west-2)', undefined, undefined, cluster), /invalid function_name/);
  refused(() => resolveTarget('f', 'mars', undefined, cluster), /invalid region "mars"/);
  refused(() => resolveTarget('f', undefined, 'no spaces', cluster), /invalid qualifier/);
});
