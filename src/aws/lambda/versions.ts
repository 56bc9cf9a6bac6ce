/** PublishVersion and ListVersionsByFunction (lambda-wire §9.3). */
import { z } from 'zod';
import { currentRevision } from '../../lambda/lifecycle.js';
import { functionArn } from '../../lambda/model.js';
import { publish } from '../../lambda/publish.js';
import { json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException } from './errors.js';
import { parseFunctionRef } from './identifiers.js';
import { body, checkRevision, getRecord, indexPage } from './operation.js';
import { functionConfiguration, listedConfiguration } from './shapes.js';
import { parseInput } from './validate.js';

const PublishInput = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().optional(),
  RevisionId: z.string().optional(),
});

export async function publishVersion(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = parseFunctionRef(p.FunctionName!, req.caller, { kind: 'function', allowQualifier: false });
  const input = parseInput(PublishInput, body(req));
  const out = await deps.store.update(ref, (cur) => {
    checkRevision(input.RevisionId, currentRevision(cur.latest));
    if (input.CodeSha256 !== undefined && input.CodeSha256 !== cur.latest.codeSha256) {
      throw new InvalidParameterValueException(
        `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${cur.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    return publish(cur, input.Description);
  });
  if (!out) throw fnNotFound(functionArn(ref));
  return json(201, functionConfiguration(ref, out.result, out.result.version, true));
}

export async function listVersionsByFunction(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = parseFunctionRef(p.FunctionName!, req.caller, { allowQualifier: false });
  const rec = await getRecord(deps, ref);
  const all = [
    listedConfiguration(rec, rec.latest, '$LATEST', true),
    ...Object.values(rec.versions)
      .sort((a, b) => Number(a.version) - Number(b.version))
      .map((v) => listedConfiguration(rec, v, v.version, true)),
  ];
  const [Versions, next] = indexPage(all, req, 10000);
  return json(200, { Versions, ...next });
}
