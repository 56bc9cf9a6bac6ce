/**
 * Test support: a wire server with a scriptable handler, and a raw protocol client for the bytes
 * a real driver would never send (split packets, pipelining, oversized lengths).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { PgError } from '../../src/pgwire/errors.js';
import { makeVerifier } from '../../src/pgwire/scram.js';
import { createPgWireServer, type PgWireHandlers, type QueryResult } from '../../src/pgwire/server.js';
import { testLogger, type TestLog } from './logger.js';

export const USERS: Record<string, string> = { alice: 'alice-secret' };
const VERIFIERS = Object.fromEntries(Object.entries(USERS).map(([user, password]) => [user, makeVerifier(password)]));

/**
 * `rows` answers int4/text/null rows, `fail` a PgError with detail and hint, `crash` a plain
 * Error, `sleep <ms> <text>` echoes after a delay; anything else is echoed in column `sql`.
 */
export async function defaultQuery(sql: string): Promise<QueryResult> {
  if (sql === 'rows') {
    return {
      columns: [
        { name: 'n', typeOid: 23 },
        { name: 't', typeOid: 25 },
      ],
      rows: [
        ['1', 'one'],
        ['2', null],
      ],
      command: 'SELECT 2',
    };
  }
  if (sql === 'fail') throw new PgError('P0001', 'it failed', { detail: 'the detail', hint: 'the hint' });
  if (sql === 'crash') throw new Error('internal secret');
  const sleep = /^sleep (\d+) (.*)$/s.exec(sql);
  if (sleep) await new Promise((resolve) => setTimeout(resolve, Number(sleep[1])));
  return { columns: [{ name: 'sql', typeOid: 25 }], rows: [[sleep ? sleep[2] : sql]], command: 'SELECT 1' };
}

/** `log`: where the server's log lines go (a test that looks at them passes its own). */
export async function startServer(t: TestContext, handlers: Partial<PgWireHandlers> = {}, log: TestLog = testLogger()): Promise<number> {
  const server = createPgWireServer(
    {
      verifierFor: async (user) => VERIFIERS[user] ?? null,
      onQuery: (_session, sql) => defaultQuery(sql),
      ...handlers,
    },
    { logger: log.logger },
  );
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

export function typed(code: string, body: Buffer | string = ''): Buffer {
  const bytes = Buffer.from(body);
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(bytes.length + 4, 1);
  return Buffer.concat([head, bytes]);
}

export function query(sql: string): Buffer {
  return typed('Q', `${sql}\0`);
}

/** A startup packet; `version` is a protocol version or one of the request codes. */
export function startupPacket(params: Record<string, string>, version = 0x30000): Buffer {
  const body = Buffer.from(
    Object.entries(params)
      .map(([k, v]) => `${k}\0${v}\0`)
      .join('') + (version >>> 16 === 3 ? '\0' : ''),
  );
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(version, 4);
  return Buffer.concat([head, body]);
}

/** The client side of SCRAM-SHA-256: the client-final-message for `serverFirst`. */
export function scramClientFinal(password: string, clientFirstBare: string, serverFirst: string, gs2 = 'n,,'): string {
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs.r}`;
  const signature = createHmac('sha256', storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
  return `${withoutProof},p=${Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString('base64')}`;
}

export interface BackendMessage {
  type: string;
  body: Buffer;
}

export class WireClient {
  private data = Buffer.alloc(0);
  private ended = false;
  private wake?: () => void;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new WireClient(socket)));
      socket.once('error', reject);
    });
  }

  send(...chunks: Buffer[]): void {
    this.socket.write(Buffer.concat(chunks));
  }

  async byte(): Promise<number> {
    await this.need(1);
    return this.take(1)[0];
  }

  async next(): Promise<BackendMessage> {
    await this.need(5);
    await this.need(1 + this.data.readInt32BE(1));
    const type = String.fromCharCode(this.data[0]);
    return { type, body: this.take(1 + this.data.readInt32BE(1)).subarray(5) };
  }

  /** Messages up to and including the first of `type`. */
  async until(type: string): Promise<BackendMessage[]> {
    const out = [await this.next()];
    while (out[out.length - 1].type !== type) out.push(await this.next());
    return out;
  }

  /** Startup and SCRAM authentication, through the first ReadyForQuery. */
  async login(user: string, password: string, params: Record<string, string> = {}): Promise<BackendMessage[]> {
    this.send(startupPacket({ user, database: 'db', ...params }));
    await this.expectAuthentication(10);
    const clientFirstBare = `n=,r=${randomBytes(18).toString('base64')}`;
    const initial = Buffer.alloc(4);
    initial.writeInt32BE(3 + clientFirstBare.length);
    this.send(typed('p', Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), initial, Buffer.from(`n,,${clientFirstBare}`)])));
    const serverFirst = (await this.expectAuthentication(11)).toString();
    this.send(typed('p', scramClientFinal(password, clientFirstBare, serverFirst)));
    return this.until('Z');
  }

  private async expectAuthentication(code: number): Promise<Buffer> {
    const m = await this.next();
    if (m.type !== 'R' || m.body.readInt32BE(0) !== code) throw new Error(`expected Authentication ${code}, got ${describeMessage(m)}`);
    return m.body.subarray(4);
  }

  private take(n: number): Buffer {
    const out = this.data.subarray(0, n);
    this.data = this.data.subarray(n);
    return out;
  }

  private async need(n: number): Promise<void> {
    while (this.data.length < n) {
      if (this.ended) throw new Error(`connection closed after ${this.data.length} of ${n} bytes`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** ErrorResponse and NoticeResponse fields by letter (S, C, M, D, H…). */
export function fields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let at = 0; body[at] !== 0; ) {
    const end = body.indexOf(0, at + 1);
    out[String.fromCharCode(body[at])] = body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return out;
}

function describeMessage(m: BackendMessage): string {
  return m.type === 'E' || m.type === 'N' ? `${m.type} ${JSON.stringify(fields(m.body))}` : m.type;
}
