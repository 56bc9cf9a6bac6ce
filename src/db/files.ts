import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

/**
 * Copies made by root are read by the unprivileged PostgreSQL user. Modes are set outright
 * rather than widened: a group/other-writable source (odd umask at install time) must not
 * leave files that another local user could swap out.
 */
export async function makeWorldReadable(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    await chmod(path, 0o755);
    for (const name of await readdir(path)) await makeWorldReadable(join(path, name));
    return;
  }
  await chmod(path, st.mode & 0o111 ? 0o755 : 0o644);
}
