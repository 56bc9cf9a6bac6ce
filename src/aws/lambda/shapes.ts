/** Lambda's wire shapes (FunctionConfiguration, AliasConfiguration, …) built from stored records. */
import { currentRevision, ongoingTransition } from '../../lambda/lifecycle.js';
import {
  functionArn,
  runtimeVersionArn,
  type Alias,
  type EventInvokeConfig,
  type FunctionConfig,
  type FunctionKey,
  type Transition,
} from '../../lambda/model.js';

/**
 * A FunctionConfiguration as GetFunction, CreateFunction, Update* and PublishVersion answer it: with
 * the state of a transition under way, or Active / Successful (LSS test_lambda_api
 * TestLambdaRevisions::test_function_revisions_basic, Nov 2025).
 */
export function functionConfiguration(k: FunctionKey, c: FunctionConfig, version: string, qualifiedArn: boolean, now = Date.now()) {
  return {
    ...listedConfiguration(k, c, version, qualifiedArn, now),
    ...stateOf(ongoingTransition(c, now)),
    RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(k.region, c.runtime) },
  };
}

/**
 * A FunctionConfiguration as ListFunctions and ListVersionsByFunction show it: without the state
 * members or RuntimeVersionConfig (LSS test_lambda_api TestLambdaFunction::test_list_functions,
 * TestLambdaVersions::test_version_lifecycle, Nov 2025).
 */
export function listedConfiguration(k: FunctionKey, c: FunctionConfig, version: string, qualifiedArn: boolean, now = Date.now()) {
  return {
    FunctionName: k.name,
    FunctionArn: functionArn(k, qualifiedArn ? version : undefined),
    Runtime: c.runtime,
    Role: c.role,
    Handler: c.handler,
    CodeSize: c.codeSize,
    Description: c.description,
    Timeout: c.timeout,
    MemorySize: c.memorySize,
    LastModified: c.lastModified,
    CodeSha256: c.codeSha256,
    Version: version,
    ...(c.environment ? { Environment: { Variables: c.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: currentRevision(c, now),
    PackageType: 'Zip',
    Architectures: c.architectures,
    EphemeralStorage: { Size: c.ephemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${k.name}` },
  };
}

// AWS gives an update the same reason text as a create.
const CREATING = 'The function is being created.';

function stateOf(t: Transition | undefined) {
  if (t?.kind === 'create') return { State: 'Pending', StateReason: CREATING, StateReasonCode: 'Creating' };
  if (t?.kind === 'update') {
    return { State: 'Active', LastUpdateStatus: 'InProgress', LastUpdateStatusReason: CREATING, LastUpdateStatusReasonCode: 'Creating' };
  }
  return { State: 'Active', LastUpdateStatus: 'Successful' };
}

export function aliasConfiguration(k: FunctionKey, a: Alias) {
  return {
    AliasArn: functionArn(k, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
    ...(a.additionalVersionWeights ? { RoutingConfig: { AdditionalVersionWeights: a.additionalVersionWeights } } : {}),
  };
}

export function eventInvokeConfiguration(k: FunctionKey, qualifier: string, c: EventInvokeConfig) {
  const dest = (arn?: string) => (arn ? { Destination: arn } : {});
  return {
    LastModified: c.lastModified,
    FunctionArn: functionArn(k, qualifier),
    ...(c.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds } : {}),
    DestinationConfig: { OnSuccess: dest(c.destinationConfig.onSuccess), OnFailure: dest(c.destinationConfig.onFailure) },
  };
}
