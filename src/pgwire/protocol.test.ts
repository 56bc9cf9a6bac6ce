import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultQuery,
  fields,
  query,
  startServer,
  startupPacket,
  typed,
  USERS,
  WireClient,
  type BackendMessage,
} from '../../test/helpers/pgwire-server.js';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

const types = (messages: BackendMessage[]) => messages.map((m) => m.type).join('');

async function fatalOf(client: WireClient): Promise<Record<string, string>> {
  const m = await client.next();
  assert.equal(m.type, 'E');
  await client.closed;
  return fields(m.body);
}

describe('pgwire server protocol', () => {
  it('declines SSL and GSS encryption with N, then takes the startup on the same socket', async (t) => {
    const client = await WireClient.connect(await startServer(t));
    client.send(startupPacket({}, GSSENC_REQUEST));
    assert.equal(String.fromCharCode(await client.byte()), 'N');
    client.send(startupPacket({}, SSL_REQUEST));
    assert.equal(String.fromCharCode(await client.byte()), 'N');
    const login = await client.login('alice', USERS.alice);
    assert.equal(types(login), 'RRSSSSSSKZ');
    const status = Object.fromEntries(login.filter((m) => m.type === 'S').map((m) => m.body.toString().split('\0')));
    assert.equal(status.server_version, '16.0 (pglambda)');
    assert.equal(status.client_encoding, 'UTF8');
  });

  it('closes a connection that sends a CancelRequest, and after Terminate', async (t) => {
    const port = await startServer(t);
    const cancel = await WireClient.connect(port);
    cancel.send(startupPacket({}, CANCEL_REQUEST));
    await cancel.closed;
    const terminate = await WireClient.connect(port);
    await terminate.login('alice', USERS.alice);
    terminate.send(typed('X'));
    await terminate.closed;
  });

  it('accepts only UTF8 as client_encoding', async (t) => {
    const port = await startServer(t);
    for (const encoding of ['UTF8', 'utf-8', 'UNICODE']) {
      const client = await WireClient.connect(port);
      assert.equal(types(await client.login('alice', USERS.alice, { client_encoding: encoding })).slice(-1), 'Z');
      client.socket.destroy();
    }
    const client = await WireClient.connect(port);
    client.send(startupPacket({ user: 'alice', client_encoding: 'LATIN1' }));
    const err = await fatalOf(client);
    assert.deepEqual([err.S, err.C], ['FATAL', '22023']);
    assert.match(err.M, /"LATIN1" is not supported: the pglambda bridge speaks UTF8 only/);
  });

  it('refuses a startup packet without a user, and protocol versions other than 3', async (t) => {
    const port = await startServer(t);
    const noUser = await WireClient.connect(port);
    noUser.send(startupPacket({ database: 'd' }));
    assert.equal((await fatalOf(noUser)).C, '28000');
    const v2 = await WireClient.connect(port);
    v2.send(startupPacket({ user: 'alice' }, 0x20000));
    assert.equal((await fatalOf(v2)).C, '0A000');
  });

  it('answers a newer 3.x minor version or _pq_ options with NegotiateProtocolVersion 3.0', async (t) => {
    const client = await WireClient.connect(await startServer(t));
    client.send(startupPacket({ user: 'alice', '_pq_.compression': 'on' }, 0x30002));
    const negotiate = await client.next();
    assert.equal(negotiate.type, 'v');
    assert.deepEqual([negotiate.body.readInt32BE(0), negotiate.body.readInt32BE(4)], [0, 1]);
    assert.equal(negotiate.body.toString('utf8', 8), '_pq_.compression\0');
    assert.equal((await client.next()).type, 'R');
  });

  it('refuses extended protocol once, discards up to Sync, then answers the next Query', async (t) => {
    const client = await WireClient.connect(await startServer(t));
    await client.login('alice', USERS.alice);
    client.send(
      typed('P', 'stmt\0select $1\0\0\0'),
      typed('B', '\0stmt\0\0\0\0\0\0\0'),
      typed('D', 'P\0'),
      typed('E', '\0\0\0\0\0'),
      typed('H'),
      query('discarded'),
      typed('S'),
      query('next'),
    );
    const messages = await client.until('Z');
    assert.equal(types(messages), 'EZ');
    assert.equal(fields(messages[0].body).C, '0A000');
    const next = await client.until('Z');
    assert.equal(types(next), 'TDCZ');
    assert.equal(next[1].body.toString('utf8', 6), 'next');
  });

  it('answers pipelined queries in order, one handler call at a time', async (t) => {
    let running = 0;
    let overlapped = false;
    const port = await startServer(t, {
      onQuery: async (_s, sql) => {
        overlapped ||= running++ > 0;
        try {
          return await defaultQuery(sql);
        } finally {
          running--;
        }
      },
    });
    const client = await WireClient.connect(port);
    await client.login('alice', USERS.alice);
    client.send(query('sleep 40 first'), query('sleep 20 second'), query('fail'), query('sleep 0 third'), query(''));
    const all = [...(await client.until('Z')), ...(await client.until('Z')), ...(await client.until('Z'))];
    all.push(...(await client.until('Z')), ...(await client.until('Z')));
    assert.equal(types(all), 'TDCZTDCZEZTDCZIZ');
    const values = all.filter((m) => m.type === 'D').map((m) => m.body.toString('utf8', 6));
    assert.deepEqual(values, ['first', 'second', 'third']);
    assert.equal(overlapped, false);
  });

  it('keeps reading megabytes of pipelined queries while one is running', async (t) => {
    const client = await WireClient.connect(await startServer(t));
    await client.login('alice', USERS.alice);
    const count = 20_000;
    const filler = query('x'.repeat(100));
    client.send(query('sleep 50 first'), ...Array.from({ length: count }, () => filler));
    for (let i = 0; i <= count; i++) await client.until('Z');
  });

  it('follows a conversation sent one byte at a time', async (t) => {
    const client = await WireClient.connect(await startServer(t));
    const original = client.send.bind(client);
    client.send = (...chunks) => {
      for (const byte of Buffer.concat(chunks)) original(Buffer.from([byte]));
    };
    await client.login('alice', USERS.alice);
    client.send(query('rows'));
    assert.equal(types(await client.until('Z')), 'TDDCZ');
  });

  it('ends the session on an oversized length, an unknown message or a message out of turn', async (t) => {
    const port = await startServer(t);
    const huge = await WireClient.connect(port);
    await huge.login('alice', USERS.alice);
    const head = Buffer.from([0x51, 0, 0, 0, 0]);
    head.writeInt32BE(65 * 1024 * 1024, 1);
    huge.send(head);
    assert.deepEqual(await fatalOf(huge).then((e) => [e.S, e.C]), ['FATAL', '08P01']);

    const unknown = await WireClient.connect(port);
    await unknown.login('alice', USERS.alice);
    unknown.send(typed('?', 'x'));
    assert.equal((await fatalOf(unknown)).C, '08P01');

    const early = await WireClient.connect(port);
    early.send(startupPacket({ user: 'alice' }));
    await early.next();
    early.send(query('too early'));
    assert.equal((await fatalOf(early)).C, '08P01');
  });

  it('before login, takes no message longer than PostgreSQL does (65,535 bytes)', async (t) => {
    const client = await WireClient.connect(await startServer(t));
    client.send(startupPacket({ user: 'alice' }));
    await client.next();
    const head = Buffer.from([0x70, 0, 0, 0, 0]);
    head.writeInt32BE(65_536 + 4, 1);
    client.send(head);
    const e = await fatalOf(client);
    assert.deepEqual([e.S, e.C, e.M], ['FATAL', '08P01', 'invalid message length 65540']);
  });

  it('survives garbage before and after login', async (t) => {
    const port = await startServer(t);
    let seed = 42;
    const random = (n: number) => Buffer.from(Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff));
    for (let i = 0; i < 100; i++) {
      const client = await WireClient.connect(port);
      if (i % 2) await client.login('alice', USERS.alice);
      client.send(random(1 + (i % 64) * 3));
      client.socket.end();
      await client.closed;
    }
    const client = await WireClient.connect(port);
    await client.login('alice', USERS.alice);
  });

  it('survives a client that disconnects while its query runs', async (t) => {
    let begin!: () => void;
    const begun = new Promise<void>((resolve) => (begin = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const port = await startServer(t, {
      onQuery: async (_s, sql) => {
        if (sql.startsWith('sleep')) begin();
        const result = await defaultQuery(sql);
        if (sql.startsWith('sleep')) setImmediate(finish);
        return result;
      },
    });
    const gone = await WireClient.connect(port);
    await gone.login('alice', USERS.alice);
    gone.send(query('sleep 30 late'));
    await begun;
    gone.socket.destroy();
    await finished;
    const next = await WireClient.connect(port);
    await next.login('alice', USERS.alice);
    next.send(query('still here'));
    assert.equal(types(await next.until('Z')), 'TDCZ');
  });
});
