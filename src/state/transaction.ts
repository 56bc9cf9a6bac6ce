import type { ClientBase, Pool, PoolClient } from 'pg';

/** Runs `fn` in one transaction on one pooled connection; anything it throws rolls it back. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection that dies between two statements emits 'error' on the client, not on a query:
  // without a listener that would end the process. The failing statement reports it.
  const ignore = () => {};
  client.on('error', ignore);
  let failed = false;
  try {
    return await inTransactionOn(client, fn);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.off('error', ignore);
    // A failed transaction's connection may be the broken one: the pool makes a new one.
    client.release(failed);
  }
}

/** Runs `fn` in one transaction on the connection given; anything it throws rolls it back. */
export async function inTransactionOn<C extends ClientBase, T>(client: C, fn: (client: C) => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}
