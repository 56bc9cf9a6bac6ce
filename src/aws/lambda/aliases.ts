/** CreateAlias, GetAlias, UpdateAlias, ListAliases, DeleteAlias with weighted routing (lambda-wire §9.4). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { functionArn, type Alias, type FunctionRecord } from '../../lambda/model.js';
import { ValidationException, violation } from '../errors.js';
import { empty, json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from './errors.js';
import { parseFunctionRef, type FunctionRef } from './identifiers.js';
import { body, checkRevision, getRecord, indexPage } from './operation.js';
import { aliasConfiguration } from './shapes.js';
import { parseInput } from './validate.js';

const ALIAS_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const Routing = z.object({ AdditionalVersionWeights: z.record(z.string(), z.number()).optional() }).optional();
const CreateInput = z.object({ Name: z.string(), FunctionVersion: z.string(), Description: z.string().optional(), RoutingConfig: Routing });
const UpdateInput = z.object({
  FunctionVersion: z.string().optional(),
  Description: z.string().optional(),
  RoutingConfig: Routing,
  RevisionId: z.string().optional(),
});

function checkAliasName(name: string): void {
  if (name.length < 1 || name.length > 128 || /^[0-9]+$/.test(name) || !/^[a-zA-Z0-9-_]+$/.test(name)) {
    throw ValidationException.constraint(name, 'name', `Member must satisfy regular expression pattern: ${ALIAS_PATTERN}`);
  }
}

/** Checks a routing configuration against the function's versions, in AWS's order and words. */
function checkRouting(rec: FunctionRecord, primary: string, weights: Record<string, number> | undefined): void {
  if (primary !== '$LATEST' && !rec.versions[primary]) throw fnNotFound(functionArn(rec, primary));
  if (!weights || Object.keys(weights).length === 0) return;
  const entries = Object.entries(weights);
  // Java's Double.toString: 2 → 2.0, 0.25 → 0.25.
  const shown = `{${entries.map(([k, v]) => `${k}=${Number.isInteger(v) ? v.toFixed(1) : String(v)}`).join(', ')}}`;
  if (entries.some(([k]) => !/^[0-9]+$/.test(k))) {
    throw ValidationException.constraint(
      shown,
      'routingConfig.additionalVersionWeights',
      'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]',
    );
  }
  if (entries.some(([, w]) => w < 0 || w > 1)) {
    throw new ValidationException([
      violation(
        shown,
        'routingConfig.additionalVersionWeights',
        'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]',
      ),
    ]);
  }
  if (entries.length > 1) throw new InvalidParameterValueException('Number of items in AdditionalVersionWeights cannot be greater than 1');
  if (primary === '$LATEST')
    throw new InvalidParameterValueException('$LATEST is not supported for an alias pointing to more than 1 version');
  for (const [v] of entries) {
    if (v === primary) {
      throw new InvalidParameterValueException(
        `Invalid function version ${v}. Function version ${v} is already included in routing configuration.`,
      );
    }
    if (!rec.versions[v]) throw fnNotFound(functionArn(rec, v));
  }
}

/** The function with the alias set (created or replaced) under a new RevisionId; an empty weight map is none. */
function withAlias(
  cur: FunctionRecord,
  name: string,
  functionVersion: string,
  description: string,
  weights: Record<string, number> | undefined,
): { record: FunctionRecord; result: Alias } {
  const alias: Alias = {
    name,
    functionVersion,
    description,
    ...(weights && Object.keys(weights).length ? { additionalVersionWeights: weights } : {}),
    revisionId: randomUUID(),
  };
  return { record: { ...cur, aliases: { ...cur.aliases, [name]: alias } }, result: alias };
}

const functionOf = (req: AwsRequest, p: RouteParams): FunctionRef =>
  parseFunctionRef(p.FunctionName!, req.caller, { kind: 'function', allowQualifier: false });

export async function createAlias(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = functionOf(req, p);
  const input = parseInput(CreateInput, body(req));
  checkAliasName(input.Name);
  await getRecord(deps, ref);
  const out = await deps.store.update(ref, (cur) => {
    if (cur.aliases[input.Name]) throw new ResourceConflictException(`Alias already exists: ${functionArn(cur, input.Name)}`);
    const weights = input.RoutingConfig?.AdditionalVersionWeights;
    checkRouting(cur, input.FunctionVersion, weights);
    return withAlias(cur, input.Name, input.FunctionVersion, input.Description ?? '', weights);
  });
  if (!out) throw fnNotFound(functionArn(ref));
  return json(201, aliasConfiguration(ref, out.result));
}

export async function listAliases(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const rec = await getRecord(deps, functionOf(req, p));
  const version = req.query.get('FunctionVersion');
  const aliases = Object.values(rec.aliases)
    .filter((a) => !version || a.functionVersion === version)
    .sort((a, b) => a.name.localeCompare(b.name));
  const [page, next] = indexPage(aliases, req, 10000);
  return json(200, { Aliases: page.map((a) => aliasConfiguration(rec, a)), ...next });
}

export async function getAlias(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const rec = await getRecord(deps, functionOf(req, p));
  const alias = rec.aliases[p.Name!];
  if (!alias) throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(rec, p.Name)}`);
  return json(200, aliasConfiguration(rec, alias));
}

export async function updateAlias(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = functionOf(req, p);
  const input = parseInput(UpdateInput, body(req));
  await getRecord(deps, ref);
  const out = await deps.store.update(ref, (cur) => {
    const existing = cur.aliases[p.Name!];
    if (!existing) throw new ResourceNotFoundException(`Alias not found: ${functionArn(cur, p.Name)}`);
    checkRevision(input.RevisionId, existing.revisionId);
    const functionVersion = input.FunctionVersion ?? existing.functionVersion;
    const weights = input.RoutingConfig ? input.RoutingConfig.AdditionalVersionWeights : existing.additionalVersionWeights;
    checkRouting(cur, functionVersion, weights);
    return withAlias(cur, existing.name, functionVersion, input.Description ?? existing.description, weights);
  });
  if (!out) throw fnNotFound(functionArn(ref));
  return json(200, aliasConfiguration(ref, out.result));
}

export async function deleteAlias(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = functionOf(req, p);
  await getRecord(deps, ref);
  const out = await deps.store.update(ref, (cur) => {
    if (!cur.aliases[p.Name!]) return { record: cur, result: false };
    const aliases = { ...cur.aliases };
    delete aliases[p.Name!];
    const eventInvokeConfigs = { ...cur.eventInvokeConfigs };
    delete eventInvokeConfigs[p.Name!];
    return { record: { ...cur, aliases, eventInvokeConfigs }, result: true };
  });
  // Only an alias that was there: the name could be a version's, whose policy stays.
  if (out?.result) await deps.policies.forget(ref, p.Name!);
  return empty(204);
}
