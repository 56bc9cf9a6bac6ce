/** The benchmark's settings (environment variables described in bench/sql-invoke.ts) and its queries. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/bench/sql/: the project is three levels up.
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The full run's settings; environment variables may shorten a trial. */
const FULL = { BENCH_ROUNDS: 3, BENCH_N: 400, BENCH_SECONDS: 8, BENCH_TRIGGER_ROWS: 10_000, BENCH_HTTP_SECONDS: 1, BENCH_COLD_N: 10 };
const setting = (name: keyof typeof FULL) => Number(process.env[name] ?? FULL[name]);
/** The settings that differ from the full run's, e.g. `BENCH_ROUNDS=1` (empty for the full run). */
export const CHANGED = (Object.keys(FULL) as Array<keyof typeof FULL>)
  .filter((k) => setting(k) !== FULL[k])
  .map((k) => `${k}=${setting(k)}`);
export const ROUNDS = setting('BENCH_ROUNDS');
/** Sequential calls per query and round, after WARMUP unmeasured ones before the first round. */
export const N = setting('BENCH_N');
export const WARMUP = Math.min(100, N);
/** Seconds per pgbench run, sessions' set-up included (bench/sql/pgbench.ts leaves that out). */
export const SECONDS = setting('BENCH_SECONDS');
export const CLIENTS = [1, 8] as const;
export const EVENT_CLIENTS = 8;
export const TRIGGER_ROWS = setting('BENCH_TRIGGER_ROWS');
/** Rounds after the first repeat the trigger INSERT only if the first one's Event INSERT took less than this many seconds. */
export const TRIGGER_BUDGET_S = 30;
/** Concurrent HTTP callers of the Lambda API, and seconds per run of them. */
export const HTTP_CALLERS = 16;
export const HTTP_SECONDS = setting('BENCH_HTTP_SECONDS');
export const COLD_N = setting('BENCH_COLD_N');
export const PROFILE = process.env.BENCH_PROFILE !== '0';

export const FUNCTION = 'noop';
export const REGION = 'us-west-2';

/** The four ways to make one call from SQL, each a query of its own. */
export const QUERIES = {
  select1: 'SELECT 1',
  floor: 'SELECT bench_floor()',
  invoke: `SELECT status_code FROM aws_lambda.invoke('${FUNCTION}', '{}'::json)`,
  peer: 'SELECT bench_boto3_invoke()',
} as const;
export type QueryKey = keyof typeof QUERIES;
export const EVENT_SQL = `SELECT status_code FROM aws_lambda.invoke('${FUNCTION}', '{}'::json, invocation_type => 'Event')`;
