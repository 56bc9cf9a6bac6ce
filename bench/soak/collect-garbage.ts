/**
 * A full garbage collection in pglambda's Node process, through its inspector (started with
 * `--inspect=127.0.0.1:PORT`): its resident size can then be compared at two moments without
 * depending on when V8 last collected. One DevTools command over a WebSocket of our own making,
 * since Node 20 has no WebSocket client without an experimental flag.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';

/** The inspector's WebSocket URL for the one target a Node process has. */
export async function inspectorUrl(port: number): Promise<string> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  return targets[0]!.webSocketDebuggerUrl;
}

export async function collectGarbage(wsUrl: string): Promise<void> {
  const u = new URL(wsUrl);
  const socket = connect(Number(u.port), u.hostname);
  try {
    await once(socket, 'connect');
    socket.write(
      `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let seen = '';
    const answered = new Promise<void>((resolve, reject) => {
      socket.on('data', (b: Buffer) => {
        seen += b.toString('latin1');
        if (!seen.startsWith('HTTP/1.1 101'))
          return seen.includes('\r\n\r\n') ? reject(new Error(`inspector refused: ${seen.split('\r\n')[0]}`)) : undefined;
        if (seen.includes('"id":1')) resolve();
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('inspector closed the connection')));
    });
    // A client's frames are masked (RFC 6455 §5.3): FIN + text, the length (under 126), the key, the payload.
    const payload = Buffer.from(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    const mask = randomBytes(4);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4]!)]));
    await answered;
  } finally {
    socket.destroy();
  }
}
