/**
 * Spawns a real runtime process (Node or Python bootstrap) against a TestRuntimeApi and a
 * temp directory of handler files, the way the service does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { TestRuntimeApi } from './runtime-api-server.js';

export interface RuntimeProcess {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout contains `text`. */
  waitForOutput(text: string): Promise<void>;
}

/** Writes `files` (relative path → content) into a fresh temp dir; call the result to delete it. */
export function writeTaskRoot(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pglambda-runtime-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What Lambda sets for a function process, with `runtimeApi` as AWS_LAMBDA_RUNTIME_API. */
export function lambdaEnv(runtimeApi: string, taskRoot: string, handler: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: 'test-fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/test-fn',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_REGION: 'us-east-1',
    TZ: 'UTC',
  };
}

/** stdin is a pipe the test never writes to, as the service does; closing it plays "parent died". */
export function spawnRuntime(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): RuntimeProcess {
  const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of [...watchers]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForOutput: (text) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!stdout.includes(text)) return;
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      }),
  };
}

export interface StartedFunction {
  api: TestRuntimeApi;
  proc: RuntimeProcess;
  dir: string;
}

/**
 * Starts a Runtime API, writes `files`, spawns `command args` as the function's runtime, and
 * registers cleanup on `t`.
 */
export async function startFunction(
  t: TestContext,
  runtime: { command: string; args: string[] },
  files: Record<string, string>,
  handler: string,
  env: NodeJS.ProcessEnv = {},
): Promise<StartedFunction> {
  const api = await TestRuntimeApi.start();
  const root = writeTaskRoot(files);
  const proc = spawnRuntime(runtime.command, runtime.args, root.dir, { ...lambdaEnv(api.address, root.dir, handler), ...env });
  t.after(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
    await api.stop();
    root.remove();
  });
  return { api, proc, dir: root.dir };
}
