/**
 * How each runtime's process is started, and the environment Lambda gives it (lambda-wire §7).
 * Memory is bounded without cgroups: Node's heap flag, and for every runtime a watchdog on the
 * process's resident size for the environment's whole life. No address-space limit: runtimes such
 * as Go reserve far more address space than they use, and fail to start under one near the
 * function's memory size.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The runtime is a client of ours and takes its invocations over the framed channel on CHANNEL_FD. */
  channel: boolean;
}

/** The channel's descriptor in the function process, right after stdin, stdout and stderr. */
export const CHANNEL_FD = 3;

export interface LaunchInput {
  runtime: string;
  handler: string;
  functionName: string;
  version: string;
  memorySize: number;
  timeout: number;
  region: string;
  codeDir: string;
  runtimeApi: string;
  logStreamName: string;
  userEnv: Record<string, string>;
  /** The execution role's session, as Lambda hands it to the runtime. */
  credentials?: SessionCredentials;
  /** pglambda's AWS endpoint, for the SDKs inside the function (AWS_ENDPOINT_URL). */
  awsEndpointUrl?: string;
  /** The interpreter of a Python runtime (PythonInterpreters); `python3` without one. */
  python?: string;
}

/** What the machine gives every function's environment. */
export interface FunctionHost {
  awsEndpointUrl(): string | undefined;
  python(runtime: string): Promise<string>;
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repository (or installed package) root: dist/src/lambda/environments → four levels up. */
const packageRoot = resolve(here, '..', '..', '..', '..');
const nodeBootstrap = join(packageRoot, 'dist', 'src', 'runtime', 'node', 'bootstrap.js');
const pythonBootstrap = join(packageRoot, 'src', 'runtime', 'python', 'bootstrap.py');
/** Our node_modules, so handlers can import the AWS SDK v3 clients we ship, as on AWS. */
export const sharedNodeModules = join(packageRoot, 'node_modules');

export function launchSpec(i: LaunchInput): LaunchSpec {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    // Current SDKs send every call there, so a handler's own clients reach pglambda, not AWS; the
    // function's own variable wins.
    ...(i.awsEndpointUrl && { AWS_ENDPOINT_URL: i.awsEndpointUrl }),
    ...i.userEnv,
    _HANDLER: i.handler,
    AWS_REGION: i.region,
    AWS_DEFAULT_REGION: i.region,
    AWS_LAMBDA_FUNCTION_NAME: i.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(i.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: i.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${i.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: i.logStreamName,
    AWS_LAMBDA_RUNTIME_API: i.runtimeApi,
    LAMBDA_TASK_ROOT: i.codeDir,
    LAMBDA_RUNTIME_DIR: dirname(i.runtime.startsWith('python') ? pythonBootstrap : nodeBootstrap),
  };
  if (i.credentials) {
    env.AWS_ACCESS_KEY_ID = i.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = i.credentials.secretAccessKey;
    env.AWS_SESSION_TOKEN = i.credentials.sessionToken;
  }
  if (i.runtime.startsWith('nodejs')) {
    env.AWS_EXECUTION_ENV = `AWS_Lambda_${i.runtime}`;
    env.NODE_PATH = [join(i.codeDir, 'node_modules'), sharedNodeModules, i.codeDir].join(':');
    // Lambda's own Node bootstrap gives the heap about 90% of the function's memory.
    const heap = Math.max(16, Math.floor(i.memorySize * 0.9));
    // The code folder's parent holds a `node_modules` link to our packages (CodeStore): ES module
    // imports find the SDK through it. Node 20 loads a CommonJS package imported through a link
    // as an empty module unless links are kept as they are.
    env._PGLAMBDA_CHANNEL_FD = String(CHANNEL_FD);
    const args = [`--max-old-space-size=${heap}`, '--preserve-symlinks', nodeBootstrap];
    return { command: process.execPath, args, env, cwd: i.codeDir, channel: true };
  }
  if (i.runtime.startsWith('python')) {
    env.AWS_EXECUTION_ENV = `AWS_Lambda_${i.runtime}`;
    env.PYTHONPATH = dirname(pythonBootstrap);
    env.PYTHONUNBUFFERED = '1';
    env.LC_CTYPE = 'C.UTF-8';
    env._PGLAMBDA_CHANNEL_FD = String(CHANNEL_FD);
    return { command: i.python ?? 'python3', args: ['-u', pythonBootstrap], env, cwd: i.codeDir, channel: true };
  }
  return { command: join(i.codeDir, 'bootstrap'), args: [], env, cwd: i.codeDir, channel: false };
}
