/**
 * AddPermission's input and the statement Lambda builds from it, in the member order and condition
 * operators AWS answers with (LocalStack's snapshots of AWS, Nov 2025: Sid, Effect, Principal,
 * Action, Resource, Condition; StringEquals before ArnLike). Policies are kept as their JSON text.
 */
import { z } from 'zod';
import { MalformedPolicyDocumentError, parsePolicy } from '../../iam/policy/index.js';
import { accountRootArn } from '../../iam/store/model.js';
import { AwsError, violation } from '../errors.js';
import { violations, type Constraint } from './constraints.js';
import { InvalidParameterValueException } from './errors.js';

export const AddPermissionInput = z.object({
  StatementId: z.string().optional(),
  Action: z.string().optional(),
  Principal: z.string().optional(),
  SourceArn: z.string().optional(),
  SourceAccount: z.string().optional(),
  EventSourceToken: z.string().optional(),
  RevisionId: z.string().optional(),
  PrincipalOrgID: z.string().optional(),
  FunctionUrlAuthType: z.string().optional(),
  InvokedViaFunctionUrl: z.boolean().optional(),
});
export type AddPermissionInput = z.infer<typeof AddPermissionInput>;

export const REMOVED_STATEMENT_ID: Constraint = { member: 'statementId', pattern: '([a-zA-Z0-9-_.]+)', min: 1, max: 100 };
const STATEMENT_ID: Constraint = { member: 'statementId', pattern: '([a-zA-Z0-9-_]+)', min: 1, max: 100 };
const ACTION: Constraint = { member: 'action', pattern: '(lambda:[*]|lambda:[a-zA-Z]+|[*])' };
const PRINCIPAL: Constraint = { member: 'principal', pattern: String.raw`[^\s]+` };
const SOURCE_ARN: Constraint = {
  member: 'sourceArn',
  pattern: String.raw`arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`,
};
const SOURCE_ACCOUNT: Constraint = { member: 'sourceAccount', pattern: String.raw`\d{12}`, max: 12 };
const EVENT_SOURCE_TOKEN: Constraint = { member: 'eventSourceToken', pattern: String.raw`[a-zA-Z0-9._\-]+`, max: 256 };
const ORG_ID: Constraint = { member: 'principalOrgID', pattern: 'o-[a-z0-9]{10,32}', min: 12, max: 34 };
const AUTH_TYPES = ['NONE', 'AWS_IAM'];

/** AddPermission's body members against the model (the Qualifier is checked with the other operations'). */
export function addPermissionViolations(input: AddPermissionInput): string[] {
  const v = [
    ...violations(input.StatementId, STATEMENT_ID, true),
    ...violations(input.Action, ACTION, true),
    ...violations(input.Principal, PRINCIPAL, true),
    ...violations(input.SourceArn, SOURCE_ARN),
    ...violations(input.SourceAccount, SOURCE_ACCOUNT),
    ...violations(input.EventSourceToken, EVENT_SOURCE_TOKEN),
    ...violations(input.PrincipalOrgID, ORG_ID),
  ];
  const auth = input.FunctionUrlAuthType;
  if (auth !== undefined && !AUTH_TYPES.includes(auth)) {
    v.push(violation(auth, 'functionUrlAuthType', `Member must satisfy enum value set: [${AUTH_TYPES.join(', ')}]`));
  }
  return v;
}

type Principal = '*' | { AWS: string } | { Service: string };

/**
 * A 12-digit account becomes its root ARN; IAM and STS ARNs name themselves; services are the
 * domain-style names AWS defines (s3.amazonaws.com, alexa-appkit.amazon.com).
 */
function principalOf(principal: string): Principal {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: accountRootArn(principal) };
  if (/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+$/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9][a-z0-9.-]*\.amazon(aws)?\.com(\.cn)?$/.test(principal)) return { Service: principal };
  throw new InvalidParameterValueException('The provided principal was invalid. Please check the principal and try again.');
}

type Condition = Record<string, Record<string, string>>;

function conditionOf(input: AddPermissionInput): Condition | undefined {
  const equals: Record<string, string> = {};
  if (input.SourceAccount !== undefined) equals['AWS:SourceAccount'] = input.SourceAccount;
  if (input.FunctionUrlAuthType !== undefined) equals['lambda:FunctionUrlAuthType'] = input.FunctionUrlAuthType;
  if (input.PrincipalOrgID !== undefined) equals['aws:PrincipalOrgID'] = input.PrincipalOrgID;
  if (input.EventSourceToken !== undefined) equals['lambda:EventSourceToken'] = input.EventSourceToken;
  const condition: Condition = {};
  if (Object.keys(equals).length) condition.StringEquals = equals;
  if (input.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  // Function URLs since October 2025: the invoke must come through the URL.
  if (input.InvokedViaFunctionUrl) condition.Bool = { 'lambda:InvokedViaFunctionUrl': 'true' };
  return Object.keys(condition).length ? condition : undefined;
}

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Principal: Principal;
  Action: string;
  Resource: string;
  Condition?: Condition;
}

/** The statement for input without violations (addPermissionViolations) on `resource`, the function's ARN as qualified. */
export function statementOf(input: AddPermissionInput, resource: string): Statement {
  const condition = conditionOf(input);
  return {
    Sid: input.StatementId!,
    Effect: 'Allow',
    Principal: principalOf(input.Principal!),
    Action: input.Action!,
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
  };
}

interface PolicyDocument {
  Version: '2012-10-17';
  Id: 'default';
  Statement: Statement[];
}

export const statementsOf = (document: string | undefined): Statement[] =>
  document === undefined ? [] : (JSON.parse(document) as PolicyDocument).Statement;

const POLICY_LIMIT = 20_480;

/**
 * The policy text holding `statements`, refused as AWS refuses one over Lambda's 20 KB quota, and
 * as IAM would refuse the document, so that what the authorizer evaluates is what was stored.
 */
export function policyText(statements: Statement[]): string {
  const document: PolicyDocument = { Version: '2012-10-17', Id: 'default', Statement: statements };
  const text = JSON.stringify(document);
  const size = Buffer.byteLength(text);
  if (size > POLICY_LIMIT) {
    throw new AwsError(
      'PolicyLengthExceededException',
      `The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT}).`,
      400,
      { Type: 'User' },
    );
  }
  try {
    parsePolicy(text, 'resource');
  } catch (err) {
    if (err instanceof MalformedPolicyDocumentError) throw new InvalidParameterValueException(err.message);
    throw err;
  }
  return text;
}
