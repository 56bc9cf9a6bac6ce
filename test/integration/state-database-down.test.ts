/**
 * pglambda's own PostgreSQL going away under it: the service keeps running, the API answers (an
 * AWS-shaped error, not a hang or a crash), and the event queue's trouble is said once, not by
 * every worker slot twice a second.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { startTestService } from '../helpers/service.js';

test('with its PostgreSQL stopped, pglambda stays up, answers, and says so once', { timeout: 60_000 }, async (t) => {
  // Eight worker slots: before, each said so twice a second.
  const svc = await startTestService({ asyncConcurrency: 8 });
  const said: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => said.push(args.map(String).join(' ')));
  try {
    await svc.postgres.stop();
    const e = await svc.client.send(new ListFunctionsCommand({})).then(() => undefined, (err: Error & { $metadata?: { httpStatusCode?: number } }) => err);
    assert.ok(e, 'the API call failed');
    assert.equal(e.$metadata?.httpStatusCode, 500);
    await sleep(3000);
    const queue = said.filter((l) => l.includes('event queue'));
    assert.equal(queue.length, 1, queue.join('\n'));
    assert.match(queue[0]!, /the event queue \(pglambda's PostgreSQL\) is unavailable; retrying/);
  } finally {
    await svc.close();
  }
});
