/**
 * What every Lambda operation's handler is, and the steps most of them share: reading the JSON
 * body, finding the function the request names, checking the RevisionId it expects.
 */
import { functionArn, type FunctionRecord } from '../../lambda/model.js';
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

export async function getRecord(deps: LambdaApiDeps, ref: FunctionRef): Promise<FunctionRecord> {
  const rec = await deps.store.get(ref);
  if (!rec) throw fnNotFound(functionArn(ref));
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

/** A page of a listing by position, as Lambda pages these: MaxItems (50 by default) from the Marker's index. */
export function indexPage<T>(all: T[], req: AwsRequest): [T[], { NextMarker?: string }] {
  const max = Number(req.query.get('MaxItems') ?? 50);
  const start = Number(req.query.get('Marker') ?? 0);
  return [all.slice(start, start + max), start + max < all.length ? { NextMarker: String(start + max) } : {}];
}
