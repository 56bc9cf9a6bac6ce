import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PathNotAccessibleError } from './errors.js';
import { assertReachable } from './system-user.js';

test('assertReachable names the folder that blocks the PostgreSQL user and the fix', async () => {
  const home = await mkdtemp(join(tmpdir(), 'pglambda-reach-'));
  try {
    await mkdir(join(home, 'inner'));
    await chmod(home, 0o700);
    const stranger = { name: 'stranger', uid: 54321, gid: 54321 };
    await assert.rejects(assertReachable(join(home, 'inner'), stranger), (err: unknown) => {
      assert.ok(err instanceof PathNotAccessibleError);
      assert.match(err.message, new RegExp(`${home} has mode 0700; run \`chmod o\\+x ${home}\``));
      return true;
    });
    await chmod(home, 0o711);
    await assertReachable(join(home, 'inner'), stranger);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
