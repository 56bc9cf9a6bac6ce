/**
 * The soak's functions, one per kind of call, and the cluster's permission to invoke them. Every
 * handler appends its event's id to a file of its own, first thing and once per execution: the
 * ground truth of what ran, whatever the caller heard back.
 */
import { join } from 'node:path';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipFiles } from '../../src/lambda/code/make-zip.js';
import { DEFAULT_ROLE } from '../../src/service/default-role.js';
import { grantInvoke } from '../sql/pglambda-process.js';
import { ACCOUNT, FUNCTIONS, KINDS, REGION, type Kind } from './settings.js';

const RECORD = `import { appendFileSync } from 'node:fs';
const record = (e) => appendFileSync(process.env.SOAK_LOG, e.id + '\\n');`;

const HANDLERS: Record<Kind, string> = {
  ok: 'export const handler = async (e) => { record(e); return { id: e.id }; };',
  event: 'export const handler = async (e) => { record(e); return null; };',
  error: 'export const handler = async (e) => { record(e); throw new Error(`soak error ${e.id}`); };',
  // Sleeps well past its 1 s timeout: the environment is killed at the timeout.
  timeout: 'export const handler = async (e) => { record(e); await new Promise((r) => setTimeout(r, 5000)); return null; };',
  crash: 'export const handler = async (e) => { record(e); process.exit(1); };',
};

/** The file where `kind`'s function records what it ran. */
export const executionsFile = (dir: string, kind: Kind) => join(dir, `${FUNCTIONS[kind]}.log`);

export async function createFunctions(endpoint: string, executionsDir: string): Promise<void> {
  const lambda = new LambdaClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    for (const kind of KINDS) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: FUNCTIONS[kind],
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: DEFAULT_ROLE,
          Timeout: kind === 'timeout' ? 1 : 3,
          Environment: { Variables: { SOAK_LOG: executionsFile(executionsDir, kind) } },
          Code: { ZipFile: await zipFiles({ 'index.mjs': `${RECORD}\n${HANDLERS[kind]}\n` }) },
        }),
      );
    }
  } finally {
    lambda.destroy();
  }
  await grantInvoke(endpoint, 'soak', [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:soak-*`]);
}
