/** pglambda as a child process: started, stopped as by Ctrl-C, its data removed, and granted the bench's function. */
import type { ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startProcess } from '../harness.js';
import { root } from './settings.js';

export interface Pglambda {
  child: ChildProcess;
  endpoint: string;
  databaseUrl: string;
}

/** Ports 0 (the default) are chosen by the system; a restart that databases must find again passes the first start's. */
export async function startPglambda(
  dataDir: string,
  pgPort: number,
  nodeFlags: string[] = [],
  upFlags: string[] = [],
  ports = { port: 0, bridgePort: 0 },
): Promise<Pglambda> {
  const { child, match } = await startProcess(
    process.execPath,
    [
      ...nodeFlags,
      join(root, 'dist/src/cli/main.js'),
      'up',
      '--data-dir',
      dataDir,
      '--port',
      String(ports.port),
      '--pg-port',
      String(pgPort),
      '--bridge-port',
      String(ports.bridgePort),
      ...upFlags,
    ],
    /AWS endpoint\s+(\S+)[\s\S]*export DATABASE_URL=(\S+)[\s\S]*Ctrl-C stops/,
  );
  if (process.env.BENCH_DEBUG) {
    child.stdout!.on('data', (b: Buffer) => process.stderr.write(`[pglambda] ${b}`));
    child.stderr!.on('data', (b: Buffer) => process.stderr.write(`[pglambda] ${b}`));
    child.on('exit', (code, signal) => console.error(`[pglambda] exited ${code ?? signal}`));
  }
  return { child, endpoint: match[1]!, databaseUrl: match[2]! };
}

/** SIGINT, as Ctrl-C: pglambda stops its function processes and PostgreSQL, then exits. */
export async function stopPglambda(p: Pglambda): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGINT');
  await exited;
}

/** Removes a stopped pglambda's data; as root its embedded cluster lives outside the data dir, which names it in pg-location. */
export async function removeData(dataDir: string): Promise<void> {
  const cluster = await readFile(join(dataDir, 'pg-location'), 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  if (cluster) await rm(cluster, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}

/**
 * The start lets my-db-cluster invoke only my-function: the bench gives its role, pglambda-starter,
 * `noop` too, with an inline policy through the IAM API, as a user would.
 */
export function grantNoop(endpoint: string): Promise<void> {
  return grantInvoke(endpoint, 'bench-noop', ['arn:aws:lambda:us-west-2:123456789012:function:noop']);
}

/** An inline policy `name` on pglambda-starter, the role my-db-cluster invokes as, allowing it to invoke `resources`. */
export async function grantInvoke(endpoint: string, name: string, resources: string[]): Promise<void> {
  const iam = new IAMClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: '123456789012', secretAccessKey: 'test' } });
  try {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'pglambda-starter',
        PolicyName: name,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: resources }],
        }),
      }),
    );
  } finally {
    iam.destroy();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
