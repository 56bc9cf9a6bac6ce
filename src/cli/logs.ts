/** `pglambda logs FUNCTION`: the stored logs of a function's recent invocations. */
import { Command } from 'commander';
import { cliRegion, defaultEndpoint, intArg } from './options.js';

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
      const { cliFetch } = await import('./client.js');
      // The credential scope carries the region, as with any AWS request.
      const url = new URL(`${o.endpointUrl}/_pglambda/logs/${encodeURIComponent(fn)}?limit=${o.limit}`);
      const res = await cliFetch(url, { method: 'GET', service: 'lambda', region: cliRegion() });
      const body = (await res.json()) as { Invocations?: StoredInvocation[]; Message?: string; message?: string };
      if (!res.ok) throw new Error(body.Message ?? body.message ?? `HTTP ${res.status}`);
      for (const inv of body.Invocations ?? []) process.stdout.write(`==> ${inv.createdAt} ${inv.logStream}\n${inv.log}`);
    });
}
