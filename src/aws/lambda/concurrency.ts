/** Put/Get/DeleteFunctionConcurrency (reserved concurrency). */
import { z } from 'zod';
import { functionArn } from '../../lambda/model.js';
import { ValidationException } from '../errors.js';
import { empty, json, type Route } from '../protocols/rest-json.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException } from './errors.js';
import { parseFunctionRef } from './identifiers.js';
import { body, getRecord } from './operation.js';
import { parseInput } from './validate.js';

/** Account concurrency and the unreserved floor AWS keeps (lambda-wire §10). */
export const ACCOUNT_CONCURRENCY = 1000;
export const MIN_UNRESERVED = 100;

const PutInput = z.object({ ReservedConcurrentExecutions: z.number().int() });

export function concurrencyRoutes(deps: LambdaApiDeps): Route[] {
  const ref = (name: string, caller: Parameters<typeof parseFunctionRef>[1]) => {
    const k = parseFunctionRef(name, caller, { kind: 'function' });
    if (k.qualifier !== undefined) {
      throw new InvalidParameterValueException(
        'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
      );
    }
    return k;
  };
  return [
    {
      method: 'PUT',
      path: '/2017-10-31/functions/{FunctionName}/concurrency',
      handler: async (req, p) => {
        const k = ref(p.FunctionName!, req.caller);
        const { ReservedConcurrentExecutions: n } = parseInput(PutInput, body(req));
        if (n < 0) {
          throw ValidationException.constraint(n, 'reservedConcurrentExecutions', 'Member must have value greater than or equal to 0');
        }
        // Observed for PutFunctionConcurrency: the ARN in the message carries `:$LATEST` (LSS, Nov 2025).
        if (!(await deps.store.get(k))) throw fnNotFound(functionArn(k, '$LATEST'));
        const others = await deps.store.list(k.accountId, k.region, undefined, 10000);
        const reservedElsewhere = others
          .filter((r) => r.name !== k.name)
          .reduce((sum, r) => sum + (r.reservedConcurrency ?? 0), 0);
        if (ACCOUNT_CONCURRENCY - reservedElsewhere - n < MIN_UNRESERVED) {
          throw new InvalidParameterValueException(
            `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
          );
        }
        const out = await deps.store.update(k, (cur) => ({ record: { ...cur, reservedConcurrency: n }, result: n }));
        if (!out) throw fnNotFound(functionArn(k));
        return json(200, { ReservedConcurrentExecutions: n });
      },
    },
    {
      method: 'GET',
      path: '/2019-09-30/functions/{FunctionName}/concurrency',
      handler: async (req, p) => {
        const rec = await getRecord(deps, ref(p.FunctionName!, req.caller));
        return json(200, rec.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: rec.reservedConcurrency });
      },
    },
    {
      method: 'DELETE',
      path: '/2017-10-31/functions/{FunctionName}/concurrency',
      handler: async (req, p) => {
        const k = ref(p.FunctionName!, req.caller);
        await getRecord(deps, k);
        await deps.store.update(k, (cur) => {
          const { reservedConcurrency: _dropped, ...rest } = cur;
          return { record: rest, result: undefined };
        });
        return empty(204);
      },
    },
  ];
}
