/** PublishVersion and ListVersionsByFunction (lambda-wire §9.3). */
import { z } from 'zod';
import { currentRevision } from '../../lambda/lifecycle.js';
import { publish } from '../../lambda/publish.js';
import { json, type Route } from '../protocols/rest-json.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException } from './errors.js';
import { parseFunctionRef } from './identifiers.js';
import { body, checkRevision, getRecord } from './operation.js';
import { functionConfiguration, listedConfiguration } from './shapes.js';
import { parseInput } from './validate.js';

const PublishInput = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().optional(),
  RevisionId: z.string().optional(),
});

export function versionRoutes(deps: LambdaApiDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/2015-03-31/functions/{FunctionName}/versions',
      handler: async (req, p) => {
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
        if (!out) throw fnNotFound(`arn:aws:lambda:${ref.region}:${ref.accountId}:function:${ref.name}`);
        return json(201, functionConfiguration(ref, out.result, out.result.version, true));
      },
    },
    {
      method: 'GET',
      path: '/2015-03-31/functions/{FunctionName}/versions',
      handler: async (req, p) => {
        const ref = parseFunctionRef(p.FunctionName!, req.caller, { allowQualifier: false });
        const rec = await getRecord(deps, ref);
        const all = [
          listedConfiguration(rec, rec.latest, '$LATEST', true),
          ...Object.values(rec.versions)
            .sort((a, b) => Number(a.version) - Number(b.version))
            .map((v) => listedConfiguration(rec, v, v.version, true)),
        ];
        const max = Number(req.query.get('MaxItems') ?? 50);
        const start = Number(req.query.get('Marker') ?? 0);
        const page = all.slice(start, start + max);
        return json(200, {
          Versions: page,
          ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
        });
      },
    },
  ];
}
