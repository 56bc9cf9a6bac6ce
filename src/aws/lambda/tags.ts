/** TagResource, UntagResource and ListTags: what infrastructure tools call. */
import { z } from 'zod';
import { functionArn } from '../../lambda/model.js';
import { ValidationException } from '../errors.js';
import { empty, json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse, CallerContext } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException, ResourceNotFoundException } from './errors.js';
import { parseFunctionRef, type FunctionRef } from './identifiers.js';
import { body, getRecord } from './operation.js';
import { violations } from './constraints.js';
import { parseInput } from './validate.js';

const TagInput = z.object({ Tags: z.record(z.string(), z.string()) });

/**
 * The resource constraint as AWS words its ValidationException (LSS test_lambda_api
 * TestLambdaTags::test_tag_exceptions and TestLambdaTag::test_tag_exceptions[*], Nov 2025); the
 * model's pattern differs.
 */
const TAGGABLE_RESOURCE = {
  member: 'resource',
  pattern: String.raw`arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)`,
  min: 1,
  max: 256,
};

/**
 * pglambda has functions only, so any other taggable resource is missing: in AWS's words where
 * recorded (same snapshots), else Lambda's generic not-found text.
 */
const OTHER_RESOURCE_NOT_FOUND: Record<string, string> = {
  'event-source-mapping': 'Event source mapping not found',
  'capacity-provider': 'Capacity provider not found',
};

/** The function a taggable resource ARN names; any other resource is missing, as is a version or alias. */
function functionOf(arn: string, caller: CallerContext): FunctionRef {
  const invalid = violations(arn, TAGGABLE_RESOURCE);
  if (invalid.length) throw new ValidationException(invalid);
  const type = arn.split(':')[5]!;
  if (type !== 'function') {
    const text = OTHER_RESOURCE_NOT_FOUND[type];
    throw new ResourceNotFoundException(text ? `${text}: ${arn}` : 'The resource you requested does not exist.');
  }
  const k = parseFunctionRef(arn, caller);
  if (k.qualifier !== undefined) {
    throw new InvalidParameterValueException('Tags on function aliases and versions are not supported. Please specify a function ARN.');
  }
  return k;
}

export async function tagResource(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const k = functionOf(p.Resource!, req.caller);
  const { Tags } = parseInput(TagInput, body(req));
  // Observed on AWS for an empty tag map (LSS, Nov 2025).
  if (Object.keys(Tags).length === 0) throw new InvalidParameterValueException('An error occurred and the request cannot be processed.');
  const out = await deps.store.update(k, (cur) => ({ record: { ...cur, tags: { ...cur.tags, ...Tags } }, result: undefined }));
  if (!out) throw fnNotFound(functionArn(k));
  return empty(204);
}

export async function untagResource(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const k = functionOf(p.Resource!, req.caller);
  const keys = req.query.getAll('tagKeys');
  if (keys.length === 0) throw new ValidationException(["Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"]);
  const out = await deps.store.update(k, (cur) => {
    const tags = { ...cur.tags };
    for (const key of keys) delete tags[key];
    return { record: { ...cur, tags }, result: undefined };
  });
  if (!out) throw fnNotFound(functionArn(k));
  return empty(204);
}

export async function listTags(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const rec = await getRecord(deps, functionOf(p.Resource!, req.caller));
  return json(200, { Tags: rec.tags });
}
