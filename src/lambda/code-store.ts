/**
 * Deployment packages live under the data directory, content-addressed by the zip's SHA-256, so
 * versions with the same code share one extracted folder and a restart finds them again.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectAndExtract } from './code/package.js';

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
