/**
 * Ports for servers a test starts. A test often chooses a port seconds before a server listens on
 * it (after an initdb, or again after a kill -9). A port from the kernel's ephemeral range can be
 * taken meanwhile as the local end of any outgoing connection on the machine; so ports come from
 * below that range, where the kernel never hands one out by itself, at random, and are checked free.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { PortInUseError } from '../../src/db/errors.js';
import { assertPortFree } from '../../src/db/port.js';

/** Below this the ports are ours to choose: well-known and registered services sit lower. */
const LOWEST = 10_000;

/** The first port the kernel may pick for an outgoing connection (Linux: 32768 by default). */
function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

const HIGHEST = ephemeralStart() - 1;

/** One test asking twice must get two ports. */
const given = new Set<number>();

export async function freePort(): Promise<number> {
  if (HIGHEST - LOWEST < 1000) return kernelPort();
  for (;;) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (given.has(port) || !(await canListen(port))) continue;
    given.add(port);
    return port;
  }
}

async function canListen(port: number): Promise<boolean> {
  try {
    await assertPortFree('127.0.0.1', port);
    return true;
  } catch (err) {
    if (err instanceof PortInUseError) return false;
    throw err;
  }
}

/** Where the ephemeral range leaves too little room below it: a port the kernel picks. */
async function kernelPort(): Promise<number> {
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
