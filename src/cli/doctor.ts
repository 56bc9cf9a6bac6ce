/** `pglambda doctor --cluster ID --function NAME`: what invoking NAME from a cluster bound to AWS needs, checked by the running pglambda. */
import { Command } from 'commander';
import { DEFAULT_CLUSTER } from '../rds/store/cluster-registry.js';
import type { Finding } from '../bridge/aws-doctor.js';
import { cliRegion, defaultEndpoint } from './options.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description("check, with the bridge's own AWS credentials, what a cluster bound to AWS needs to invoke a function")
    .option('--cluster <id>', 'the DB cluster', DEFAULT_CLUSTER.identifier)
    .requiredOption('--function <name>', 'a function to try (name, name:qualifier or ARN), with a DryRun invoke')
    .option('--region <region>', "the cluster's region", cliRegion())
    .option('--endpoint-url <url>', 'the pglambda endpoint', defaultEndpoint())
    .action(async (o: { cluster: string; function: string; region: string; endpointUrl: string }) => {
      const { cliFetch } = await import('./client.js');
      const url = new URL(`${o.endpointUrl}/_pglambda/clusters/${encodeURIComponent(o.cluster)}/doctor`);
      const res = await cliFetch(url, {
        method: 'POST',
        service: 'pglambda',
        region: o.region,
        body: JSON.stringify({ FunctionName: o.function, Region: o.region }),
      }).catch(() => {
        throw new Error(`cannot reach pglambda at ${o.endpointUrl}; start it with \`pglambda up\` or pass --endpoint-url`);
      });
      const answer = (await res.json()) as { Findings?: Finding[]; message?: string };
      if (!res.ok) throw new Error(answer.message ?? `pglambda answered HTTP ${res.status}`);
      for (const f of answer.Findings ?? []) console.log(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.check.padEnd(11)}  ${f.says}`);
      if (answer.Findings?.some((f) => !f.ok)) process.exitCode = 1;
    });
}
