/**
 * What one Invoke to a remote Lambda endpoint costs the bridge's process: `@aws-sdk/client-lambda`'s
 * InvokeCommand beside src/bridge/remote-lambda.ts (`@smithy/signature-v4` and a keep-alive
 * `http.request`), both against bench/trivial-server.ts in
 * another process, so only the client's own work differs. CPU of this process per call
 * (process.cpuUsage), in interleaved rounds, and throughput at 8 concurrent callers.
 *
 * Run: npm run build && node dist/bench/remote-invoke.js
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { rootIdentity } from '../src/aws/sts/identity.js';
import { RemoteLambda } from '../src/bridge/remote-lambda.js';
import { parseRequest } from '../src/bridge/request.js';
import { resolveTarget } from '../src/bridge/target.js';
import { machine, median, revision, startProcess, throughput } from './harness.js';

const ROUNDS = 7;
const CALLS = 2000;
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };

function sdkCaller(endpoint: string): () => Promise<unknown> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const client = new LambdaClient({
    endpoint,
    region: 'us-west-2',
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  const payload = Buffer.from('{}');
  return () => client.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:noop', Payload: payload }));
}

/** src/bridge/remote-lambda.ts itself, as the bridge calls it. */
function leanCaller(endpoint: string): () => Promise<unknown> {
  const remote = new RemoteLambda();
  const req = parseRequest(`${JSON.stringify([2, 'noop', null, null, null, null, null, null, endpoint])}\n{}`);
  const target = resolveTarget(req.functionName, req.region, req.qualifier, { accountId: '123456789012', region: 'us-west-2' });
  const session = { credentials, identity: rootIdentity('123456789012') };
  const url = new URL(endpoint);
  return () => remote.invoke(req, target, 'bench', session, url);
}

/** Microseconds of this process's CPU per call, over `n` sequential calls. */
async function cpuPerCall(call: () => Promise<unknown>, n: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

async function main(): Promise<void> {
  const server = await startProcess(process.execPath, [join(import.meta.dirname, 'trivial-server.js')], /listening (\d+)/);
  const endpoint = `http://127.0.0.1:${server.match[1]}`;
  const load = loadavg();
  try {
    const sdk = sdkCaller(endpoint);
    const lean = leanCaller(endpoint);
    for (let i = 0; i < 500; i++) {
      await sdk();
      await lean();
    }
    const cpu = { sdk: [] as number[], lean: [] as number[] };
    const rate = { sdk: [] as number[], lean: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      cpu.sdk.push(await cpuPerCall(sdk, CALLS));
      cpu.lean.push(await cpuPerCall(lean, CALLS));
      rate.sdk.push(await throughput(8, 1000, sdk));
      rate.lean.push(await throughput(8, 1000, lean));
    }
    const report = `# Invoke to a remote endpoint: the SDK against a lean signed request

Machine: ${machine()}; load average at the start ${load.map((l) => l.toFixed(2)).join(' ')}.
Code: commit ${revision()}
Date: ${new Date().toISOString()}

Both send the same signed Invoke (SigV4 with a session token, keep-alive connections) to
bench/trivial-server.ts in another process, which answers \`200 null\` at once, so the difference is
the client's own work. ${ROUNDS} interleaved rounds; medians.

| client | CPU of the calling process per call | throughput, 8 concurrent callers |
|---|---|---|
| \`@aws-sdk/client-lambda\` InvokeCommand | ${median(cpu.sdk).toFixed(0)} µs | ${Math.round(median(rate.sdk))} /s |
| src/bridge/remote-lambda.ts (\`@smithy/signature-v4\` + \`http.request\`) | ${median(cpu.lean).toFixed(0)} µs | ${Math.round(median(rate.lean))} /s |
| ratio (SDK ÷ lean) | ${(median(cpu.sdk) / median(cpu.lean)).toFixed(2)}× | ${(median(rate.lean) / median(rate.sdk)).toFixed(2)}× |

Rounds (µs per call, SDK / lean): ${cpu.sdk.map((s, i) => `${s.toFixed(0)}/${cpu.lean[i]!.toFixed(0)}`).join(', ')}.
`;
    writeFileSync(join(import.meta.dirname, '..', '..', 'bench', 'results', 'remote-invoke.md'), report);
    console.log(report);
  } finally {
    server.child.kill();
  }
}

await main();
