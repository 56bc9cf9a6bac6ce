/**
 * Deployment packages live under the data directory, content-addressed by the zip's SHA-256, so
 * versions with the same code share one extracted folder and a restart finds them again; those no
 * version of any function uses any more are removed (collect).
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectAndExtract } from './code/package.js';
import { sharedNodeModules } from './environments/launcher.js';

export interface StoredCode {
  codeId: string;
  codeSha256: string;
  codeSize: number;
}

export class CodeStore {
  constructor(private readonly root: string) {}

  /** Folder holding the extracted package (the function's LAMBDA_TASK_ROOT). */
  dir(codeId: string): string {
    return join(this.root, codeId);
  }

  zipPath(codeId: string): string {
    return join(this.root, `${codeId}.zip`);
  }

  /**
   * ES module imports ignore NODE_PATH but walk up the folders above the code: a `node_modules`
   * link beside the packages lets every handler import the AWS SDK we ship, as on AWS, at no cost
   * per start. The function's own node_modules, nearer, still wins.
   */
  async linkSharedModules(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const link = join(this.root, 'node_modules');
    if ((await readlink(link).catch(() => null)) === sharedNodeModules) return;
    await rm(link, { force: true, recursive: true });
    await symlink(sharedNodeModules, link, 'dir');
  }

  /**
   * Removes every package not in `keep` (by code id) saved before `savedBefore` (ms since the
   * epoch): the folder and the zip. Packages are shared by content, so only the caller, who sees
   * every version of every function, knows which live.
   */
  async collect(keep: Set<string>, savedBefore: number): Promise<number> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const id = /^([0-9a-f]{64})(?:\.zip)?$/.exec(name)?.[1];
      if (!id || keep.has(id)) continue;
      // A package saved a moment ago may belong to a function being created right now.
      const saved = await stat(join(this.root, name)).then(
        (s) => s.mtimeMs,
        () => 0,
      );
      if (saved > savedBefore) continue;
      await rm(join(this.root, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  async save(zip: Buffer): Promise<StoredCode> {
    const digest = createHash('sha256').update(zip).digest();
    const codeId = digest.toString('hex');
    const stored = { codeId, codeSha256: digest.toString('base64'), codeSize: zip.length };
    if (await exists(this.dir(codeId))) return stored;
    await mkdir(this.root, { recursive: true });
    await inspectAndExtract(zip, this.dir(codeId));
    await writeFile(this.zipPath(codeId), zip);
    return stored;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
