import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedPolicyDocumentError, parsePolicy, type PolicyKind } from './index.js';

const V = '2012-10-17';
const S3 = 'arn:aws:s3:::example_bucket';
const ok = { Effect: 'Allow', Action: 's3:ListBucket', Resource: S3 };
const trustOk = { Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' };
const doc = (...Statement: object[]) => ({ Version: V, Statement });

interface Row {
  name: string;
  kind?: PolicyKind;
  managed?: boolean;
  /** A string is sent as it is; anything else as its JSON. */
  document: unknown;
  /** IAM's MalformedPolicyDocument message, or undefined when IAM accepts the document. */
  refused?: string;
}

const SYNTAX = 'Syntax errors in policy.';
const rows: Row[] = [
  // Identity policies: IAM's policy grammar.
  { name: 'text that is not JSON is a syntax error to the policy grammar', document: 'This is not a json document', refused: SYNTAX },
  { name: 'JSON that is not an object is a syntax error', document: [], refused: SYNTAX },
  { name: 'an unknown top-level element is a syntax error', document: { ...doc(ok), Extra: 'value' }, refused: SYNTAX },
  { name: 'an unknown statement element is a syntax error', document: doc({ ...ok, Extra: 'value' }), refused: SYNTAX },
  { name: 'a Version IAM does not know is a syntax error', document: { Version: '2013-10-17', Statement: ok }, refused: SYNTAX },
  { name: 'an Id that is not a string is a syntax error', document: { ...doc(ok), Id: ['x'] }, refused: SYNTAX },
  { name: 'a document without Statement is a syntax error', document: { Version: V }, refused: SYNTAX },
  { name: 'an empty Statement list is a syntax error', document: doc(), refused: SYNTAX },
  { name: 'a Statement that is neither object nor list is a syntax error', document: { Version: V, Statement: 'x' }, refused: SYNTAX },
  { name: 'a statement that is not an object is a syntax error', document: { Version: V, Statement: ['afd'] }, refused: SYNTAX },
  { name: 'a statement without Effect is a syntax error', document: doc({ Action: 's3:ListBucket', Resource: S3 }), refused: SYNTAX },
  { name: 'an Effect other than Allow or Deny is a syntax error', document: doc({ ...ok, Effect: 'invalid' }), refused: SYNTAX },
  {
    name: 'Effect in the wrong case passes the grammar but fails legacy parsing',
    document: doc({ ...ok, Effect: 'denY' }),
    refused: 'The policy failed legacy parsing',
  },
  { name: 'Action with NotAction is a syntax error', document: doc({ ...ok, NotAction: 's3:Get*' }), refused: SYNTAX },
  { name: 'Resource with NotResource is a syntax error', document: doc({ ...ok, NotResource: '*' }), refused: SYNTAX },
  { name: 'an Action that is an object is a syntax error', document: doc({ ...ok, Action: {} }), refused: SYNTAX },
  { name: 'a Resource list holding a non-string is a syntax error', document: doc({ ...ok, Resource: ['x', {}] }), refused: SYNTAX },
  { name: 'a Condition that is a list is a syntax error', document: doc({ ...ok, Condition: [] }), refused: SYNTAX },
  {
    name: 'a condition operator IAM does not know is a syntax error',
    document: doc({ ...ok, Condition: { x: { a: '1' } } }),
    refused: SYNTAX,
  },
  { name: 'an unknown operator with nothing under it is accepted', document: doc({ ...ok, Condition: { x: {} } }) },
  {
    name: 'a doubled colon after ForAnyValue is no operator',
    document: doc({ ...ok, Condition: { 'ForAnyValue::StringEquals': { a: 'b' } } }),
    refused: SYNTAX,
  },
  {
    name: 'a condition value that is an object is a syntax error',
    document: doc({ ...ok, Condition: { DateGreaterThan: { a: {} } } }),
    refused: SYNTAX,
  },
  {
    name: 'a date IAM cannot read fails legacy parsing',
    document: doc({ ...ok, Condition: { DateGreaterThan: { 'aws:CurrentTime': 'sdfdsf' } } }),
    refused: 'The policy failed legacy parsing',
  },
  {
    name: 'neither Action nor NotAction: the statement must contain actions',
    document: doc({ Effect: 'Allow', Resource: S3 }),
    refused: 'Policy statement must contain actions.',
  },
  {
    name: 'an empty Action list: the statement must contain actions',
    document: doc({ ...ok, Action: [] }),
    refused: 'Policy statement must contain actions.',
  },
  {
    name: 'neither Resource nor NotResource: the statement must contain resources',
    document: doc({ Effect: 'Allow', Action: 's3:ListBucket' }),
    refused: 'Policy statement must contain resources.',
  },
  {
    name: 'a Principal in an identity policy is refused',
    document: doc({ ...ok, Principal: '*' }),
    refused: 'Policy document should not specify a principal.',
  },
  {
    name: 'an action without a vendor is refused',
    document: doc({ ...ok, Action: 'invalid' }),
    refused: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  },
  {
    name: 'an empty NotAction has no vendor either',
    document: doc({ Effect: 'Allow', NotAction: '', Resource: S3 }),
    refused: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  },
  {
    name: 'an action with two colons is refused',
    document: doc({ ...ok, Action: 's3:List:Bucket' }),
    refused: 'Actions/Condition can contain only one colon.',
  },
  { name: 'a vendor with a space is refused', document: doc({ ...ok, Action: 'a a:ListBucket' }), refused: 'Vendor a a is not valid' },
  { name: 'wildcards are fine in actions', document: doc({ ...ok, Action: ['lambda:Invoke*', 'lambda:*', '*', 'lambda:Get?unction'] }) },
  {
    name: 'a resource that is no ARN is refused',
    document: doc({ ...ok, Resource: 'invalid resource' }),
    refused: 'Resource invalid resource must be in ARN format or "*".',
  },
  {
    name: 'an unknown partition is refused, echoing the ARN as IAM splits it',
    document: doc({ ...ok, Resource: 'a:b:cadfsdf' }),
    refused: 'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".',
  },
  {
    name: 'a resource without a service is refused',
    document: doc({ ...ok, Resource: 'arn:aws' }),
    refused: 'Resource vendor must be fully qualified and cannot contain regexes.',
  },
  {
    name: 'an ARN with too few parts fails legacy parsing',
    document: doc({ ...ok, Resource: 'arn:aws:s3::example_bucket' }),
    refused: 'The policy failed legacy parsing',
  },
  {
    name: 'Sids must be unique',
    document: doc({ ...ok, Sid: 'a' }, { ...ok, Sid: 'a' }),
    refused: 'Statement IDs (SID) in a single policy must be unique.',
  },
  {
    name: 'Sids must be alphanumeric',
    document: doc({ ...ok, Sid: 'my-sid' }),
    refused: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  },
  { name: 'a document without Version is accepted as 2008-10-17', document: { Statement: ok } },
  {
    name: 'a managed policy must be 2012-10-17',
    managed: true,
    document: { Version: '2008-10-17', Statement: ok },
    refused: 'Policy document must be version 2012-10-17 or greater.',
  },
  {
    name: 'a managed policy without Version is refused the same way',
    managed: true,
    document: { Statement: ok },
    refused: 'Policy document must be version 2012-10-17 or greater.',
  },
  {
    name: 'JSON booleans and numbers are condition values',
    document: doc({ ...ok, Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': [10] } } }),
  },

  // Trust policies: the access-policy parser, and the rules for assuming a role.
  {
    name: 'a trust policy that is not JSON contains invalid Json',
    kind: 'trust',
    document: '{invalid',
    refused: 'This policy contains invalid Json',
  },
  {
    name: 'a trust policy needs a Principal',
    kind: 'trust',
    document: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
    refused: 'Missing required field Principal',
  },
  {
    name: 'a trust policy Principal may not be empty',
    kind: 'trust',
    document: doc({ ...trustOk, Principal: {} }),
    refused: 'Missing required field Principal cannot be empty!',
  },
  { name: 'a trust policy needs no Resource', kind: 'trust', document: doc(trustOk) },
  {
    name: 'a trust policy may not have a Resource',
    kind: 'trust',
    document: doc({ ...trustOk, Resource: '*' }),
    refused: 'Has prohibited field Resource',
  },
  {
    name: 'a trust policy may not have a NotResource',
    kind: 'trust',
    document: doc({ ...trustOk, NotResource: '*' }),
    refused: 'AssumeRole policy must not contain resources.',
  },
  {
    name: 'a trust policy allows only STS actions',
    kind: 'trust',
    document: doc({ ...trustOk, Action: '*' }),
    refused: 'AssumeRole policy may only specify STS AssumeRole actions.',
  },
  {
    name: 'a trust policy may not Allow with NotPrincipal',
    kind: 'trust',
    document: doc({ Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
    refused: 'Allow with NotPrincipal is not allowed.',
  },
  {
    name: 'a trust statement without Effect names the field',
    kind: 'trust',
    document: doc({ Principal: '*', Action: 'sts:AssumeRole' }),
    refused: 'Missing required field Effect',
  },
  {
    name: 'a trust statement Effect in the wrong case is an invalid effect',
    kind: 'trust',
    document: doc({ ...trustOk, Effect: 'allow' }),
    refused: 'Invalid effect: allow',
  },
  {
    name: 'an empty trust Statement list cannot be parsed',
    kind: 'trust',
    document: doc(),
    refused: 'Could not parse the policy: Statement is empty!',
  },
  { name: 'a trust policy without Version is accepted', kind: 'trust', document: { Statement: [trustOk] } },
  {
    name: 'an AWS principal must be an account, an IAM ARN or *',
    kind: 'trust',
    document: doc({ ...trustOk, Principal: { AWS: 'bob' } }),
    refused: 'Invalid principal in policy: "AWS":"bob"',
  },
  {
    name: 'account ids, root, role and session ARNs are AWS principals',
    kind: 'trust',
    document: doc({
      ...trustOk,
      Principal: {
        AWS: [
          '123456789012',
          'arn:aws:iam::123456789012:root',
          'arn:aws:iam::123456789012:role/R',
          'arn:aws:sts::123456789012:assumed-role/R/s',
        ],
      },
    }),
  },

  // Resource policies (Lambda's): Principal required, Resource optional, Lambda's Sids.
  { name: 'a resource policy needs a Principal', kind: 'resource', document: doc(ok), refused: 'Missing required field Principal' },
  {
    name: "a resource policy takes Lambda's Sids",
    kind: 'resource',
    document: doc({ ...ok, Sid: 'lambda-invoke_1', Principal: { Service: 's3.amazonaws.com' } }),
  },
];

for (const row of rows) {
  test(row.name, () => {
    const text = typeof row.document === 'string' ? row.document : JSON.stringify(row.document);
    const parse = () => parsePolicy(text, row.kind ?? 'identity', { managed: row.managed });
    if (row.refused === undefined) assert.doesNotThrow(parse);
    else
      assert.throws(
        parse,
        (e: unknown) => e instanceof MalformedPolicyDocumentError && e.message === row.refused && e.code === 'MalformedPolicyDocument',
      );
  });
}

test('a parsed policy has a list wherever the document allowed a string, and keeps IAM names', () => {
  const parsed = parsePolicy(
    JSON.stringify({
      Id: 'p',
      Statement: {
        Sid: 'A',
        Effect: 'Allow',
        Principal: { AWS: '123456789012' },
        Action: 'lambda:InvokeFunction',
        Condition: { Bool: { 'aws:SecureTransport': true } },
      },
    }),
    'resource',
  );
  assert.deepEqual(parsed, {
    Version: '2008-10-17',
    Id: 'p',
    Statement: [
      {
        Sid: 'A',
        Effect: 'Allow',
        Principal: { AWS: ['123456789012'] },
        Action: ['lambda:InvokeFunction'],
        Condition: { Bool: { 'aws:SecureTransport': ['true'] } },
      },
    ],
  });
  assert.deepEqual(parsePolicy(JSON.stringify(parsed), 'resource'), parsed);
});
