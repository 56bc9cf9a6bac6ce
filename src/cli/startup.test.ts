/**
 * What a `pglambda` command loads: its own modules, not the whole service. One static import of the
 * service or the AWS SDK in a command's file would make every command, `--help` too, pay for it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

// A resolve hook, registered before the CLI starts, appends each module it resolves to a file.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.PGLAMBDA_LOADED, resolved.url + '\\n');
  return resolved;
}`;
const PRELOAD = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

/** The packages a command imports, whether or not it succeeds. */
async function packagesLoadedBy(...args: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pglambda-loaded-'));
  const file = join(dir, 'loaded');
  try {
    await new Promise((resolve) =>
      execFile(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`, MAIN, ...args],
        { env: { ...process.env, PGLAMBDA_LOADED: file } },
        resolve,
      ),
    );
    const urls = readFileSync(file, 'utf8').split('\n');
    const packages = urls.map((url) => url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1]).filter((p) => p !== undefined);
    return [...new Set(packages)].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('what a command loads', () => {
  it('help loads commander alone', async () => {
    assert.deepEqual(await packagesLoadedBy('--help'), ['commander']);
    assert.deepEqual(await packagesLoadedBy('install', '--help'), ['commander']);
  });

  it('install loads pg, and not the AWS SDK', async () => {
    const packages = await packagesLoadedBy('install', '--database-url', 'postgres://127.0.0.1:1/nowhere');
    assert.ok(packages.includes('pg'), `loaded: ${packages.join(', ')}`);
    assert.deepEqual(
      packages.filter((p) => p.startsWith('@aws-sdk/')),
      [],
    );
  });
});
