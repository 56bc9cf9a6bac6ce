/**
 * ListFunctions: each function's $LATEST in name order, and with FunctionVersion=ALL its published
 * versions after it, $LATEST then qualified (LSS test_lambda_api TestLambdaFunction::test_list_functions,
 * Nov 2025). A page may end inside a function's versions: the marker names the last entry shown.
 */
import type { FunctionConfig, FunctionRecord } from '../../lambda/model.js';
import { ValidationException } from '../errors.js';
import { json } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { pageSize } from './operation.js';
import { listedConfiguration } from './shapes.js';

interface Entry {
  rec: FunctionRecord;
  version: string;
  config: FunctionConfig;
}

// $LATEST comes first, then versions by number.
const rank = (version: string) => (version === '$LATEST' ? 0 : Number(version));

function entriesOf(rec: FunctionRecord, allVersions: boolean): Entry[] {
  const latest: Entry = { rec, version: '$LATEST', config: rec.latest };
  if (!allVersions) return [latest];
  const versions = Object.values(rec.versions).map((v) => ({ rec, version: v.version, config: v }));
  return [latest, ...versions.sort((a, b) => rank(a.version) - rank(b.version))];
}

const markerOf = (e: Entry) => Buffer.from(`${e.rec.name}:${e.version}`).toString('base64url');

function parseMarker(marker: string): { name: string; version: string } {
  const [name = '', version = '$LATEST'] = Buffer.from(marker, 'base64url').toString('utf8').split(':');
  return { name, version };
}

export async function listFunctions(deps: LambdaApiDeps, req: AwsRequest): Promise<AwsResponse> {
  const { accountId, region } = req.caller;
  const max = pageSize(req, 10000);
  const fv = req.query.get('FunctionVersion');
  if (fv !== null && fv !== 'ALL') {
    throw ValidationException.constraint(fv, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
  }
  const all = fv === 'ALL';
  const marker = req.query.get('Marker');
  const from = marker ? parseMarker(marker) : undefined;
  // The rest of the function the last page ended in, then whole functions: max + 1 of them give
  // at least max + 1 entries, enough to tell whether another page follows.
  const resumed = from && (await deps.store.get({ accountId, region, name: from.name }));
  const rest = resumed ? entriesOf(resumed, all).filter((e) => rank(e.version) > rank(from.version)) : [];
  const next = await deps.store.list(accountId, region, from?.name, max + 1);
  const entries = [...rest, ...next.flatMap((r) => entriesOf(r, all))];
  const page = entries.slice(0, max);
  return json(200, {
    Functions: page.map((e) => listedConfiguration(e.rec, e.config, e.version, all)),
    ...(entries.length > max ? { NextMarker: markerOf(page.at(-1)!) } : {}),
  });
}
