import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { zipDirectory, zipFiles } from './make-zip.js';
import { inspectAndExtract } from './package.js';

let work: string;
let src: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'pglambda-zip-'));
  src = join(work, 'src');
  await mkdir(join(src, 'lib'), { recursive: true });
  await mkdir(join(src, 'data'));
  await writeFile(join(src, 'bootstrap'), '#!/bin/sh\nexec node lib/handler.js\n');
  await writeFile(join(src, 'lib/handler.js'), 'exports.handler = async () => 42;\n');
  await writeFile(join(src, 'lib/secret'), 's');
  await symlink('lib', join(src, 'current'));
  // Explicit modes: what the files get at creation depends on the umask.
  await chmod(join(src, 'bootstrap'), 0o755);
  await chmod(join(src, 'lib/handler.js'), 0o644);
  await chmod(join(src, 'lib/secret'), 0o600);
  await chmod(join(src, 'data'), 0o750);
});
afterEach(() => rm(work, { recursive: true, force: true }));

const modeOf = async (path: string) => (await lstat(path)).mode & 0o777;

describe('zipDirectory', () => {
  it('round-trips contents, modes, empty directories and symlinks', async () => {
    const out = join(work, 'out');
    await inspectAndExtract(await zipDirectory(src), out);
    assert.equal(await readFile(join(out, 'current/handler.js'), 'utf8'), 'exports.handler = async () => 42;\n');
    assert.equal(await readlink(join(out, 'current')), 'lib');
    assert.equal(await modeOf(join(out, 'bootstrap')), 0o755);
    assert.equal(await modeOf(join(out, 'lib/handler.js')), 0o644);
    assert.equal(await modeOf(join(out, 'lib/secret')), 0o600);
    assert.equal(await modeOf(join(out, 'data')), 0o750);
  });

  it('gives the same bytes, hence the same CodeSha256, for an unchanged tree', async () => {
    const first = await zipDirectory(src);
    await utimes(join(src, 'lib/handler.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = await zipDirectory(src);
    assert.ok(first.equals(second));
    const info = await inspectAndExtract(second, join(work, 'out'));
    assert.equal(info.codeSha256, createHash('sha256').update(first).digest('base64'));
  });

  it('changes the bytes when a mode changes', async () => {
    const before = await zipDirectory(src);
    await chmod(join(src, 'lib/handler.js'), 0o755);
    assert.ok(!before.equals(await zipDirectory(src)));
  });

  it('says what it found, then reports progress in bytes of file content', async () => {
    const calls: Array<[number, number]> = [];
    let listed: [number, number] | undefined;
    await zipDirectory(src, {
      onListed: (files, bytes) => (listed = [files, bytes]),
      onProgress: (done, total) => calls.push([done, total]),
    });
    const total = 'exports.handler = async () => 42;\n'.length + '#!/bin/sh\nexec node lib/handler.js\n'.length + 1;
    assert.deepEqual(listed, [3, total]);
    assert.deepEqual(calls.at(-1), [total, total]);
    assert.ok(calls.every(([done], i) => i === 0 || done > calls[i - 1][0]));
  });

  it('refuses files that are neither regular files, directories nor symlinks', async () => {
    const server = createServer().listen(join(src, 'sock'));
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await assert.rejects(zipDirectory(src), /not a regular file, directory or symlink/);
    } finally {
      server.close();
    }
  });
});

describe('zipFiles', () => {
  it('is independent of the order the files are given in', async () => {
    const a = await zipFiles({ x: '1', y: Buffer.from('2'), z: { content: '3', mode: 0o755 } });
    const b = await zipFiles({ z: { content: '3', mode: 0o755 }, y: '2', x: '1' });
    assert.ok(a.equals(b));
  });

  it('writes full modes as given, so a symlink entry can point anywhere', async () => {
    const zip = await zipFiles({ 'nested/tool': { content: 'bin', mode: 0o100750 }, link: { content: 'nested/tool', mode: 0o120777 } });
    const out = join(work, 'out');
    await inspectAndExtract(zip, out);
    assert.equal(await modeOf(join(out, 'nested/tool')), 0o750);
    assert.equal(await readlink(join(out, 'link')), 'nested/tool');
  });
});
