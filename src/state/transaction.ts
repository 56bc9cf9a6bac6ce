import type { ClientBase, Pool, PoolClient } from 'pg';

/** Runs `fn` in one transaction on one pooled connection; anything it throws rolls it back. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransactionOn(client, fn);
  } finally {
    client.release();
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
