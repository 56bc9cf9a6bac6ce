/**
 * Additions beyond AWS, under `/_pglambda/`: the deployment package GetFunction's presigned
 * Code.Location points at, and a function's recent invocations from its log group, which
 * `pglambda logs` prints.
 */
import { readFile } from 'node:fs/promises';
import { lambdaLogGroup } from '../../logs/model.js';
import { AwsError, ValidationException } from '../errors.js';
import { json, type Route } from '../protocols/rest-json.js';
import type { LambdaApiDeps } from './deps.js';
import { getRecord } from './operation.js';
import { parseFunctionRef } from './identifiers.js';

export function pglambdaRoutes(deps: LambdaApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/_pglambda/code/{File}',
      handler: async (req, p) => {
        const codeId = /^([0-9a-f]{64})\.zip$/.exec(p.File!)?.[1];
        if (codeId === undefined) throw new AwsError('AccessDenied', 'Access Denied', 403);
        const refusal = deps.codeUrls.refusal(codeId, req.query);
        if (refusal) throw new AwsError('AccessDenied', refusal, 403);
        const zip = await readFile(deps.code.zipPath(codeId)).catch(() => null);
        if (!zip) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
        return { status: 200, headers: { 'content-type': 'application/zip' }, body: zip };
      },
    },
    {
      method: 'GET',
      path: '/_pglambda/logs/{FunctionName}',
      handler: async (req, p) => {
        const ref = parseFunctionRef(p.FunctionName!, req.caller, { allowQualifier: false });
        await getRecord(deps, ref);
        const raw = req.query.get('limit') ?? '20';
        // As Lambda's own MaxItems: a whole number in range, else a ValidationException (never a database error).
        if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
          throw ValidationException.constraint(raw, 'limit', 'Member must be a whole number from 1 to 1000');
        }
        const limit = Number(raw);
        const logs = await deps.logs.recent({ accountId: ref.accountId, region: ref.region, group: lambdaLogGroup(ref.name) }, limit);
        return json(200, { Invocations: logs.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })) });
      },
    },
  ];
}
