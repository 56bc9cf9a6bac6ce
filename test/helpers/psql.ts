/**
 * Runs SQL through the real psql, one session per call, as a user pastes it. Output is unaligned
 * and tuples-only so tests can write down the expected result of each statement exactly.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { COLD_START_ROOM } from './sql-session.js';

export const psqlPath = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find((p) => existsSync(p));
export const skipWithoutPsql = psqlPath ? false : 'psql is not installed (Debian package postgresql-client)';

export interface PsqlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Statements separated by `\echo ---`, so each one's output can be checked on its own. The session
 * gets COLD_START_ROOM unless `env` sets PGOPTIONS.
 */
export function psql(url: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<PsqlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      psqlPath!,
      ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=0', '-d', url],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '5', PGOPTIONS: COLD_START_ROOM, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(script);
  });
}

/** Splits psql output at `\echo ---` lines. */
export const blocks = (stdout: string) => stdout.split('---\n').map((b) => b.replace(/\n$/, ''));
