/** The benchmark's settings (environment variables described in bench/sql-invoke.ts) and its queries. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/bench/sql/: the project is three levels up.
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Sequential calls per query and round, after WARMUP unmeasured ones in the first round. */
export const N = Number(process.env.BENCH_N ?? 400);
export const WARMUP = Math.min(100, N);
/** Seconds per pgbench run, sessions' set-up included (bench/sql/pgbench.ts leaves that out). */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
export const CLIENTS = [1, 8] as const;
export const EVENT_CLIENTS = 8;
export const TRIGGER_ROWS = Number(process.env.BENCH_TRIGGER_ROWS ?? 10_000);
/** Rounds after the first repeat the trigger INSERT only if the first one's Event INSERT took less than this many seconds. */
export const TRIGGER_BUDGET_S = 60;
/** Concurrent HTTP callers of the Lambda API, and seconds per run of them. */
export const HTTP_CALLERS = 16;
export const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 1);
export const COLD_N = Number(process.env.BENCH_COLD_N ?? 10);
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
