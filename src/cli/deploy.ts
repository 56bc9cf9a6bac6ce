/** `pglambda deploy DIR`: zip a folder and create or update the function from it. */
import { basename, resolve } from 'node:path';
import type { Runtime } from '@aws-sdk/client-lambda';
import { Command } from 'commander';
import { DEFAULT_ROLE } from '../service/default-role.js';
import { intArg } from './options.js';
import { ProgressLine, size } from './progress.js';

interface DeployOptions {
  name?: string;
  runtime: string;
  handler: string;
  role: string;
  timeout?: number;
  memory?: number;
  publish?: boolean;
}

export function deployCommand(): Command {
  return new Command('deploy')
    .description('zip DIR and create or update a function from it')
    .argument('<dir>', 'folder with the function code')
    .option('--name <name>', 'function name (default: the folder name)')
    .option('--runtime <runtime>', 'runtime', 'nodejs22.x')
    .option('--handler <handler>', 'handler', 'index.handler')
    .option('--role <arn>', 'execution role ARN', DEFAULT_ROLE)
    .option('--timeout <seconds>', 'timeout', intArg(1, 900))
    .option('--memory <mb>', 'memory size', intArg(128, 10240))
    .option('--publish', 'publish a version')
    .action(async (dir: string, o: DeployOptions) => {
      const {
        CreateFunctionCommand,
        GetFunctionCommand,
        ResourceNotFoundException,
        UpdateFunctionCodeCommand,
        UpdateFunctionConfigurationCommand,
        waitUntilFunctionUpdatedV2,
      } = await import('@aws-sdk/client-lambda');
      const { zipDirectory } = await import('../lambda/code/make-zip.js');
      const { lambdaClient } = await import('./client.js');
      const name = o.name ?? basename(resolve(dir));
      const progress = new ProgressLine();
      let sent = false;
      const interrupted = () => {
        progress.end();
        console.error(`pglambda: deploy interrupted; ${sent ? `${name} may already be created or updated` : 'nothing was sent'}`);
        process.exit(130);
      };
      process.once('SIGINT', interrupted);
      let listed = { files: 0, bytes: 0 };
      const zip = await zipDirectory(resolve(dir), {
        onListed: (files, bytes) => (listed = { files, bytes }),
        onProgress: (done, total) =>
          progress.update(`zipping ${listed.files} ${plural(listed.files, 'file')}: ${size(done)} of ${size(total)}`),
      });
      progress.line(
        `zipped ${listed.files} ${plural(listed.files, 'file')}, ${size(listed.bytes)}, into ${size(zip.length)}; deploying ${name}…`,
      );
      sent = true;
      const client = await lambdaClient();
      const exists = await client.send(new GetFunctionCommand({ FunctionName: name })).then(
        () => true,
        (e) => (e instanceof ResourceNotFoundException ? false : Promise.reject(e)),
      );
      const config = { Runtime: o.runtime as Runtime, Handler: o.handler, Role: o.role, Timeout: o.timeout, MemorySize: o.memory };
      let out;
      if (!exists) {
        out = await client.send(new CreateFunctionCommand({ FunctionName: name, Code: { ZipFile: zip }, Publish: o.publish, ...config }));
      } else {
        await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...config }));
        await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 60 }, { FunctionName: name });
        out = await client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip, Publish: o.publish }));
      }
      console.log(`${exists ? 'updated' : 'created'} ${out.FunctionArn} (version ${out.Version}, CodeSha256 ${out.CodeSha256})`);
      process.off('SIGINT', interrupted);
    });
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
