/**
 * What every Lambda operation's handler is, and the steps most of them share: reading the JSON
 * body, finding the function the request names, checking the RevisionId it expects.
 */
import { functionArn, type FunctionRecord } from '../../lambda/model.js';
import { ValidationException } from '../errors.js';
import { parseJsonBody, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidRequestContentException, PreconditionFailedException } from './errors.js';
import type { FunctionRef } from './identifiers.js';
import type { InvokeService } from './invoke-service.js';

/** What operations work with: the service's parts, and Invoke, which the bridge calls too. */
export interface LambdaContext extends LambdaApiDeps {
  invocations: InvokeService;
}

/** One operation: validates the request, calls the domain, shapes Lambda's response. */
export type Operation = (ctx: LambdaContext, req: AwsRequest, params: RouteParams) => Promise<AwsResponse>;

export const body = (req: AwsRequest) =>
  parseJsonBody(req, (reason) => new InvalidRequestContentException(`Could not parse request body into json: ${reason}`));

export async function getRecord(deps: LambdaApiDeps, ref: FunctionRef, notFoundArn = functionArn(ref)): Promise<FunctionRecord> {
  const rec = await deps.store.get(ref);
  if (!rec) throw fnNotFound(notFoundArn);
  return rec;
}

/** `retrieveWith` names the operation AWS's message points to for the current RevisionId. */
export function checkRevision(expected: string | undefined, actual: string, retrieveWith = 'GetFunction/GetAlias'): void {
  if (expected !== undefined && expected !== actual) {
    throw new PreconditionFailedException(
      `The Revision Id provided does not match the latest Revision Id. Call the ${retrieveWith} API to retrieve the latest Revision Id`,
    );
  }
}

/** Entries in one page of a Lambda listing at most, whatever MaxItems asks (ListFunctions, ListVersionsByFunction, ListAliases). */
const PAGE_LIMIT = 50;

/** MaxItems as the model bounds it (1 to `modelMax`, else a ValidationException), then capped at 50 a page. */
export function pageSize(req: AwsRequest, modelMax: number): number {
  const raw = req.query.get('MaxItems');
  const max = raw === null ? PAGE_LIMIT : Number(raw);
  if (!Number.isInteger(max) || max < 1 || max > modelMax) {
    const bound = max < 1 ? 'greater than or equal to 1' : `less than or equal to ${modelMax}`;
    throw ValidationException.constraint(raw, 'maxItems', `Member must have value ${bound}`);
  }
  return Math.min(max, PAGE_LIMIT);
}

/** A page of a listing by position, as Lambda pages these: up to pageSize() entries from the Marker's index. */
export function indexPage<T>(all: T[], req: AwsRequest, modelMax: number): [T[], { NextMarker?: string }] {
  const max = pageSize(req, modelMax);
  const start = Number(req.query.get('Marker') ?? 0);
  return [all.slice(start, start + max), start + max < all.length ? { NextMarker: String(start + max) } : {}];
}
