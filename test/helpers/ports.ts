/** Ports for servers a test starts: asked of the kernel, so test files never collide. */
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The kernel may hand a just-closed port out again; one test asking twice must get two ports. */
const given = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const srv = createServer().listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    if (given.has(port)) continue;
    given.add(port);
    return port;
  }
}
