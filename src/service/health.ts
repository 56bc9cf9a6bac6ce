/**
 * `/healthz` (the process answers) and `/readyz` (it can serve: its state database answers and it
 * is not draining) for a standalone bridge, as load balancers and Kubernetes probes ask; and
 * `/metrics` for Prometheus.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthChecks {
  /** Throws when the process cannot serve now. */
  ready(): Promise<void>;
  /** `/metrics`, in Prometheus's text format. */
  metrics(): Promise<{ contentType: string; text: string }>;
}

const READY_TIMEOUT_MS = 2000;

export async function startHealth(host: string, port: number, checks: HealthChecks): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET') return reply(405, { status: 'method not allowed' });
    if (req.url === '/healthz') return reply(200, { status: 'ok' });
    if (req.url === '/metrics') {
      checks.metrics().then(
        ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(text),
        (err: Error) => reply(500, { status: 'error', reason: err.message }),
      );
      return;
    }
    if (req.url !== '/readyz') return reply(404, { status: 'not found' });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in time')), READY_TIMEOUT_MS).unref());
    Promise.race([checks.ready(), timeout]).then(
      () => reply(200, { status: 'ready' }),
      (err: Error) => reply(503, { status: 'not ready', reason: err.message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
