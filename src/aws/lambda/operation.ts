/**
 * The steps most Lambda operations share: reading the JSON body, finding the function the request
 * names, checking the RevisionId it expects.
 */
import { functionArn, type FunctionRecord } from '../../lambda/model.js';
import { parseJsonBody } from '../protocols/rest-json.js';
import type { AwsRequest } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidRequestContentException, PreconditionFailedException } from './errors.js';
import type { FunctionRef } from './identifiers.js';

export const body = (req: AwsRequest) =>
  parseJsonBody(req, (reason) => new InvalidRequestContentException(`Could not parse request body into json: ${reason}`));

export async function getRecord(deps: LambdaApiDeps, ref: FunctionRef): Promise<FunctionRecord> {
  const rec = await deps.store.get(ref);
  if (!rec) throw fnNotFound(functionArn(ref));
  return rec;
}

export function checkRevision(expected: string | undefined, actual: string, what = 'GetFunction'): void {
  if (expected !== undefined && expected !== actual) {
    throw new PreconditionFailedException(
      `The Revision Id provided does not match the latest Revision Id. Call the ${what}/GetAlias API to retrieve the latest Revision Id`,
    );
  }
}
