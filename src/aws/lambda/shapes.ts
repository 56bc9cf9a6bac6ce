/** Lambda's wire shapes (FunctionConfiguration, AliasConfiguration, …) built from stored records. */
import { functionArn, runtimeVersionArn, type Alias, type EventInvokeConfig, type FunctionConfig, type FunctionKey } from '../../lambda/model.js';

export function functionConfiguration(k: FunctionKey, c: FunctionConfig, version: string, qualifiedArn: boolean) {
  return {
    ...listedConfiguration(k, c, version, qualifiedArn),
    // Functions are ready as soon as they are stored, so the SDK's waiters pass at once.
    State: 'Active',
    LastUpdateStatus: 'Successful',
    RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(k.region, c.runtime) },
  };
}

/**
 * A FunctionConfiguration as ListFunctions and ListVersionsByFunction show it: without the state
 * members or RuntimeVersionConfig (LSS test_lambda_api TestLambdaFunction::test_list_functions,
 * TestLambdaVersions::test_version_lifecycle, Nov 2025).
 */
export function listedConfiguration(k: FunctionKey, c: FunctionConfig, version: string, qualifiedArn: boolean) {
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
    RevisionId: c.revisionId,
    PackageType: 'Zip',
    Architectures: c.architectures,
    EphemeralStorage: { Size: c.ephemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${k.name}` },
  };
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
