/**
 * Request validation for Lambda's configuration members, in AWS's words: model constraints as
 * ValidationException, semantic refusals as InvalidParameterValueException (lambda-wire §2, §10).
 * Input is checked once here; the domain trusts the typed result.
 */
import { z } from 'zod';
import { ValidationException, violation } from '../errors.js';
import { InvalidParameterValueException } from './errors.js';
import { FUNCTION_NAME_PATTERN } from './identifiers.js';
import { SUPPORTED_RUNTIMES } from './runtimes.js';

/**
 * The runtimes AWS lists when it refuses an unknown one, in its order (LSS test_lambda_api
 * TestLambdaFunction::test_create_lambda_exceptions, invalid_runtime_exc, Jan 2026).
 */
const AWS_RUNTIME_LIST = [
  'nodejs20.x',
  'python3.14',
  'provided.al2023',
  'python3.12',
  'python3.13',
  'nodejs24.x',
  'nodejs22.x',
  'java25',
  'python3.10',
  'python3.11',
  'java21',
  'ruby3.3',
  'ruby3.4',
  'ruby3.2',
  'python3.8',
  'python3.9',
  'java17',
  'nodejs16.x',
  'dotnet10',
  'dotnet8',
  'java11',
  'dotnet6',
  'nodejs18.x',
  'provided.al2',
  'java8.al2',
];

// Model enum members we do not run: refused by name instead of a generic enum violation.
const DEPRECATED_RUNTIMES =
  /^(nodejs(4\.3|6\.10|8\.10|10\.x|12\.x|14\.x|16\.x|18\.x)|nodejs|python2\.7|python3\.[6-9]|dotnetcore\d\.\d|dotnet6|ruby2\.\d|go1\.x|java8|provided)$/;
const OTHER_RUNTIMES = /^(java\d+(\.al2)?|dotnet\d+|ruby3\.\d|python3\.14|nodejs2[0-9]\.x)$/;

const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

const ROLE_PATTERN = String.raw`arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`;

/** Members shared by CreateFunction and UpdateFunctionConfiguration (all optional on update). */
const configMembers = {
  Runtime: z.string().optional(),
  Handler: z.string().optional(),
  Role: z.string().optional(),
  Timeout: z.number().int().optional(),
  MemorySize: z.number().int().optional(),
  Description: z.string().optional(),
  Environment: z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
  Layers: z.array(z.string()).optional(),
  EphemeralStorage: z.object({ Size: z.number().int() }).optional(),
  RevisionId: z.string().optional(),
};

export const CreateFunctionInput = z.object({
  FunctionName: z.string(),
  ...configMembers,
  Code: z.object({
    ZipFile: z.string().optional(),
    S3Bucket: z.string().optional(),
    S3Key: z.string().optional(),
    S3ObjectVersion: z.string().optional(),
    ImageUri: z.string().optional(),
  }),
  Publish: z.boolean().optional(),
  PackageType: z.string().optional(),
  Architectures: z.array(z.string()).optional(),
  Tags: z.record(z.string(), z.string()).optional(),
});
export type CreateFunctionInput = z.infer<typeof CreateFunctionInput>;

export const UpdateConfigInput = z.object(configMembers);
export type UpdateConfigInput = z.infer<typeof UpdateConfigInput>;

export const UpdateCodeInput = z.object({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  Architectures: z.array(z.string()).optional(),
  RevisionId: z.string().optional(),
});

/** Parses a JSON body against a schema; a wrong member type is AWS's SerializationException. */
export function parseInput<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InvalidParameterValueException(`Invalid value at '${issue.path.join('.')}': ${issue.message}`);
  }
  return r.data;
}

/** Validates the configuration members present; collects Coral violations like AWS. */
export function checkConfig(c: UpdateConfigInput & { FunctionName?: string; Architectures?: string[] }): void {
  const v: string[] = [];
  if (c.FunctionName !== undefined) {
    if (!new RegExp(`^${FUNCTION_NAME_PATTERN}$`).test(c.FunctionName)) {
      v.push(violation(c.FunctionName, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`));
    }
    if (c.FunctionName.length > 140) {
      v.push(violation(c.FunctionName, 'functionName', 'Member must have length less than or equal to 140'));
    }
  }
  if (c.Timeout !== undefined && (c.Timeout < 1 || c.Timeout > 900)) {
    v.push(
      violation(
        c.Timeout,
        'timeout',
        `Member must have value ${c.Timeout < 1 ? 'greater than or equal to 1' : 'less than or equal to 900'}`,
      ),
    );
  }
  if (c.MemorySize !== undefined && (c.MemorySize < 128 || c.MemorySize > 10240)) {
    v.push(
      violation(
        c.MemorySize,
        'memorySize',
        `Member must have value ${c.MemorySize < 128 ? 'greater than or equal to 128' : 'less than or equal to 10240'}`,
      ),
    );
  }
  if (c.Role !== undefined && !new RegExp(`^${ROLE_PATTERN}$`).test(c.Role)) {
    v.push(violation(c.Role, 'role', `Member must satisfy regular expression pattern: ${ROLE_PATTERN}`));
  }
  if (c.Handler !== undefined && (c.Handler.length > 128 || !/^[^\s]+$/.test(c.Handler))) {
    v.push(
      violation(
        c.Handler,
        'handler',
        c.Handler.length > 128
          ? 'Member must have length less than or equal to 128'
          : 'Member must satisfy regular expression pattern: [^\\s]+',
      ),
    );
  }
  if (c.Description !== undefined && c.Description.length > 256) {
    v.push(violation(c.Description, 'description', 'Member must have length less than or equal to 256'));
  }
  if (c.EphemeralStorage && (c.EphemeralStorage.Size < 512 || c.EphemeralStorage.Size > 10240)) {
    v.push(violation(c.EphemeralStorage.Size, 'ephemeralStorage.size', 'Member must have value between 512 and 10240'));
  }
  if (c.Architectures && (c.Architectures.length !== 1 || !['x86_64', 'arm64'].includes(c.Architectures[0]!))) {
    v.push(
      violation(
        `[${c.Architectures.join(', ')}]`,
        'architectures',
        'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]',
      ),
    );
  }
  if (v.length) throw new ValidationException(v);

  // Lambda's own checks after the model's: observed as InvalidParameterValueException (LSS, Nov 2025 / Jan 2026).
  if (c.FunctionName !== undefined && !c.FunctionName.includes(':') && c.FunctionName.length > 64) {
    throw new InvalidParameterValueException(
      `1 validation error detected: ${violation(c.FunctionName, 'functionName', 'Member must have length less than or equal to 64')}`,
    );
  }
  if (c.Runtime !== undefined && !isKnownRuntime(c.Runtime)) {
    throw new InvalidParameterValueException(
      `Value ${c.Runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${AWS_RUNTIME_LIST.join(', ')}] or be a valid ARN`,
    );
  }

  if (c.Runtime !== undefined && !(SUPPORTED_RUNTIMES as readonly string[]).includes(c.Runtime)) {
    if (DEPRECATED_RUNTIMES.test(c.Runtime)) {
      throw new InvalidParameterValueException(
        `The runtime parameter of ${c.Runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
      );
    }
    throw new InvalidParameterValueException(
      `The runtime parameter of ${c.Runtime} is not supported by pglambda. Supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')}.`,
    );
  }
  if (c.Layers && c.Layers.length > 0) {
    throw new InvalidParameterValueException("Layers are not supported by pglambda; include the layer's files in the deployment package.");
  }
  const vars = c.Environment?.Variables;
  if (vars) {
    const reserved = Object.keys(vars).filter((key) => RESERVED_ENV.has(key));
    if (reserved.length) {
      throw new InvalidParameterValueException(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    const measured = JSON.stringify(vars);
    if (Buffer.byteLength(measured) > 4096) {
      throw new InvalidParameterValueException(
        `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
      );
    }
  }
}

function isKnownRuntime(r: string): boolean {
  return (SUPPORTED_RUNTIMES as readonly string[]).includes(r) || DEPRECATED_RUNTIMES.test(r) || OTHER_RUNTIMES.test(r);
}

/** What we do not run is refused outright rather than half-accepted. */
export function checkCodeSource(
  code: { S3Bucket?: string; S3Key?: string; ImageUri?: string; ZipFile?: string },
  packageType?: string,
): string {
  if (packageType === 'Image' || code.ImageUri) {
    throw new InvalidParameterValueException(
      'Container image functions (PackageType Image) are not supported by pglambda; deploy a .zip package.',
    );
  }
  if (code.S3Bucket || code.S3Key) {
    throw new InvalidParameterValueException('Code from S3 is not supported by pglambda; upload the .zip with Code.ZipFile.');
  }
  if (!code.ZipFile) {
    throw new InvalidParameterValueException('Please provide a source for function code.');
  }
  return code.ZipFile;
}
