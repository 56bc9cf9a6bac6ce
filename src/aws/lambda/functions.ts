/** CreateFunction, GetFunction(Configuration), Update*, DeleteFunction. */
import { randomUUID } from 'node:crypto';
import { CodePackageError } from '../../lambda/code/package.js';
import { ROLE_NOT_ASSUMABLE } from '../../lambda/errors.js';
import { beginTransition, currentRevision } from '../../lambda/lifecycle.js';
import { functionArn, lambdaTimestamp, type FunctionConfig, type FunctionRecord } from '../../lambda/model.js';
import { publish } from '../../lambda/publish.js';
import { versionOf } from '../../lambda/resolve.js';
import { empty, json, type RouteParams } from '../protocols/rest-json.js';
import type { AwsRequest, AwsResponse } from '../request.js';
import type { LambdaApiDeps } from './deps.js';
import { fnNotFound, InvalidParameterValueException, RequestEntityTooLargeException, ResourceConflictException } from './errors.js';
import { parseFunctionRef, type FunctionRef } from './identifiers.js';
import { body, checkRevision, getRecord } from './operation.js';
import { functionConfiguration } from './shapes.js';
import { checkCodeSource, checkConfig, CreateFunctionInput, parseInput, UpdateCodeInput, UpdateConfigInput } from './validate.js';

const ZIP_LIMIT = 52_428_800;

export async function createFunction(deps: LambdaApiDeps, req: AwsRequest): Promise<AwsResponse> {
  const input = parseInput(CreateFunctionInput, body(req));
  checkConfig({ ...input });
  if (!input.Role) throw new InvalidParameterValueException(ROLE_NOT_ASSUMABLE);
  if (!input.Runtime) throw new InvalidParameterValueException('Runtime must be specified for Zip package type.');
  if (!input.Handler) throw new InvalidParameterValueException('Handler must be specified for Zip package type.');
  const zip = checkCodeSource(input.Code, input.PackageType);
  const ref = parseFunctionRef(input.FunctionName, req.caller, { kind: 'function', allowQualifier: false });
  await checkExecutionRole(deps, ref, input.Role);
  const code = await storeCode(deps, zip);
  const latest: FunctionConfig = {
    runtime: input.Runtime,
    handler: input.Handler,
    role: input.Role,
    timeout: input.Timeout ?? 3,
    memorySize: input.MemorySize ?? 128,
    environment: input.Environment?.Variables,
    description: input.Description ?? '',
    architectures: input.Architectures ?? ['x86_64'],
    ephemeralStorage: input.EphemeralStorage?.Size ?? 512,
    ...code,
    lastModified: lambdaTimestamp(),
    revisionId: randomUUID(),
    transition: beginTransition('create'),
  };
  const rec: FunctionRecord = {
    accountId: ref.accountId,
    region: ref.region,
    name: ref.name,
    latest,
    versions: {},
    lastPublished: 0,
    aliases: {},
    eventInvokeConfigs: {},
    tags: input.Tags ?? {},
  };
  if (!(await deps.store.create(rec))) throw new ResourceConflictException(`Function already exist: ${ref.name}`);
  if (input.Publish) {
    const out = await deps.store.update(ref, (cur) => publish(cur, undefined));
    const v = out!.result;
    return json(201, { ...functionConfiguration(ref, latest, '$LATEST', false), Version: v.version });
  }
  return json(201, functionConfiguration(ref, latest, '$LATEST', false));
}

/** What GetFunction and GetFunctionConfiguration read; a missing function is named with the qualifier asked for, as AWS names it. */
async function readQualified(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams) {
  const ref = parseFunctionRef(p.FunctionName!, req.caller, { qualifier: req.query.get('Qualifier') });
  const rec = await getRecord(deps, ref, functionArn(ref, ref.qualifier));
  return { ref, rec, v: resolveStored(rec, ref) };
}

export async function getFunction(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const { ref, rec, v } = await readQualified(deps, req, p);
  const config =
    v.version === '$LATEST' && !ref.qualifier
      ? functionConfiguration(rec, v.config, '$LATEST', false)
      : functionConfiguration(rec, v.config, v.version, true);
  return json(200, {
    Configuration: config,
    Code: { RepositoryType: 'S3', Location: `${endpointOf(req)}${deps.codeUrls.presign(v.config.codeId)}` },
    ...(Object.keys(rec.tags).length ? { Tags: rec.tags } : {}),
    ...(rec.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: rec.reservedConcurrency } } : {}),
  });
}

export async function getFunctionConfiguration(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const { ref, rec, v } = await readQualified(deps, req, p);
  return json(200, functionConfiguration(rec, v.config, v.version, Boolean(ref.qualifier)));
}

export async function updateFunctionConfiguration(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = parseFunctionRef(p.FunctionName!, req.caller, { kind: 'function', allowQualifier: false });
  const input = parseInput(UpdateConfigInput, body(req));
  checkConfig(input);
  await getRecord(deps, ref);
  if (input.Role !== undefined) await checkExecutionRole(deps, ref, input.Role);
  const out = await deps.store.update(ref, (cur) => {
    checkRevision(input.RevisionId, currentRevision(cur.latest));
    const l = cur.latest;
    const latest: FunctionConfig = {
      ...l,
      runtime: input.Runtime ?? l.runtime,
      handler: input.Handler ?? l.handler,
      role: input.Role ?? l.role,
      timeout: input.Timeout ?? l.timeout,
      memorySize: input.MemorySize ?? l.memorySize,
      description: input.Description ?? l.description,
      environment: input.Environment ? (input.Environment.Variables ?? {}) : l.environment,
      ephemeralStorage: input.EphemeralStorage?.Size ?? l.ephemeralStorage,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      transition: beginTransition('update'),
    };
    return { record: { ...cur, latest }, result: latest };
  });
  if (!out) throw fnNotFound(functionArn(ref));
  return json(200, functionConfiguration(ref, out.result, '$LATEST', false));
}

export async function updateFunctionCode(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = parseFunctionRef(p.FunctionName!, req.caller, { kind: 'function', allowQualifier: false });
  const input = parseInput(UpdateCodeInput, body(req));
  if (input.Architectures) checkConfig({ Architectures: input.Architectures });
  const zip = checkCodeSource(input);
  await getRecord(deps, ref);
  const code = await storeCode(deps, zip);
  const out = await deps.store.update(ref, (cur) => {
    checkRevision(input.RevisionId, currentRevision(cur.latest));
    const latest: FunctionConfig = {
      ...cur.latest,
      ...code,
      architectures: input.Architectures ?? cur.latest.architectures,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      transition: beginTransition('update'),
    };
    let record: FunctionRecord = { ...cur, latest };
    let version = '$LATEST';
    if (input.Publish) {
      const published = publish(record, undefined);
      record = published.record;
      version = published.result.version;
    }
    return { record, result: { latest: record.latest, version } };
  });
  if (!out) throw fnNotFound(functionArn(ref));
  return json(200, { ...functionConfiguration(ref, out.result.latest, '$LATEST', false), Version: out.result.version });
}

/** The whole function, or one version (Qualifier); aliases cannot be deleted this way. */
export async function deleteFunction(deps: LambdaApiDeps, req: AwsRequest, p: RouteParams): Promise<AwsResponse> {
  const ref = parseFunctionRef(p.FunctionName!, req.caller, { qualifier: req.query.get('Qualifier') });
  await getRecord(deps, ref);
  const q = ref.qualifier;
  if (q === '$LATEST') throw new InvalidParameterValueException('$LATEST version cannot be deleted without deleting the function.');
  if (q !== undefined && !/^[0-9]+$/.test(q)) throw new InvalidParameterValueException('Deletion of aliases is not currently supported.');
  const out = await deps.store.update(ref, (cur) => ({ record: q === undefined ? null : withoutVersion(cur, q), result: undefined }));
  if (!out) throw fnNotFound(functionArn(ref));
  await deps.policies.forget(ref, q);
  return empty(204);
}

/**
 * The function without one version, which no alias may route to. A version that does not exist is
 * already gone: AWS answers success (LSS test_lambda_api
 * TestLambdaFunction::test_delete_on_nonexisting_version, Nov 2025).
 */
function withoutVersion(cur: FunctionRecord, version: string): FunctionRecord {
  if (!cur.versions[version]) return cur;
  const refs = Object.values(cur.aliases)
    .filter((a) => a.functionVersion === version || (a.additionalVersionWeights && version in a.additionalVersionWeights))
    .map((a) => a.name);
  if (refs.length) {
    throw new ResourceConflictException(`Unable to delete version because the following aliases reference it: [${refs.join(', ')}]`);
  }
  const versions = { ...cur.versions };
  delete versions[version];
  const eventInvokeConfigs = { ...cur.eventInvokeConfigs };
  delete eventInvokeConfigs[version];
  return { ...cur, versions, eventInvokeConfigs };
}

async function storeCode(deps: LambdaApiDeps, zipBase64: string) {
  const zip = Buffer.from(zipBase64, 'base64');
  if (zip.length > ZIP_LIMIT) throw new RequestEntityTooLargeException(`Zipped size must be smaller than ${ZIP_LIMIT} bytes`);
  try {
    return await deps.code.save(zip);
  } catch (e) {
    if (e instanceof CodePackageError) {
      throw e.status === 413 ? new RequestEntityTooLargeException(e.message) : new InvalidParameterValueException(e.message);
    }
    throw e;
  }
}

/**
 * Lambda refuses an execution role it could not assume: one that does not exist, or whose trust
 * policy does not let lambda.amazonaws.com assume it for this function. Without IAM enforcement
 * any well-formed ARN is taken.
 */
async function checkExecutionRole(deps: LambdaApiDeps, ref: FunctionRef, roleArn: string): Promise<void> {
  if (!deps.enforceIam) return;
  const source = { 'aws:SourceArn': functionArn(ref), 'aws:SourceAccount': ref.accountId };
  const trusted = await deps.sts.assumer.serviceMayAssume(roleArn, 'lambda.amazonaws.com', ref.name, source);
  if (!trusted) throw new InvalidParameterValueException(ROLE_NOT_ASSUMABLE);
}

/** GetFunction* accept versions and aliases; an alias reports the version it points at. */
function resolveStored(rec: FunctionRecord, ref: FunctionRef) {
  const q = ref.qualifier;
  const target = q === undefined ? '$LATEST' : (rec.aliases[q]?.functionVersion ?? q);
  const v = versionOf(rec, target);
  if (!v) throw fnNotFound(functionArn(rec, q));
  return v;
}

function endpointOf(req: AwsRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}
