/**
 * What a function gets from the machine it runs on: pglambda's endpoint for its own SDK clients
 * (AWS_ENDPOINT_URL, unless it sets its own), an absolute LAMBDA_TASK_ROOT whatever data dir the
 * service was given, and the Python of its runtime when the machine has one (else a log line
 * saying which Python ran). The service starts with a relative data dir.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { policyDocument } from '../../src/service/policy-documents.js';
import { parsed, removeDataDir, ROOT, startTestService, text, type TestService } from '../helpers/service.js';
import { until } from '../helpers/until.js';

const T = { timeout: 60_000 };
const PYTHON_RUNTIMES = ['python3.10', 'python3.11', 'python3.12', 'python3.13'];

/** What an interpreter says of itself, or undefined when it does not run. */
function ask(command: string, script: string): string | undefined {
  const r = spawnSync(command, ['-c', script], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
const versionOf = (command: string) => ask(command, 'import sys; print("%d.%d" % sys.version_info[:2])');
const executableOf = (command: string) => ask(command, 'import os, sys; print(os.path.realpath(sys.executable))');
/** `python3.X` on PATH that is a Python 3.X (a pyenv shim of a version not installed is not). */
const onPath = (runtime: string) => versionOf(runtime) === runtime.slice('python'.length);

const present = PYTHON_RUNTIMES.filter(onPath);
const absent = PYTHON_RUNTIMES.find((r) => !onPath(r) && r !== 'python3.13');
// boto3 1.28 (botocore 1.31) is the first to read AWS_ENDPOINT_URL.
const withBoto3 = present.find(
  (r) => ask(r, 'import botocore; v = botocore.__version__.split("."); assert (int(v[0]), int(v[1])) >= (1, 31)') !== undefined,
);
const python3 = executableOf('python3');

let svc: TestService;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pglambda-host-'));
  // A configured interpreter wins over PATH; the test's own python3 stands for one.
  const pythons = python3 ? { 'python3.13': python3 } : undefined;
  svc = await startTestService({ pythons }, relative(process.cwd(), dataDir));
  const iam = new IAMClient({ endpoint: svc.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'test-role',
      PolicyName: 'read-functions',
      PolicyDocument: policyDocument({ Effect: 'Allow', Action: 'lambda:GetFunctionConfiguration', Resource: '*' }),
    }),
  );
  iam.destroy();
});
after(async () => {
  await svc?.close();
  if (dataDir) await removeDataDir(dataDir);
});

const invoke = async (name: string) => {
  const r = await svc.client.send(new InvokeCommand({ FunctionName: name }));
  assert.equal(r.FunctionError, undefined, text(r.Payload));
  return parsed(r.Payload);
};

/** The function's log as `pglambda logs` prints it, once its first invocation is there: init output included. */
const storedLog = (name: string) =>
  until(`the log of ${name}`, async () => {
    const url = new URL(`${svc.endpoint}/_pglambda/logs/${name}`);
    const body = (await (await signedFetch(url, { method: 'GET', service: 'lambda', region: 'us-west-2', credentials: ROOT })).json()) as {
      Invocations?: { log: string }[];
    };
    const log = (body.Invocations ?? []).map((i) => i.log).join('');
    return /^REPORT /m.test(log) && log;
  });

test("a handler's own SDK client reaches pglambda, not AWS, without being told", T, async () => {
  await svc.createFunction(
    'sdk-node',
    {
      'index.mjs': `import { LambdaClient, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
      const lambda = new LambdaClient({ maxAttempts: 1 });
      export const handler = async () => {
        const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME }));
        return { endpoint: process.env.AWS_ENDPOINT_URL, arn: c.FunctionArn, root: process.env.LAMBDA_TASK_ROOT };
      };`,
    },
    { Timeout: 10 },
  );
  const result = await invoke('sdk-node');
  assert.equal(result.endpoint, svc.endpoint);
  assert.equal(result.arn, 'arn:aws:lambda:us-west-2:123456789012:function:sdk-node');
  assert.ok(isAbsolute(result.root) && existsSync(join(result.root, 'index.mjs')), `LAMBDA_TASK_ROOT ${result.root}`);

  await svc.createFunction(
    'own-endpoint',
    { 'index.js': 'exports.handler = async () => process.env.AWS_ENDPOINT_URL;' },
    {
      Environment: { Variables: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } },
    },
  );
  assert.equal(await invoke('own-endpoint'), 'http://127.0.0.1:9', "the function's own variable wins");
});

test('a Python handler with boto3 reaches pglambda too', {
  ...T,
  skip: withBoto3 ? false : 'no python3.10–3.13 on PATH has boto3 1.28 or later',
}, async () => {
  await svc.createFunction(
    'sdk-python',
    {
      'app.py': `import boto3, os
lambda_client = boto3.client("lambda")

def handler(event, context):
    return lambda_client.get_function_configuration(FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME"])["FunctionArn"]
`,
    },
    { Runtime: withBoto3 as 'python3.12', Handler: 'app.handler', Timeout: 10 },
  );
  assert.equal(await invoke('sdk-python'), 'arn:aws:lambda:us-west-2:123456789012:function:sdk-python');
});

const SHOW_PYTHON = {
  'app.py':
    'import os, platform, sys\ndef handler(event, context):\n    return [platform.python_version(), os.path.realpath(sys.executable)]\n',
};

test("python3.X runs on the machine's python3.X when there is one, without a note", {
  ...T,
  skip: present[0] ? false : 'no python3.10–3.13 on PATH',
}, async () => {
  const runtime = present[0]!;
  await svc.createFunction('py-own', SHOW_PYTHON, { Runtime: runtime as 'python3.12', Handler: 'app.handler' });
  const [version, executable] = (await invoke('py-own')) as [string, string];
  assert.ok(version.startsWith(`${runtime.slice('python'.length)}.`), version);
  assert.equal(executable, executableOf(runtime));
  assert.doesNotMatch(await storedLog('py-own'), /pglambda: /);
});

test('a Python runtime the machine lacks runs on python3, and its log says which', {
  ...T,
  skip: absent ? false : 'every python3.10–3.12 is on PATH',
}, async () => {
  await svc.createFunction('py-other', SHOW_PYTHON, { Runtime: absent as 'python3.12', Handler: 'app.handler' });
  const [version, executable] = (await invoke('py-other')) as [string, string];
  const log = await storedLog('py-other');
  assert.ok(!version.startsWith(absent!.slice('python'.length)), version);
  assert.match(
    log,
    new RegExp(`^pglambda: ${absent!.replace('.', '\\.')} runs on this machine's Python ${version.replaceAll('.', '\\.')} \\(.*\\)$`, 'm'),
  );
  assert.equal(executableOf(/\(([^)]+)\)\n/.exec(log)![1]!), executable);
});

test('a configured interpreter runs its runtime', { ...T, skip: python3 ? false : 'python3 is not installed' }, async () => {
  await svc.createFunction('py-configured', SHOW_PYTHON, { Runtime: 'python3.13', Handler: 'app.handler' });
  assert.equal((await invoke('py-configured'))[1], python3);
});
