/** The benchmark's settings (environment variables described in bench/sql-invoke.ts) and its queries. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/bench/sql/: the project is three levels up.
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const N = Number(process.env.BENCH_N ?? 2000);
export const WARMUP = Math.min(200, N);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const CLIENTS = [1, 8, 32] as const;
export const PROFILE = process.env.BENCH_PROFILE !== '0';

export const INVOKE_SQL = `SELECT status_code FROM aws_lambda.invoke('noop', '{}'::json)`;
export const FLOOR_SQL = 'SELECT bench_floor()';
export const SELECT1_SQL = 'SELECT 1';
