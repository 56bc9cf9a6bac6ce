import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, parse } from 'node:path';
import { promisify } from 'node:util';
import { PathNotAccessibleError, SystemUserError } from './errors.js';

/**
 * PostgreSQL refuses to run as root. We use a dedicated `pglambda` system user rather than an
 * existing `postgres` account so we never share ownership or permissions with a system
 * PostgreSQL installed on the same machine.
 */
export const SYSTEM_USER = 'pglambda';

export interface SystemUser {
  name: string;
  uid: number;
  /** Only the primary group counts: Node drops supplementary groups when it switches uid. */
  gid: number;
}

export async function ensureSystemUser(): Promise<SystemUser> {
  const found = await lookupUser(SYSTEM_USER);
  if (found) return found;
  let detail = 'not found after useradd';
  try {
    await promisify(execFile)('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER]);
  } catch (err) {
    detail = (err as { stderr?: string }).stderr || (err as Error).message;
  }
  // Looked up again even after a failure: a concurrent start may have created the user first.
  const created = await lookupUser(SYSTEM_USER);
  if (!created) throw new SystemUserError(SYSTEM_USER, detail);
  return created;
}

/** Reads /etc/passwd directly: useradd --system writes there, and it spares a child process. */
async function lookupUser(name: string): Promise<SystemUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * Checks the search (x) bit of every ancestor as the kernel would for `user`, so that a locked
 * down /var or /var/lib yields a message naming the folder instead of an opaque EACCES from
 * inside PostgreSQL.
 */
export async function assertReachable(path: string, user: SystemUser): Promise<void> {
  const root = parse(path).root;
  const ancestors: string[] = [];
  for (let dir = path; dir !== root; dir = dirname(dir)) ancestors.unshift(dir);
  for (const dir of [root, ...ancestors]) {
    const st = await stat(dir);
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if (!(st.mode & bit)) {
      throw new PathNotAccessibleError(
        path,
        user.name,
        `${dir} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; run \`chmod o+x ${dir}\` so PostgreSQL can run`,
      );
    }
  }
}
