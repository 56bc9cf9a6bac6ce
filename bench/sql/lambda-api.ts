/**
 * The Lambda API without SQL: warm invokes over HTTP from this process at many concurrent callers
 * beside a trivial HTTP server, and cold starts beside spawning `node -e ''`, taking turns so both
 * sides of each ratio see the same moments of the machine.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { post } from '../harness.js';
import { rawInvoke, REGION, ROOT } from '../lambda/role-session.js';
import { cpuSnapshot, cpuUse, type CallCost, type Watched } from './cpu-use.js';
import { HTTP_CALLERS } from './settings.js';
import { untilSettled, type WarmUp } from './settle.js';

/** One run: calls per second, and the CPU every process spent on them (the client is this process). */
export interface HttpRun {
  rps: number;
  cost: CallCost;
}
export interface HttpRounds {
  invoke: HttpRun[];
  floor: HttpRun[];
  /** The unmeasured warm-up's windows (settle.ts). */
  warmUp: WarmUp;
}

/** Milliseconds of each window of the warm-up. */
export const HTTP_WARM_WINDOW_MS = 2000;

async function measured(ms: number, call: () => Promise<unknown>, watch: Watched): Promise<HttpRun> {
  const before = cpuSnapshot();
  const end = performance.now() + ms;
  let calls = 0;
  await Promise.all(
    Array.from({ length: HTTP_CALLERS }, async () => {
      while (performance.now() < end) {
        await call();
        calls++;
      }
    }),
  );
  // Until the last call returned: the calls still in flight at the end are counted, so is their time.
  const after = cpuSnapshot();
  const seconds = Number(after.at - before.at) / 1e9;
  return { rps: calls / seconds, cost: { cpu: cpuUse(before, after, watch), seconds, calls } };
}

/** Invokes per second of `fn` and requests per second of the floor, `rounds` runs of `ms` each, alternating which goes first. */
export async function httpRounds(
  endpoint: string,
  fn: string,
  floorUrl: string,
  rounds: number,
  ms: number,
  watch: Watched,
  say: (line: string) => void,
): Promise<HttpRounds> {
  const invoke = rawInvoke(endpoint, fn, ROOT);
  const url = new URL(floorUrl);
  const body = Buffer.from('{}');
  const floor = () => post(url, body);
  // Unmeasured: starts the function processes the callers need, and runs until they have warmed.
  const warmUp = await untilSettled(
    `invokes over HTTP from ${HTTP_CALLERS} callers`,
    async () => {
      const run = await measured(HTTP_WARM_WINDOW_MS, invoke, watch);
      return { cost: run.cost, rate: run.rps };
    },
    say,
  );
  const out: HttpRounds = { invoke: [], floor: [], warmUp };
  for (let r = 0; r < rounds; r++) {
    const sides = [
      ['invoke', invoke],
      ['floor', floor],
    ] as const;
    for (const [k, call] of r % 2 ? [...sides].reverse() : sides) out[k].push(await measured(ms, call, watch));
  }
  return out;
}

export interface ColdStarts {
  invoke: number[];
  nodeE: number[];
}

/**
 * A configuration change retires `fn`'s environment, so its next invoke starts a new function
 * process: that invoke's time, beside spawning `node -e ''` until it exits.
 */
export async function coldStarts(endpoint: string, fn: string, n: number): Promise<ColdStarts> {
  const lambda = new LambdaClient({ endpoint, region: REGION, credentials: ROOT });
  const invoke = rawInvoke(endpoint, fn, ROOT);
  const out: ColdStarts = { invoke: [], nodeE: [] };
  try {
    for (let i = 0; i < n; i++) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Environment: { Variables: { RUN: String(i) } } }));
      let t = performance.now();
      await invoke();
      out.invoke.push(performance.now() - t);
      t = performance.now();
      await new Promise((resolve, reject) =>
        spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).once('exit', resolve).once('error', reject),
      );
      out.nodeE.push(performance.now() - t);
    }
  } finally {
    lambda.destroy();
  }
  return out;
}
