/** `pglambda invoke FUNCTION`: call a function and print its result (and log tail). */
import type { InvocationType } from '@aws-sdk/client-lambda';
import { Command } from 'commander';

interface InvokeOptions {
  payload: string;
  qualifier?: string;
  type: string;
  log?: boolean;
}

export function invokeCommand(): Command {
  return new Command('invoke')
    .description('invoke a function and print what it returned')
    .argument('<function>', 'name, name:qualifier or ARN')
    .option('--payload <json>', 'event JSON', '{}')
    .option('--qualifier <q>', 'version or alias')
    .option('--type <type>', 'RequestResponse, Event or DryRun', 'RequestResponse')
    .option('--log', 'print the log tail to stderr')
    .action(async (fn: string, o: InvokeOptions) => {
      const { InvokeCommand } = await import('@aws-sdk/client-lambda');
      const { lambdaClient } = await import('./client.js');
      const client = await lambdaClient();
      const out = await client.send(
        new InvokeCommand({
          FunctionName: fn,
          Qualifier: o.qualifier,
          InvocationType: o.type as InvocationType,
          LogType: o.log ? 'Tail' : 'None',
          Payload: Buffer.from(o.payload),
        }),
      );
      if (out.LogResult) process.stderr.write(Buffer.from(out.LogResult, 'base64').toString('utf8'));
      if (out.Payload?.length) console.log(Buffer.from(out.Payload).toString('utf8'));
      else console.log(`status ${out.StatusCode}`);
      if (out.FunctionError) process.exitCode = 1;
    });
}
