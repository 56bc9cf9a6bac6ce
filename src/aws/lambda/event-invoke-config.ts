/** Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s): retries, event age, destinations. */
import { z } from 'zod';
import { functionArn, type EventInvokeConfig, type FunctionKey, type FunctionRecord } from '../../lambda/model.js';
import { ValidationException, violation } from '../errors.js';
import { empty, json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { InvalidParameterValueException, ResourceNotFoundException } from './errors.js';
import { parseFunctionRef } from './identifiers.js';
import { body, indexPage } from './operation.js';
import { eventInvokeConfiguration } from './shapes.js';
import { parseInput } from './validate.js';

const Destination = z.object({ Destination: z.string().optional() }).optional();
const Input = z.object({
  MaximumRetryAttempts: z.number().int().optional(),
  MaximumEventAgeInSeconds: z.number().int().optional(),
  DestinationConfig: z.object({ OnSuccess: Destination, OnFailure: Destination }).optional(),
});
type Input = z.infer<typeof Input>;

const LAMBDA_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+(:[a-zA-Z0-9-_$]+)?$/;

function check(input: Input): void {
  const v: string[] = [];
  const r = input.MaximumRetryAttempts;
  if (r !== undefined && (r < 0 || r > 2))
    v.push(
      violation(r, 'maximumRetryAttempts', `Member must have value ${r < 0 ? 'greater than or equal to 0' : 'less than or equal to 2'}`),
    );
  const a = input.MaximumEventAgeInSeconds;
  if (a !== undefined && (a < 60 || a > 21600))
    v.push(
      violation(
        a,
        'maximumEventAgeInSeconds',
        `Member must have value ${a < 60 ? 'greater than or equal to 60' : 'less than or equal to 21600'}`,
      ),
    );
  if (v.length) throw new ValidationException(v);
  for (const d of [input.DestinationConfig?.OnSuccess?.Destination, input.DestinationConfig?.OnFailure?.Destination]) {
    if (d !== undefined && !LAMBDA_ARN.test(d)) {
      throw new InvalidParameterValueException(
        `The destination ARN ${d} is invalid. pglambda delivers destinations to Lambda functions only.`,
      );
    }
  }
}

const noConfig = (k: FunctionKey, qualifier: string) =>
  new ResourceNotFoundException(`The function ${functionArn(k, qualifier)} doesn't have an EventInvokeConfig`);

/**
 * Resolves the function and qualifier these operations address. AWS's not-found text differs by
 * operation (LSS, Nov 2025): Put/Update/List say the function doesn't exist, Get/Delete that it
 * has no EventInvokeConfig.
 */
async function target(
  deps: LambdaApiDeps,
  req: AwsRequest,
  name: string,
  missing: 'function' | 'config' = 'function',
): Promise<{ rec: FunctionRecord; qualifier: string }> {
  const ref = parseFunctionRef(name, req.caller, { qualifier: req.query.get('Qualifier') });
  const rec = await deps.store.get(ref);
  const qualifier = ref.qualifier ?? '$LATEST';
  if (!rec || (qualifier !== '$LATEST' && !rec.versions[qualifier] && !rec.aliases[qualifier])) {
    throw missing === 'config' ? noConfig(ref, qualifier) : new ResourceNotFoundException("The function doesn't exist.");
  }
  return { rec, qualifier };
}

/** Destinations must be other functions that exist, where pglambda can tell (same account and region). */
async function checkDestinations(deps: LambdaApiDeps, rec: FunctionRecord, input: Input): Promise<void> {
  for (const d of [input.DestinationConfig?.OnSuccess?.Destination, input.DestinationConfig?.OnFailure?.Destination]) {
    const m = d === undefined ? null : /^arn:[^:]+:lambda:([^:]+):(\d{12}):function:([^:]+)/.exec(d);
    if (!m || m[1] !== rec.region || m[2] !== rec.accountId) continue;
    if (m[3] === rec.name) throw new InvalidParameterValueException("You can't specify the function as a destination for itself.");
    if (!(await deps.store.get({ accountId: rec.accountId, region: rec.region, name: m[3]! }))) {
      throw new InvalidParameterValueException(`The destination ARN ${d} is invalid.`);
    }
  }
}

export async function putFunctionEventInvokeConfig(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  return storeConfig(deps, req, p, false);
}

export async function updateFunctionEventInvokeConfig(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  return storeConfig(deps, req, p, true);
}

/** Put replaces the whole configuration; Update (`merge`) changes the members given in one that exists. */
async function storeConfig(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams, merge: boolean): Promise<AwsResponse> {
  const input = parseInput(Input, body(req));
  if (!merge && input.MaximumRetryAttempts === undefined && input.MaximumEventAgeInSeconds === undefined && !input.DestinationConfig) {
    throw new InvalidParameterValueException('You must specify at least one of error handling or destination setting.');
  }
  check(input);
  const { rec, qualifier } = await target(deps, req, p.FunctionName!);
  await checkDestinations(deps, rec, input);
  const out = await deps.store.update(rec, (cur) => {
    const prev = merge ? cur.eventInvokeConfigs[qualifier] : undefined;
    if (merge && !prev) throw noConfig(cur, qualifier);
    const config: EventInvokeConfig = {
      maximumRetryAttempts: input.MaximumRetryAttempts ?? prev?.maximumRetryAttempts,
      maximumEventAgeInSeconds: input.MaximumEventAgeInSeconds ?? prev?.maximumEventAgeInSeconds,
      destinationConfig: {
        onSuccess: input.DestinationConfig?.OnSuccess ? input.DestinationConfig.OnSuccess.Destination : prev?.destinationConfig.onSuccess,
        onFailure: input.DestinationConfig?.OnFailure ? input.DestinationConfig.OnFailure.Destination : prev?.destinationConfig.onFailure,
      },
      lastModified: Date.now() / 1000,
    };
    return { record: { ...cur, eventInvokeConfigs: { ...cur.eventInvokeConfigs, [qualifier]: config } }, result: config };
  });
  return json(200, eventInvokeConfiguration(rec, qualifier, out!.result));
}

export async function getFunctionEventInvokeConfig(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const { rec, qualifier } = await target(deps, req, p.FunctionName!, 'config');
  const config = rec.eventInvokeConfigs[qualifier];
  if (!config) throw noConfig(rec, qualifier);
  return json(200, eventInvokeConfiguration(rec, qualifier, config));
}

export async function deleteFunctionEventInvokeConfig(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const { rec, qualifier } = await target(deps, req, p.FunctionName!, 'config');
  if (!rec.eventInvokeConfigs[qualifier]) throw noConfig(rec, qualifier);
  await deps.store.update(rec, (cur) => {
    const eventInvokeConfigs = { ...cur.eventInvokeConfigs };
    delete eventInvokeConfigs[qualifier];
    return { record: { ...cur, eventInvokeConfigs }, result: undefined };
  });
  return empty(204);
}

export async function listFunctionEventInvokeConfigs(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const { rec } = await target(deps, req, p.FunctionName!);
  const all = Object.entries(rec.eventInvokeConfigs).map(([q, c]) => eventInvokeConfiguration(rec, q, c));
  const [FunctionEventInvokeConfigs, next] = indexPage(all, req, 50);
  return json(200, { FunctionEventInvokeConfigs, ...next });
}
