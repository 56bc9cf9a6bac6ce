/** Put/Get/DeleteFunctionConcurrency (reserved concurrency), and GetAccountSettings, which reports what is left unreserved. */
import { z } from 'zod';
import { functionArn } from '../../lambda/model.js';
import { ValidationException } from '../errors.js';
import { empty, json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse, CallerContext } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException } from './errors.js';
import { parseFunctionRef, type FunctionRef } from './identifiers.js';
import { body, getRecord } from './operation.js';
import { parseInput } from './validate.js';

/** Account concurrency and the unreserved floor AWS keeps (lambda-wire §10). */
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

const PutInput = z.object({ ReservedConcurrentExecutions: z.number().int() });

function unqualified(name: string, caller: CallerContext): FunctionRef {
  const k = parseFunctionRef(name, caller, { kind: 'function' });
  if (k.qualifier !== undefined) {
    throw new InvalidParameterValueException(
      'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
    );
  }
  return k;
}

export async function putFunctionConcurrency(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const k = unqualified(p.FunctionName!, req.caller);
  const { ReservedConcurrentExecutions: n } = parseInput(PutInput, body(req));
  if (n < 0) {
    throw ValidationException.constraint(n, 'reservedConcurrentExecutions', 'Member must have value greater than or equal to 0');
  }
  // Observed for PutFunctionConcurrency: the ARN in the message carries `:$LATEST` (LSS, Nov 2025).
  if (!(await deps.store.get(k))) throw fnNotFound(functionArn(k, '$LATEST'));
  const others = await deps.store.list(k.accountId, k.region, undefined, 10000);
  const reservedElsewhere = others.filter((r) => r.name !== k.name).reduce((sum, r) => sum + (r.reservedConcurrency ?? 0), 0);
  if (ACCOUNT_CONCURRENCY - reservedElsewhere - n < MIN_UNRESERVED) {
    throw new InvalidParameterValueException(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
    );
  }
  const out = await deps.store.update(k, (cur) => ({ record: { ...cur, reservedConcurrency: n }, result: n }));
  if (!out) throw fnNotFound(functionArn(k));
  return json(200, { ReservedConcurrentExecutions: n });
}

export async function getFunctionConcurrency(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const rec = await getRecord(deps, unqualified(p.FunctionName!, req.caller));
  return json(200, rec.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: rec.reservedConcurrency });
}

export async function deleteFunctionConcurrency(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const k = unqualified(p.FunctionName!, req.caller);
  await getRecord(deps, k);
  await deps.store.update(k, (cur) => {
    const { reservedConcurrency: _dropped, ...rest } = cur;
    return { record: rest, result: undefined };
  });
  return empty(204);
}

export async function getAccountSettings(deps: LambdaApiDeps, req: AwsRequest): Promise<AwsResponse> {
  const fns = await deps.store.list(req.caller.accountId, req.caller.region, undefined, 10000);
  const reserved = fns.reduce((s, f) => s + (f.reservedConcurrency ?? 0), 0);
  return json(200, {
    AccountLimit: {
      TotalCodeSize: 80_530_636_800,
      CodeSizeUnzipped: 262_144_000,
      CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: ACCOUNT_CONCURRENCY,
      UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reserved,
    },
    AccountUsage: { TotalCodeSize: fns.reduce((s, f) => s + f.latest.codeSize, 0), FunctionCount: fns.length },
  });
}
