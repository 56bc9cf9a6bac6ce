/** PublishVersion and ListVersionsByFunction (lambda-wire §9.3). */
import { z } from 'zod';
import { currentRevision, settled } from '../../lambda/lifecycle.js';
import type { FunctionRecord, PublishedVersion } from '../../lambda/model.js';
import { json, type Route } from '../protocols/rest-json.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException } from './errors.js';
import { body, checkRevision, getRecord } from './functions.js';
import { parseFunctionRef } from './identifiers.js';
import { functionConfiguration, listedConfiguration } from './shapes.js';
import { parseInput } from './validate.js';

const PublishInput = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().optional(),
  RevisionId: z.string().optional(),
});

/**
 * Publishes $LATEST unless it did not change since the last published version, in which case that
 * version is returned again, as Lambda does: a Description given alone is not a change (LSS
 * test_lambda_api TestLambdaVersions::test_version_lifecycle, third_publish_response, Nov 2025).
 */
export function publish(cur: FunctionRecord, description: string | undefined): { record: FunctionRecord; result: PublishedVersion } {
  const last = cur.versions[String(cur.lastPublished)];
  if (last && last.revisionId === cur.latest.revisionId) return { record: cur, result: last };
  const version = String(cur.lastPublished + 1);
  const published: PublishedVersion = { ...settled(cur.latest), version, description: description ?? cur.latest.description };
  return {
    record: { ...cur, versions: { ...cur.versions, [version]: published }, lastPublished: cur.lastPublished + 1 },
    result: published,
  };
}

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
