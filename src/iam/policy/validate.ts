/**
 * The checks IAM makes once a document's shape is sound, in the order identity policies are seen to
 * be refused (for trust policies the order among them is a guess), each stage reporting its first
 * fault: the version a managed policy needs; the "legacy" parser (Effect's case, date values, resource
 * ARNs it cannot split); Principal as the kind requires; Sids; that statements have actions and, for
 * identity policies, resources; then the form of resources and actions.
 */
import { isDateOperator } from './conditions.js';
import { parseDate } from './dates.js';
import type { DraftPolicy, DraftStatement, ParseOptions } from './document.js';
import { dialectFor, MalformedPolicyDocumentError } from './errors.js';
import type { Effect, ParsedPolicy, PolicyKind, PolicyStatement } from './types.js';

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc', '*']);
const AWS_PRINCIPAL = /^(\*|\d{12}|arn:[^:]+:(iam|sts)::\d{12}:.+)$/;

function refuse(message: string): never {
  throw new MalformedPolicyDocumentError(message);
}

export function checkPolicy(draft: DraftPolicy, kind: PolicyKind, options: ParseOptions): ParsedPolicy {
  if (options.managed && draft.Version !== '2012-10-17') refuse('Policy document must be version 2012-10-17 or greater.');
  const policy: ParsedPolicy = { ...draft, Statement: draft.Statement.map(legacyParse) };
  const statements = policy.Statement;
  statements.forEach((s) => checkPrincipalPresence(s, kind));
  checkSids(statements, kind);
  if (statements.some((s) => !hasAny(s.Action) && !hasAny(s.NotAction))) refuse(dialectFor(kind).missingActions);
  if (kind === 'identity' && statements.some((s) => !hasAny(s.Resource) && !hasAny(s.NotResource)))
    refuse('Policy statement must contain resources.');
  if (kind === 'trust') statements.forEach(checkTrustStatement);
  const resourceFault = statements
    .flatMap((s) => [...(s.Resource ?? []), ...(s.NotResource ?? [])])
    .map(resourceError)
    .find(Boolean);
  if (resourceFault) refuse(resourceFault);
  const actionFault = statements
    .flatMap((s) => [...(s.Action ?? []), ...(s.NotAction ?? [])])
    .map(actionError)
    .find(Boolean);
  if (actionFault) refuse(actionFault);
  if (kind !== 'identity') statements.forEach(checkPrincipalValues);
  return policy;
}

const hasAny = (list: string[] | undefined): boolean => list !== undefined && list.length > 0;

/** IAM's older parser, which every document also passes: it wants `Allow` exactly, real dates and splittable ARNs. */
function legacyParse(statement: DraftStatement): PolicyStatement {
  const legacyFailure = () => refuse('The policy failed legacy parsing');
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') legacyFailure();
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    if (
      isDateOperator(operator) &&
      Object.values(block)
        .flat()
        .some((v) => parseDate(v) === undefined)
    )
      legacyFailure();
  }
  for (const r of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) {
    if (r === '*' || resourceError(r) !== undefined) continue;
    const fields = r.split(':');
    if (fields[2] === '' || (r.includes('::') && fields.length < 6)) legacyFailure();
  }
  return { ...statement, Effect: statement.Effect as Effect };
}

function checkPrincipalPresence(s: PolicyStatement, kind: PolicyKind): void {
  const element = s.Principal ?? s.NotPrincipal;
  if (kind === 'identity') {
    if (element !== undefined) refuse('Policy document should not specify a principal.');
    return;
  }
  if (element === undefined) refuse('Missing required field Principal');
  if (element !== '*' && Object.keys(element).length === 0) refuse('Missing required field Principal cannot be empty!');
  if (kind === 'trust' && s.NotPrincipal !== undefined && s.Effect === 'Allow') refuse('Allow with NotPrincipal is not allowed.');
}

/** Lambda's resource policies use Sids such as `lambda-invoke_1`; IAM's own documents may not. */
function checkSids(statements: PolicyStatement[], kind: PolicyKind): void {
  const sids = statements.map((s) => s.Sid).filter((sid): sid is string => sid !== undefined && sid !== '');
  if (new Set(sids).size !== sids.length) refuse('Statement IDs (SID) in a single policy must be unique.');
  if (kind !== 'resource' && sids.some((sid) => !/^[0-9A-Za-z]*$/.test(sid))) {
    refuse('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
  }
}

/** A trust policy is about its role, so it names no resource, and about assuming it, so its actions are STS's. */
function checkTrustStatement(s: PolicyStatement): void {
  if (s.Resource !== undefined) refuse('Has prohibited field Resource');
  if (s.NotResource !== undefined) refuse('AssumeRole policy must not contain resources.');
  if ([...(s.Action ?? []), ...(s.NotAction ?? [])].some((a) => !/^sts:/i.test(a)))
    refuse('AssumeRole policy may only specify STS AssumeRole actions.');
}

/** IAM's complaints about a Resource value, the partition one echoing the value as IAM splits it. */
function resourceError(resource: string): string | undefined {
  if (resource === '*') return undefined;
  const fields = resource.split(':');
  if (fields.length < 2) return `Resource ${resource} must be in ARN format or "*".`;
  const partition = fields[1]!;
  if (!PARTITIONS.has(partition)) {
    const rest = fields.length === 2 ? [''] : fields.slice(2);
    const part = (i: number) => rest[i] ?? '*';
    const service = rest.length === 1 && rest[0] === '' ? '*' : rest[0];
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${service}:${part(1)}:${part(2)}:${tail}".`;
  }
  if (fields.length < 3 || /[*?]/.test(fields[2]!)) return 'Resource vendor must be fully qualified and cannot contain regexes.';
  return undefined;
}

function actionError(action: string): string | undefined {
  if (action === '*') return undefined;
  const [vendor, ...name] = action.split(':');
  if (name.length === 0) return 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
  if (name.length > 1) return 'Actions/Condition can contain only one colon.';
  if (vendor !== '*' && /[^a-zA-Z0-9.-]/.test(vendor!)) return `Vendor ${vendor} is not valid`;
  return undefined;
}

/** IAM resolves AWS principals to accounts and entities; what cannot be one is refused in its words. */
function checkPrincipalValues(s: PolicyStatement): void {
  const element = s.Principal ?? s.NotPrincipal;
  if (element === undefined || element === '*') return;
  const bad = (element.AWS ?? []).find((v) => !AWS_PRINCIPAL.test(v));
  if (bad !== undefined) refuse(`Invalid principal in policy: "AWS":"${bad}"`);
}
