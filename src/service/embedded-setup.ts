/**
 * What the one-command start adds on the embedded server: the extension files where PostgreSQL 18
 * finds them, aws_lambda installed in the `postgres` database and pointed at the bridge as
 * `my-db-cluster`, and (unless --no-examples) the reference's `my-function` with version 1 and the
 * alias `custom_version`. A start on a data directory with an older aws_lambda updates it (ALTER
 * EXTENSION UPDATE), since the staged files are always the current ones.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pg from 'pg';
import { DEFAULT_CLUSTER, type ClusterRegistry } from '../rds/store/cluster-registry.js';
import { configureBridge, EXTENSION_FILES, extensionsDir, installAwsLambda, moveToNewLogin } from '../bridge/install.js';
import { zipDirectory } from '../lambda/code/make-zip.js';
import { DEFAULT_ROLE } from './default-role.js';
import type { RootCredentials } from './root-credentials.js';

/** Copies control and script files into one folder, the layout extension_control_path expects. */
export async function stageExtensions(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'extensions');
  await mkdir(dir, { recursive: true });
  for (const f of EXTENSION_FILES) await copyFile(join(extensionsDir, f), join(dir, basename(f)));
  return dir;
}

export async function installIntoEmbedded(
  superuserUrl: string,
  registry: ClusterRegistry,
  bridge: { host: string; port: number },
): Promise<void> {
  const { identifier, accountId, region } = DEFAULT_CLUSTER;
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await installAwsLambda(client, 'extension');
    await moveToNewLogin(
      client,
      {
        issue: async (database) => ({ ...bridge, ...(await registry.register(identifier, accountId, region, undefined, database)) }),
        retire: (login, database) => registry.retire(accountId, region, identifier, login, database),
      },
      (login) => configureBridge(client, login),
    );
  } finally {
    await client.end();
  }
}

/** Deploys examples/my-function once; a later start leaves whatever the user made of it. */
export async function deployExamples(endpoint: string, credentials: RootCredentials): Promise<void> {
  const { CreateAliasCommand, CreateFunctionCommand, GetFunctionCommand, LambdaClient, ResourceNotFoundException } = await import(
    '@aws-sdk/client-lambda'
  );
  const client = new LambdaClient({ endpoint, region: DEFAULT_CLUSTER.region, credentials });
  try {
    const exists = await client.send(new GetFunctionCommand({ FunctionName: 'my-function' })).then(
      () => true,
      (e) => (e instanceof ResourceNotFoundException ? false : Promise.reject(e)),
    );
    if (exists) return;
    const zip = await zipDirectory(join(extensionsDir, '..', 'examples', 'my-function'));
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: 'my-function',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: DEFAULT_ROLE,
        Code: { ZipFile: zip },
        Publish: true,
        Description: "The reference's example function",
      }),
    );
    await client.send(new CreateAliasCommand({ FunctionName: 'my-function', Name: 'custom_version', FunctionVersion: created.Version! }));
  } finally {
    client.destroy();
  }
}
