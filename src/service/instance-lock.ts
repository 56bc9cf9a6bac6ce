/**
 * One pglambda per data directory. A second start must not mistake the first one's PostgreSQL for
 * a server left behind by a `kill -9` and stop it; a pid file tells a live owner from a dead one.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class AlreadyRunningError extends Error {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(`pglambda is already running for ${dataDir} (pid ${pid}); stop it first or pass another --data-dir`);
  }
}

export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, 'pglambda.pid');
  const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (owner && owner !== process.pid && isPglambda(owner)) throw new AlreadyRunningError(owner, dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${process.pid}\n`);
  return () => rm(file, { force: true });
}

/** Whether pid is a live process of ours (pids are reused, so a bare liveness check is not enough). */
function isPglambda(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => /pglambda|cli[/\\]main\.js/.test(arg));
  } catch {
    return false;
  }
}
