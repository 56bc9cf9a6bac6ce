/** A throwaway CA and a server certificate it signed, for 127.0.0.1 and localhost, made with openssl. */
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Certificates {
  ca: string;
  cert: string;
  key: string;
}

/** Files in `dir`, readable by all: the embedded PostgreSQL runs as another user when tests run as root. */
export async function makeCertificates(dir: string, name = 'bridge'): Promise<Certificates> {
  const p = (f: string) => join(dir, `${name}-${f}`);
  const days = ['-days', '2'];
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    ...days,
    '-subj',
    `/CN=${name} test CA`,
  ]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('key.pem'), '-out', p('req.csr'), '-subj', '/CN=localhost']);
  await writeFile(p('ext.cnf'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    p('req.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('cert.pem'),
    ...days,
    '-extfile',
    p('ext.cnf'),
  ]);
  for (const f of ['ca.pem', 'cert.pem']) await chmod(p(f), 0o644);
  return { ca: p('ca.pem'), cert: p('cert.pem'), key: p('key.pem') };
}
