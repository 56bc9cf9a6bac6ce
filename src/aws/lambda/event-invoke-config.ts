/** Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s): retries, event age, destinations. */
import { z } from 'zod';
import { functionArn, type EventInvokeConfig, type FunctionRecord } from '../../lambda/model.js';
import { ValidationException, violation } from '../errors.js';
import { empty, json, type Route } from '../protocols/rest-json.js';
import type { AwsRequest } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { InvalidParameterValueException, ResourceNotFoundException } from './errors.js';
import { body } from './functions.js';
import { parseFunctionRef } from './identifiers.js';
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
  if (r !== undefined && (r < 0 || r > 2)) v.push(violation(r, 'maximumRetryAttempts', `Member must have value ${r < 0 ? 'greater than or equal to 0' : 'less than or equal to 2'}`));
  const a = input.MaximumEventAgeInSeconds;
  if (a !== undefined && (a < 60 || a > 21600)) v.push(violation(a, 'maximumEventAgeInSeconds', `Member must have value ${a < 60 ? 'greater than or equal to 60' : 'less than or equal to 21600'}`));
  if (v.length) throw new ValidationException(v);
  for (const d of [input.DestinationConfig?.OnSuccess?.Destination, input.DestinationConfig?.OnFailure?.Destination]) {
    if (d !== undefined && !LAMBDA_ARN.test(d)) {
      throw new InvalidParameterValueException(`The destination ARN ${d} is invalid. pglambda delivers destinations to Lambda functions only.`);
    }
  }
}

/** Resolves the function and qualifier these operations address; AWS's not-found text differs here. */
async function target(deps: LambdaApiDeps, req: AwsRequest, name: string): Promise<{ rec: FunctionRecord; qualifier: string }> {
  const ref = parseFunctionRef(name, req.caller, { qualifier: req.query.get('Qualifier') });
  const rec = await deps.store.get(ref);
  if (!rec) throw new ResourceNotFoundException("The function doesn't exist.");
  const qualifier = ref.qualifier ?? '$LATEST';
  if (qualifier !== '$LATEST' && !rec.versions[qualifier] && !rec.aliases[qualifier]) {
    throw new ResourceNotFoundException(`The function ${functionArn(rec, qualifier)} doesn't exist.`);
  }
  return { rec, qualifier };
}

function put(deps: LambdaApiDeps, merge: boolean): Route['handler'] {
  return async (req, p) => {
    const input = parseInput(Input, body(req));
    check(input);
    const { rec, qualifier } = await target(deps, req, p.FunctionName!);
    const out = await deps.store.update(rec, (cur) => {
      const prev = merge ? cur.eventInvokeConfigs[qualifier] : undefined;
      if (merge && !prev) throw new ResourceNotFoundException(`The function ${functionArn(cur, qualifier)} doesn't have an EventInvokeConfig`);
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
  };
}

export function eventInvokeConfigRoutes(deps: LambdaApiDeps): Route[] {
  const path = '/2019-09-25/functions/{FunctionName}/event-invoke-config';
  return [
    { method: 'PUT', path, handler: put(deps, false) },
    { method: 'POST', path, handler: put(deps, true) },
    {
      method: 'GET',
      path,
      handler: async (req, p) => {
        const { rec, qualifier } = await target(deps, req, p.FunctionName!);
        const config = rec.eventInvokeConfigs[qualifier];
        if (!config) throw new ResourceNotFoundException(`The function ${functionArn(rec, qualifier)} doesn't have an EventInvokeConfig`);
        return json(200, eventInvokeConfiguration(rec, qualifier, config));
      },
    },
    {
      method: 'DELETE',
      path,
      handler: async (req, p) => {
        const { rec, qualifier } = await target(deps, req, p.FunctionName!);
        await deps.store.update(rec, (cur) => {
          const eventInvokeConfigs = { ...cur.eventInvokeConfigs };
          delete eventInvokeConfigs[qualifier];
          return { record: { ...cur, eventInvokeConfigs }, result: undefined };
        });
        return empty(204);
      },
    },
    {
      method: 'GET',
      path: `${path}/list`,
      handler: async (req, p) => {
        const { rec } = await target(deps, req, p.FunctionName!);
        return json(200, {
          FunctionEventInvokeConfigs: Object.entries(rec.eventInvokeConfigs).map(([q, c]) => eventInvokeConfiguration(rec, q, c)),
        });
      },
    },
  ];
}
