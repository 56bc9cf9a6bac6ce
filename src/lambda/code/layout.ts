/**
 * Where each zip entry may land. Paths and symlink targets from an uploaded zip are hostile until
 * shown otherwise: nothing may be written, or point, outside the package root.
 */
import { chmod, lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { CodePackageError } from './errors.js';

export type Kind = 'file' | 'dir' | 'symlink';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
// Linux's NAME_MAX; a longer component would only fail later with a less helpful error.
const NAME_MAX = 255;
// The kernel's own symlink-following limit (MAXSYMLINKS); past it a path cannot resolve anywhere.
const MAX_HOPS = 40;

/** `mode` is the unix mode from the high half of externalFileAttributes (0 when the zip has none). */
export function kindOf(name: string, mode: number): Kind {
  if (name.endsWith('/') || (mode & S_IFMT) === S_IFDIR) return 'dir';
  return (mode & S_IFMT) === S_IFLNK ? 'symlink' : 'file';
}

/**
 * Permission bits to give an extracted entry. Zips made without unix attributes (Windows tools)
 * get the usual 644/755. setuid/setgid/sticky are dropped: a package has no business planting
 * them on the host.
 */
export function permissionsOf(kind: Kind, mode: number): number {
  if (mode === 0) return kind === 'dir' ? 0o755 : 0o644;
  return mode & 0o777;
}

function unsafePath(name: string): CodePackageError {
  return CodePackageError.invalid(`Zip entry has an unsafe path: ${JSON.stringify(name)}`);
}

function unsafeLink(path: string, target: string): CodePackageError {
  return CodePackageError.invalid(`Zip entry ${JSON.stringify(path)} is a symlink pointing outside the package: ${JSON.stringify(target)}`);
}

/** The entry's path relative to the root ('' is the root itself), or a refusal. */
function relativePath(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  const absolute = name.startsWith('/') || /^[a-zA-Z]:/.test(name);
  if (absolute || name.includes('\0') || parts.some((p) => p === '..' || Buffer.byteLength(p) > NAME_MAX)) {
    throw unsafePath(name);
  }
  return parts.join('/');
}

/**
 * The tree the zip describes, checked entry by entry. Symlinks are only created by finish(),
 * after every file is written, so no write can ever be redirected through one; the kind map
 * makes that safe by refusing any entry that would sit beneath a symlink or a file.
 */
export class Layout {
  private readonly kinds = new Map<string, Kind>([['', 'dir']]);
  private readonly links = new Map<string, string>();
  // mkdtemp creates the staging root 0700; the task root must be as readable as any directory.
  private readonly dirModes = new Map<string, number>([['', 0o755]]);

  /** Records an entry and returns its relative path. */
  claim(name: string, kind: Kind): string {
    const path = relativePath(name);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const seen = this.kinds.get(parent);
      if (seen !== undefined && seen !== 'dir') throw this.conflict(name);
      this.kinds.set(parent, 'dir');
    }
    const seen = this.kinds.get(path);
    if (seen !== undefined && seen !== kind) throw this.conflict(name);
    this.kinds.set(path, kind);
    return path;
  }

  dirMode(path: string, permissions: number): void {
    // Owner rwx is kept so later entries can be written into it and the service can delete the tree.
    this.dirModes.set(path, permissions | 0o700);
  }

  /** Refuses targets that are plainly outside; chains of links are checked again in finish(). */
  link(path: string, target: string): void {
    const lexical = posix.normalize(posix.join(posix.dirname(path), target));
    if (target === '' || target.includes('\0') || posix.isAbsolute(target) || lexical === '..' || lexical.startsWith('../')) {
      throw unsafeLink(path, target);
    }
    this.links.set(path, target);
  }

  async finish(root: string): Promise<void> {
    for (const [path, target] of this.links) {
      const full = join(root, path);
      await mkdir(join(full, '..'), { recursive: true });
      await symlink(target, full);
    }
    for (const [path, target] of this.links) {
      if (await escapes(root, path)) throw unsafeLink(path, target);
    }
    for (const [path, mode] of this.dirModes) await chmod(join(root, path), mode);
  }

  private conflict(name: string): CodePackageError {
    return CodePackageError.invalid(`Zip entry ${JSON.stringify(name)} conflicts with another entry of a different type`);
  }
}

/**
 * Follows `path` through the extracted tree the way the kernel would, component by component.
 * Each link's target looked harmless on its own, but `d/y -> ../z` plus `d/x -> y/../..` still
 * climbs out through d/x, so only a physical walk settles it. Missing components resolve lexically.
 */
async function escapes(root: string, path: string): Promise<boolean> {
  const resolved: string[] = [];
  const pending = path.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) return true;
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, part);
    const stat = await lstat(here).catch(() => undefined);
    if (stat?.isSymbolicLink()) {
      if (++hops > MAX_HOPS) return false;
      const target = await readlink(here);
      if (posix.isAbsolute(target)) return true;
      pending.unshift(...target.split('/'));
      continue;
    }
    resolved.push(part);
  }
  return false;
}
