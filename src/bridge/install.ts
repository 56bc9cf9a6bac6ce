/**
 * Putting aws_lambda into a database and pointing it at the bridge. Where pglambda can place files
 * (its embedded server, a PGXS install) this is CREATE EXTENSION; on a server whose files we cannot
 * touch, the same objects come from the extension scripts run as plain SQL (extensions/install.sql.in).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** The repository's extensions/ folder (dist/src/bridge → four levels up). */
export const extensionsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'extensions');

export const EXTENSION_FILES = [
  'aws_commons/aws_commons.control',
  'aws_commons/sql/aws_commons--1.0.sql',
  'aws_lambda/aws_lambda.control',
  'aws_lambda/sql/aws_lambda--1.0.sql',
];

export interface BridgeAddress {
  host: string;
  port: number;
  login: string;
  password: string;
}

/** install.sql.in with each `--@include` replaced by that script minus its CREATE EXTENSION guard. */
export async function plainInstallSql(): Promise<string> {
  const template = await readFile(join(extensionsDir, 'install.sql.in'), 'utf8');
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const include = /^--@include\s+(\S+)\s*$/.exec(line);
    if (!include) {
      lines.push(line);
      continue;
    }
    const script = await readFile(join(extensionsDir, include[1]!), 'utf8');
    lines.push(...script.split('\n').filter((l) => !l.startsWith('\\echo Use "CREATE EXTENSION')));
  }
  return lines.join('\n');
}

/** Whether aws_lambda is already in this database, as an extension or from a plain install. */
export async function isInstalled(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query(`select 1 from pg_namespace where nspname = 'aws_lambda_private'`);
  return (r.rowCount ?? 0) > 0;
}

export async function installAwsLambda(client: pg.ClientBase, how: 'extension' | 'plain-sql'): Promise<void> {
  if (how === 'extension') {
    await client.query('CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE');
  } else if (!(await isInstalled(client))) {
    await client.query(await plainInstallSql());
  }
}

export async function configureBridge(client: pg.ClientBase, bridge: BridgeAddress): Promise<void> {
  await client.query('SELECT aws_lambda_private.configure_bridge($1, $2, $3, $4)', [
    bridge.host, bridge.port, bridge.login, bridge.password,
  ]);
}
