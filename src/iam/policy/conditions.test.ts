import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, parsePolicy, type ContextValue } from './index.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const SERVICE_ARN = 'arn:aws:someservice:*:111122223333:finance/*';
const ODD_ARN = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';

interface Row {
  name: string;
  condition: Record<string, Record<string, unknown>>;
  context?: Record<string, ContextValue>;
  /** Whether an Allow carrying the condition allows. */
  holds: boolean;
}

const rows: Row[] = [
  // String operators.
  {
    name: 'StringEquals: the same string',
    condition: { StringEquals: { 'aws:username': 'alice' } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'StringEquals is case-sensitive',
    condition: { StringEquals: { 'aws:username': 'alice' } },
    context: { 'aws:username': 'Alice' },
    holds: false,
  },
  { name: 'StringEquals on a missing key is false', condition: { StringEquals: { 'aws:username': 'alice' } }, holds: false },
  {
    name: 'several values under one key: any may match (OR)',
    condition: { StringEquals: { 'aws:username': ['bob', 'alice'] } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'condition keys are case-insensitive',
    condition: { StringEquals: { 'AWS:UserName': 'alice' } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'StringNotEquals: a different string',
    condition: { StringNotEquals: { 'aws:username': 'bob' } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'StringNotEquals: the same string',
    condition: { StringNotEquals: { 'aws:username': 'alice' } },
    context: { 'aws:username': 'alice' },
    holds: false,
  },
  { name: 'StringNotEquals on a missing key is true', condition: { StringNotEquals: { 'aws:username': 'alice' } }, holds: true },
  {
    name: 'a negated operator NORs its values: one matches',
    condition: { StringNotEquals: { 'aws:username': ['bob', 'alice'] } },
    context: { 'aws:username': 'alice' },
    holds: false,
  },
  {
    name: 'a negated operator NORs its values: none matches',
    condition: { StringNotEquals: { 'aws:username': ['bob', 'carol'] } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'StringEqualsIgnoreCase ignores case',
    condition: { StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'StringEqualsIgnoreCase still compares',
    condition: { StringEqualsIgnoreCase: { 'aws:username': 'bob' } },
    context: { 'aws:username': 'alice' },
    holds: false,
  },
  {
    name: 'StringNotEqualsIgnoreCase: same but for case',
    condition: { StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } },
    context: { 'aws:username': 'alice' },
    holds: false,
  },
  {
    name: 'StringNotEqualsIgnoreCase: different',
    condition: { StringNotEqualsIgnoreCase: { 'aws:username': 'BOB' } },
    context: { 'aws:username': 'alice' },
    holds: true,
  },
  {
    name: 'StringLike with *',
    condition: { StringLike: { 's3:prefix': 'home/*' } },
    context: { 's3:prefix': 'home/alice/x' },
    holds: true,
  },
  { name: 'StringLike with ?', condition: { StringLike: { 's3:prefix': 'home/?' } }, context: { 's3:prefix': 'home/ab' }, holds: false },
  {
    name: 'StringLike: * is no match for another prefix',
    condition: { StringLike: { 's3:prefix': 'home/*' } },
    context: { 's3:prefix': 'work/x' },
    holds: false,
  },
  {
    name: 'StringNotLike: outside the pattern',
    condition: { StringNotLike: { 's3:prefix': 'home/*' } },
    context: { 's3:prefix': 'work/x' },
    holds: true,
  },
  {
    name: 'StringNotLike: inside the pattern',
    condition: { StringNotLike: { 's3:prefix': 'home/*' } },
    context: { 's3:prefix': 'home/x' },
    holds: false,
  },
  {
    name: 'StringLike lets * cross colons',
    condition: { StringLike: { 'aws:SourceArn': SERVICE_ARN } },
    context: { 'aws:SourceArn': ODD_ARN },
    holds: true,
  },
  {
    name: 'every key must hold (AND)',
    condition: { StringEquals: { 'aws:username': 'alice', 'aws:PrincipalTag/team': 'red' } },
    context: { 'aws:username': 'alice', 'aws:PrincipalTag/team': 'blue' },
    holds: false,
  },
  {
    name: 'every operator must hold (AND)',
    condition: { StringEquals: { 'aws:username': 'alice' }, Bool: { 'aws:SecureTransport': 'true' } },
    context: { 'aws:username': 'alice', 'aws:SecureTransport': false },
    holds: false,
  },

  // ARN operators: part by part.
  {
    name: 'ArnLike compares the six parts one by one',
    condition: { ArnLike: { 'aws:SourceArn': SERVICE_ARN } },
    context: { 'aws:SourceArn': ODD_ARN },
    holds: false,
  },
  {
    name: 'ArnLike with wildcards in region and resource',
    condition: { ArnLike: { 'aws:SourceArn': SERVICE_ARN } },
    context: { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:111122223333:finance/a:b' },
    holds: true,
  },
  {
    name: 'ArnEquals behaves as ArnLike',
    condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:rds:*:*:cluster:*' } },
    context: { 'aws:SourceArn': 'arn:aws:rds:us-east-1:123456789012:cluster:db1' },
    holds: true,
  },
  {
    name: 'ArnEquals is case-sensitive',
    condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:rds:*:*:cluster:DB1' } },
    context: { 'aws:SourceArn': 'arn:aws:rds:us-east-1:123456789012:cluster:db1' },
    holds: false,
  },
  {
    name: 'ArnNotLike: another ARN',
    condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:rds:*:*:cluster:*' } },
    context: { 'aws:SourceArn': 'arn:aws:rds:us-east-1:123456789012:db:x' },
    holds: true,
  },
  {
    name: 'ArnNotEquals: the same ARN',
    condition: { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:rds:*:*:cluster:*' } },
    context: { 'aws:SourceArn': 'arn:aws:rds:us-east-1:123456789012:cluster:x' },
    holds: false,
  },

  // Numeric, date, Bool, binary, IP.
  { name: 'NumericLessThan: less', condition: { NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': 5 }, holds: true },
  {
    name: 'NumericLessThan: not less',
    condition: { NumericLessThan: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': '10' },
    holds: false,
  },
  {
    name: 'NumericLessThanEquals: equal',
    condition: { NumericLessThanEquals: { 's3:max-keys': 10 } },
    context: { 's3:max-keys': '10' },
    holds: true,
  },
  {
    name: 'NumericEquals compares numbers, not text',
    condition: { NumericEquals: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': '10.0' },
    holds: true,
  },
  {
    name: 'NumericNotEquals: equal',
    condition: { NumericNotEquals: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': 10 },
    holds: false,
  },
  {
    name: 'NumericGreaterThan: greater',
    condition: { NumericGreaterThan: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': 11 },
    holds: true,
  },
  {
    name: 'NumericGreaterThanEquals: less',
    condition: { NumericGreaterThanEquals: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': 9 },
    holds: false,
  },
  {
    name: 'a request value that is no number fails a numeric comparison',
    condition: { NumericLessThan: { 's3:max-keys': '10' } },
    context: { 's3:max-keys': 'ten' },
    holds: false,
  },
  {
    name: 'DateGreaterThan: later',
    condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    context: { 'aws:CurrentTime': '2024-05-01T12:00:00Z' },
    holds: true,
  },
  {
    name: 'DateGreaterThan: earlier',
    condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    context: { 'aws:CurrentTime': '2019-12-31T23:59:59Z' },
    holds: false,
  },
  {
    name: 'DateLessThan: epoch seconds against ISO',
    condition: { DateLessThan: { 'aws:EpochTime': '2024-01-01T00:00:00Z' } },
    context: { 'aws:EpochTime': 1704067199 },
    holds: true,
  },
  {
    name: 'DateLessThanEquals: policy in epoch seconds',
    condition: { DateLessThanEquals: { 'aws:CurrentTime': '1704067200' } },
    context: { 'aws:CurrentTime': '2024-01-01T00:00:01Z' },
    holds: false,
  },
  {
    name: 'DateEquals across time zones',
    condition: { DateEquals: { 'aws:CurrentTime': '2024-01-01T01:00:00+01:00' } },
    context: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' },
    holds: true,
  },
  {
    name: 'DateNotEquals: the same instant',
    condition: { DateNotEquals: { 'aws:CurrentTime': '2024-01-01' } },
    context: { 'aws:CurrentTime': '2024-01-01T00:00:00.000Z' },
    holds: false,
  },
  {
    name: 'DateGreaterThanEquals: the same instant',
    condition: { DateGreaterThanEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } },
    context: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' },
    holds: true,
  },
  {
    name: "Bool 'true' matches a true context value",
    condition: { Bool: { 'aws:SecureTransport': 'true' } },
    context: { 'aws:SecureTransport': true },
    holds: true,
  },
  {
    name: "Bool 'true' does not match false",
    condition: { Bool: { 'aws:SecureTransport': 'true' } },
    context: { 'aws:SecureTransport': 'false' },
    holds: false,
  },
  {
    name: 'Bool with a JSON boolean in the policy',
    condition: { Bool: { 'aws:SecureTransport': false } },
    context: { 'aws:SecureTransport': false },
    holds: true,
  },
  {
    name: 'BinaryEquals: the same bytes',
    condition: { BinaryEquals: { 'x:key': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } },
    context: { 'x:key': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' },
    holds: true,
  },
  {
    name: 'BinaryEquals: other bytes',
    condition: { BinaryEquals: { 'x:key': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } },
    context: { 'x:key': 'b3RoZXI=' },
    holds: false,
  },
  {
    name: 'IpAddress: inside an IPv4 range',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    context: { 'aws:SourceIp': '203.0.113.77' },
    holds: true,
  },
  {
    name: 'IpAddress: outside an IPv4 range',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    context: { 'aws:SourceIp': '203.0.114.1' },
    holds: false,
  },
  {
    name: 'IpAddress: an address without prefix is /32',
    condition: { IpAddress: { 'aws:SourceIp': '203.0.113.5' } },
    context: { 'aws:SourceIp': '203.0.113.6' },
    holds: false,
  },
  {
    name: 'IpAddress: inside an IPv6 range',
    condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } },
    context: { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' },
    holds: true,
  },
  {
    name: 'IpAddress: outside an IPv6 range',
    condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } },
    context: { 'aws:SourceIp': '2001:db8:1234:5679::1' },
    holds: false,
  },
  {
    name: 'IpAddress: an IPv4 address is not in an IPv6 range',
    condition: { IpAddress: { 'aws:SourceIp': '::/0' } },
    context: { 'aws:SourceIp': '10.0.0.1' },
    holds: false,
  },
  {
    name: 'NotIpAddress: outside',
    condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    context: { 'aws:SourceIp': '192.0.2.1' },
    holds: true,
  },
  {
    name: 'NotIpAddress: inside',
    condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '::ffff:0:0/96'] } },
    context: { 'aws:SourceIp': '10.1.2.3' },
    holds: false,
  },

  // Existence: IfExists and Null.
  { name: 'IfExists: a missing key satisfies it', condition: { StringEqualsIfExists: { 'ec2:InstanceType': 't2.micro' } }, holds: true },
  {
    name: 'IfExists: a present key is still compared',
    condition: { StringEqualsIfExists: { 'ec2:InstanceType': 't2.micro' } },
    context: { 'ec2:InstanceType': 'm5.large' },
    holds: false,
  },
  { name: 'IfExists on a numeric operator, key missing', condition: { NumericLessThanIfExists: { 's3:max-keys': '10' } }, holds: true },
  { name: "Null 'true': the key is absent", condition: { Null: { 'aws:TokenIssueTime': 'true' } }, holds: true },
  {
    name: "Null 'true': the key is present",
    condition: { Null: { 'aws:TokenIssueTime': 'true' } },
    context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
    holds: false,
  },
  {
    name: "Null 'false': the key is present",
    condition: { Null: { 'aws:TokenIssueTime': false } },
    context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
    holds: true,
  },
  { name: "Null 'false': the key is absent", condition: { Null: { 'aws:TokenIssueTime': 'false' } }, holds: false },

  // Set operators on multivalued keys.
  {
    name: 'ForAnyValue: one request value matches',
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    context: { 'aws:TagKeys': ['b', 'c'] },
    holds: true,
  },
  {
    name: 'ForAnyValue: no request value matches',
    condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    context: { 'aws:TagKeys': ['c'] },
    holds: false,
  },
  { name: 'ForAnyValue on a missing key is false', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } }, holds: false },
  {
    name: 'ForAllValues: every request value matches',
    condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    context: { 'aws:TagKeys': ['a'] },
    holds: true,
  },
  {
    name: 'ForAllValues: one request value does not',
    condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    context: { 'aws:TagKeys': ['a', 'c'] },
    holds: false,
  },
  { name: 'ForAllValues on a missing key is true', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, holds: true },
  {
    name: 'ForAllValues on an empty list is true',
    condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['a*'] } },
    context: { 'aws:TagKeys': [] },
    holds: true,
  },
  {
    name: 'ForAnyValue:StringNotEquals: some request value is none of them',
    condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a'] } },
    context: { 'aws:TagKeys': ['a', 'z'] },
    holds: true,
  },
  {
    name: 'ForAllValues:StringNotLike: a request value matches',
    condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': ['sec*'] } },
    context: { 'aws:TagKeys': ['a', 'secret'] },
    holds: false,
  },
];

const run = (effect: 'Allow' | 'Deny', condition: object, context: Record<string, ContextValue> = {}) => {
  const statement = { Effect: effect, Action: 'lambda:InvokeFunction', Resource: FN, Condition: condition };
  const statements = effect === 'Allow' ? [statement] : [{ ...statement, Effect: 'Allow', Condition: undefined }, statement];
  const policy = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity');
  return evaluate({ action: 'lambda:InvokeFunction', resource: FN, context }, { identity: [policy] });
};

for (const row of rows) {
  test(row.name, () => {
    assert.equal(run('Allow', row.condition, row.context), row.holds ? 'Allow' : 'ImplicitDeny');
  });
}

test('Deny with a negated IfExists operator still denies when the key is missing', () => {
  assert.equal(run('Deny', { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } }), 'ExplicitDeny');
  assert.equal(run('Deny', { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } }, { 'aws:PrincipalTag/team': 'red' }), 'Allow');
});
