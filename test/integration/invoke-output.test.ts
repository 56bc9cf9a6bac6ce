/**
 * What a function prints: every line printed before its response is in its log and Tail, in order;
 * a flood of output (more than a JavaScript string can hold) is kept with a bound, says so, and
 * neither crashes pglambda nor grows it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import pg from 'pg';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { backdateLogGroup } from '../helpers/databases.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;

before(async () => {
  svc = await startTestService();
  await svc.createFunction(
    'chatty',
    {
      'index.mjs': `export const handler = async (e) => {
      for (let i = 0; i < e.lines; i++) console.log('line ' + i);
      return 'done';
    };`,
    },
    { Timeout: 60 },
  );
  await svc.createFunction(
    'flood',
    {
      'index.mjs': `export const handler = async (e) => {
      const mb = 'x'.repeat(1024 * 1024 - 1) + '\\n';
      // Each megabyte waits for the pipe, as a well-behaved writer does: the flood reaches pglambda as it is made.
      for (let i = 0; i < e.mb; i++) await new Promise((r) => process.stdout.write(mb, r));
      console.log('after the flood');
      return 'survived';
    };`,
    },
    { Timeout: 120, MemorySize: 512 },
  );
});
after(() => svc?.close());

/** The newest stored log of a function, as `pglambda logs` reads it. */
async function storedLog(name: string): Promise<string> {
  const r = await signedFetch(new URL(`${svc.endpoint}/_pglambda/logs/${name}?limit=1`), {
    method: 'GET',
    service: 'lambda',
    region: 'us-west-2',
    credentials: ROOT,
  });
  return ((await r.json()) as { Invocations: { log: string }[] }).Invocations[0]!.log;
}

const invoke = (name: string, payload: unknown) =>
  svc.client.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: Buffer.from(JSON.stringify(payload)) }));

test('every line printed before the response is in the log, in order', { timeout: 60_000 }, async () => {
  const r = await invoke('chatty', { lines: 2048 });
  assert.equal(Buffer.from(r.Payload!).toString(), '"done"');
  const tail = Buffer.from(r.LogResult!, 'base64').toString();
  assert.match(tail, /line 2047\n/);
  const numbers = (await storedLog('chatty')).match(/\tline (\d+)\n/g)!.map((l) => Number(/\d+/.exec(l)![0]));
  assert.deepEqual(
    numbers,
    Array.from({ length: 2048 }, (_, i) => i),
  );
});

test('600 MB of output: the invocation answers, its log keeps a bounded part and says so, pglambda goes on', {
  timeout: 180_000,
}, async () => {
  const r = await invoke('flood', { mb: 600 });
  assert.equal(r.FunctionError, undefined);
  assert.equal(Buffer.from(r.Payload!).toString(), '"survived"');
  const tail = Buffer.from(r.LogResult!, 'base64').toString();
  assert.match(tail, /after the flood/);
  const log = await storedLog('flood');
  assert.match(
    log,
    /\[pglambda: \d+ bytes of output dropped here: a log keeps the first 1048576 and the last 16384 bytes of an invocation\]/,
  );
  assert.ok(log.length < 2 * 1024 * 1024, `stored ${log.length} characters`);
  assert.ok(process.memoryUsage().rss < 1.5 * 1024 ** 3, `rss ${process.memoryUsage().rss}`);
  const again = await invoke('chatty', { lines: 1 });
  assert.equal(Buffer.from(again.Payload!).toString(), '"done"');
});

test('logs past their retention are removed, as a log group keeps them so many days', async () => {
  await invoke('chatty', { lines: 1 });
  await storedLog('chatty');
  await backdateLogGroup(svc, '/aws/lambda/chatty', 3);
  await invoke('chatty', { lines: 1 });
  await storedLog('chatty');
  svc = await svc.restart({ logRetentionDays: 2 });
  const left = new pg.Client({ connectionString: svc.postgres.url });
  await left.connect();
  try {
    const { rows } = await left.query(
      `select count(*) filter (where e.ts < extract(epoch from now() - interval '2 days') * 1000)::int as old,
              count(*) filter (where e.message like 'REPORT RequestId:%')::int as invocations
       from logs.log_events e join logs.log_groups g on g.id = e.group_id where g.name = '/aws/lambda/chatty'`,
    );
    assert.deepEqual(rows[0], { old: 0, invocations: 1 });
  } finally {
    await left.end();
  }
});
