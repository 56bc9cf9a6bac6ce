/**
 * Additions beyond AWS, under `/_pglambda/`: the deployment package GetFunction's Code.Location
 * points at, and the stored invocation logs `pglambda logs` prints.
 */
import { readFile } from 'node:fs/promises';
import { AwsError } from '../errors.js';
import { json, type Route } from '../protocols/rest-json.js';
import type { LambdaApiDeps } from './deps.js';
import { getRecord } from './functions.js';
import { parseFunctionRef } from './identifiers.js';

export function pglambdaRoutes(deps: LambdaApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/_pglambda/code/{File}',
      handler: async (_req, p) => {
        const m = /^([0-9a-f]{64})\.zip$/.exec(p.File!);
        const zip = m ? await readFile(deps.code.zipPath(m[1]!)).catch(() => null) : null;
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
        const limit = Math.min(Number(req.query.get('limit') ?? 20) || 20, 1000);
        const logs = await deps.logs.read(ref, limit);
        return json(200, { Invocations: logs.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })) });
      },
    },
  ];
}
