/** `pglambda logs FUNCTION`: the stored logs of a function's recent invocations. */
import { Command } from 'commander';
import { defaultEndpoint, intArg } from './options.js';

interface StoredInvocation {
  version: string;
  requestId: string;
  logStream: string;
  log: string;
  createdAt: string;
}

export function logsCommand(): Command {
  return new Command('logs')
    .description("print the logs of a function's recent invocations")
    .argument('<function>', 'function name')
    .option('--limit <n>', 'how many invocations', intArg(1, 1000), 20)
    .option('--endpoint-url <url>', 'pglambda endpoint', defaultEndpoint())
    .action(async (fn: string, o: { limit: number; endpointUrl: string }) => {
      const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2';
      const res = await fetch(`${o.endpointUrl}/_pglambda/logs/${encodeURIComponent(fn)}?limit=${o.limit}`, {
        // The credential scope carries the region, as with any AWS request.
        headers: { authorization: `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID ?? 'test'}/20200101/${region}/lambda/aws4_request` },
      });
      const body = (await res.json()) as { Invocations?: StoredInvocation[]; Message?: string; message?: string };
      if (!res.ok) throw new Error(body.Message ?? body.message ?? `HTTP ${res.status}`);
      for (const inv of body.Invocations ?? []) process.stdout.write(`==> ${inv.createdAt} ${inv.logStream}\n${inv.log}`);
    });
}
