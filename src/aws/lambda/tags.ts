/** TagResource, UntagResource, ListTags and GetAccountSettings: what infrastructure tools call. */
import { z } from 'zod';
import { functionArn } from '../../lambda/model.js';
import { ValidationException } from '../errors.js';
import { empty, json, type Route } from '../protocols/rest-json.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException } from './errors.js';
import { body, getRecord } from './functions.js';
import { parseFunctionRef } from './identifiers.js';
import { ACCOUNT_CONCURRENCY } from './concurrency.js';
import { parseInput } from './validate.js';

const TagInput = z.object({ Tags: z.record(z.string(), z.string()) });

export function tagRoutes(deps: LambdaApiDeps): Route[] {
  const ref = (arn: string, caller: Parameters<typeof parseFunctionRef>[1]) => {
    if (!arn.startsWith('arn:')) throw new InvalidParameterValueException(`Invalid ARN: ${arn}`);
    const k = parseFunctionRef(arn, caller);
    if (k.qualifier !== undefined) {
      throw new InvalidParameterValueException('Tags on function aliases and versions are not supported. Please specify a function ARN.');
    }
    return k;
  };
  return [
    {
      method: 'POST',
      path: '/2017-03-31/tags/{Resource}',
      handler: async (req, p) => {
        const k = ref(p.Resource!, req.caller);
        const { Tags } = parseInput(TagInput, body(req));
        // Observed on AWS for an empty tag map (LSS, Nov 2025).
        if (Object.keys(Tags).length === 0) throw new InvalidParameterValueException('An error occurred and the request cannot be processed.');
        const out = await deps.store.update(k, (cur) => ({ record: { ...cur, tags: { ...cur.tags, ...Tags } }, result: undefined }));
        if (!out) throw fnNotFound(functionArn(k));
        return empty(204);
      },
    },
    {
      method: 'DELETE',
      path: '/2017-03-31/tags/{Resource}',
      handler: async (req, p) => {
        const k = ref(p.Resource!, req.caller);
        const keys = req.query.getAll('tagKeys');
        if (keys.length === 0) throw new ValidationException(["Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"]);
        const out = await deps.store.update(k, (cur) => {
          const tags = { ...cur.tags };
          for (const key of keys) delete tags[key];
          return { record: { ...cur, tags }, result: undefined };
        });
        if (!out) throw fnNotFound(functionArn(k));
        return empty(204);
      },
    },
    {
      method: 'GET',
      path: '/2017-03-31/tags/{Resource}',
      handler: async (req, p) => {
        const rec = await getRecord(deps, ref(p.Resource!, req.caller));
        return json(200, { Tags: rec.tags });
      },
    },
    {
      method: 'GET',
      path: '/2016-08-19/account-settings',
      handler: async (req) => {
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
      },
    },
  ];
}
