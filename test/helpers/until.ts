import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for a condition instead of sleeping for it: polls `probe` every 50 ms until it gives a
 * value other than undefined or false, and returns that value; fails naming `what` after `ms`.
 */
export async function until<V>(what: string, probe: () => Promise<V | undefined | false> | V | undefined | false, ms = 10_000): Promise<V> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}
