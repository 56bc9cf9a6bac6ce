/**
 * AddPermission, RemovePermission and GetPolicy: a function's resource-based policy, or one
 * version's or alias's. Texts and their order are AWS's as LocalStack's snapshots of AWS record them
 * (test_lambda_api.snapshot.json, TestLambdaPermissions, Dec 2022 and Nov 2025).
 */
import { currentRevision } from '../../lambda/lifecycle.js';
import { functionArn, type FunctionRecord } from '../../lambda/model.js';
import { empty, json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from './errors.js';
import { parseFunctionRef, type FunctionRef } from './identifiers.js';
import { body, checkRevision } from './operation.js';
import {
  AddPermissionInput,
  addPermissionViolations,
  policyText,
  REMOVED_STATEMENT_ID,
  statementOf,
  statementsOf,
} from './permission-statement.js';
import { violations } from './constraints.js';
import { parseInput } from './validate.js';

/** The function and qualifier a request names; the request's other members' violations are reported with theirs. */
function targetOf(req: AwsRequest, name: string, others: string[] = []): FunctionRef {
  return parseFunctionRef(name, req.caller, { qualifier: req.query.get('Qualifier'), violations: others });
}

/** A version or alias must exist; AWS names which it looked for by the qualifier's form. */
function checkQualifier(fn: FunctionRecord, q: string | undefined): void {
  if (q === undefined || q === '$LATEST') return;
  if (/^[0-9]+$/.test(q)) {
    if (!fn.versions[q]) throw fnNotFound(functionArn(fn, q));
  } else if (/^[a-zA-Z0-9-_]+$/.test(q)) {
    if (!fn.aliases[q]) throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(fn, q)}`);
  } else {
    throw fnNotFound(functionArn(fn, q));
  }
}

/** What a policy's first RevisionId is checked against: the revision of the function, version or alias it is for. */
function resourceRevision(fn: FunctionRecord, q: string | undefined): string {
  if (q === undefined) return currentRevision(fn.latest);
  return /^[0-9]+$/.test(q) ? fn.versions[q]!.revisionId : fn.aliases[q]!.revisionId;
}

export async function addPermission(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const input = parseInput(AddPermissionInput, body(req));
  const ref = targetOf(req, p.FunctionName!, addPermissionViolations(input));
  const q = ref.qualifier;
  if (q === '$LATEST') throw new InvalidParameterValueException('We currently do not support adding policies for $LATEST.');
  const out = await deps.policies.change(ref, q, (fn, current) => {
    checkQualifier(fn, q);
    const statement = statementOf(input, functionArn(fn, q));
    // AWS 2025: against the policy's RevisionId (GetPolicy), or the alias's before it has one.
    checkRevision(input.RevisionId, current?.revisionId ?? resourceRevision(fn, q), 'GetPolicy');
    const statements = statementsOf(current?.document);
    if (statements.some((s) => s.Sid === statement.Sid)) {
      throw new ResourceConflictException(
        `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      );
    }
    return { document: policyText([...statements, statement]), result: statement };
  });
  if (!out) throw fnNotFound(functionArn(ref));
  return json(201, { Statement: JSON.stringify(out.result) });
}

export async function getPolicy(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = targetOf(req, p.FunctionName!);
  // A missing function, version or alias has no policy either: AWS answers all three alike.
  const policy = await deps.policies.get(ref, ref.qualifier);
  if (!policy) throw new ResourceNotFoundException('The resource you requested does not exist.');
  return json(200, { Policy: policy.document, RevisionId: policy.revisionId });
}

export async function removePermission(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const sid = p.StatementId!;
  const ref = targetOf(req, p.FunctionName!, violations(sid, REMOVED_STATEMENT_ID));
  const q = ref.qualifier;
  const out = await deps.policies.change(ref, q, (fn, current) => {
    checkQualifier(fn, q);
    if (!current) throw new ResourceNotFoundException('No policy is associated with the given resource.');
    const statements = statementsOf(current.document);
    if (!statements.some((s) => s.Sid === sid)) throw new ResourceNotFoundException(`Statement ${sid} is not found in resource policy.`);
    // Observed for RemovePermission in 2022, when a policy's revision was its function's.
    checkRevision(req.query.get('RevisionId') ?? undefined, current.revisionId);
    const rest = statements.filter((s) => s.Sid !== sid);
    return { document: rest.length ? policyText(rest) : null, result: undefined };
  });
  if (!out) throw new ResourceNotFoundException(`No policy found for: ${functionArn(ref)}`);
  return empty(204);
}
