/**
 * Putting aws_lambda into a database and pointing it at the bridge. Where pglambda can place files
 * (its embedded server, a PGXS install) this is CREATE EXTENSION; on a server whose files we cannot
 * touch, the same objects come from the extension scripts run as plain SQL (extensions/install.sql.in).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inTransactionOn } from '../state/transaction.js';

/** The repository's extensions/ folder (dist/src/bridge → four levels up). */
export const extensionsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'extensions');

/**
 * aws_lambda's versions, oldest first. Each has its whole script, aws_lambda--<v>.sql, and reaches
 * the next through aws_lambda--<v>--<next>.sql; the last is the control file's default_version.
 */
export const AWS_LAMBDA_VERSIONS = ['1.0', '1.1', '1.2', '1.3'];

/** The aws_lambda version install.sql.in installs (the control file's default_version). */
export const AWS_LAMBDA_VERSION = AWS_LAMBDA_VERSIONS[AWS_LAMBDA_VERSIONS.length - 1]!;

/** Upgrade scripts by the version they start from, each to the next version, up to AWS_LAMBDA_VERSION. */
const UPGRADES: Record<string, { to: string; script: string }> = Object.fromEntries(
  AWS_LAMBDA_VERSIONS.slice(1).map((to, i) => {
    const from = AWS_LAMBDA_VERSIONS[i]!;
    return [from, { to, script: `aws_lambda/sql/aws_lambda--${from}--${to}.sql` }];
  }),
);

/** What CREATE EXTENSION needs to install any version and update from any, relative to extensionsDir. */
export const EXTENSION_FILES = [
  'aws_commons/aws_commons.control',
  'aws_commons/sql/aws_commons--1.0.sql',
  'aws_lambda/aws_lambda.control',
  ...AWS_LAMBDA_VERSIONS.map((v) => `aws_lambda/sql/aws_lambda--${v}.sql`),
  ...Object.values(UPGRADES).map((u) => u.script),
];

/** How install.sql.in records a plain install's version, in the comment of schema aws_lambda. */
const plainComment = (version: string) => `aws_lambda ${version} (installed by pglambda install, without CREATE EXTENSION)`;

/** The bridge login the database uses now (its user mapping's), if aws_lambda is configured there. */
export async function currentBridgeLogin(client: pg.ClientBase): Promise<string | undefined> {
  const r = await client.query<{ login: string }>(
    `select o.option_value as login
     from pg_user_mappings m, pg_options_to_table(m.umoptions) o
     where m.srvname = 'aws_lambda_bridge' and o.option_name = 'user'
     order by m.umid limit 1`,
  );
  return r.rows[0]?.login;
}

/**
 * Moves a database onto a new bridge login: issued, then `configure` (which sets the user mapping,
 * and whatever else belongs before it; its result is returned with the login), and only then the old login retired, so there is no moment
 * without a working login and calls in flight finish on the old one.
 */
export async function moveToNewLogin<L extends { login: string }, R>(
  client: pg.ClientBase,
  logins: { issue(database: string): Promise<L>; retire(login: string, database: string): Promise<unknown> },
  configure: (login: L) => Promise<R>,
): Promise<{ issued: L; configured: R }> {
  const previous = await currentBridgeLogin(client);
  const database = await databaseIdentity(client);
  const issued = await logins.issue(database);
  const configured = await configure(issued);
  if (previous && previous !== issued.login) await logins.retire(previous, database);
  return { issued, configured };
}

/**
 * Which database this is, so a login is retired only by the database it was issued to, not by a
 * copy of it (a copy has a new oid): the server's system identifier where the role may read it,
 * else its address, and the database's oid.
 */
export async function databaseIdentity(client: pg.ClientBase): Promise<string> {
  const server = await client.query<{ s: string }>('select system_identifier::text as s from pg_control_system()').then(
    (r) => r.rows[0]!.s,
    async () =>
      (
        await client.query<{ s: string }>(
          `select coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port(), 0) as s`,
        )
      ).rows[0]!.s,
  );
  const db = await client.query<{ oid: string }>('select oid::text from pg_database where datname = current_database()');
  return `${server}/${db.rows[0]!.oid}`;
}

/**
 * libpq's TLS options for the bridge connection, as options of the foreign server (the extension
 * builds its connection string from all of them); an option not given is left as it is.
 */
export async function configureBridgeTls(client: pg.ClientBase, o: { sslmode?: string; sslrootcert?: string }): Promise<void> {
  for (const [name, value] of Object.entries(o)) {
    if (value === undefined) continue;
    const has = await client.query(
      `select 1 from pg_foreign_server s, pg_options_to_table(s.srvoptions) o where s.srvname = 'aws_lambda_bridge' and o.option_name = $1`,
      [name],
    );
    const verb = has.rowCount ? 'SET' : 'ADD';
    await client.query(`ALTER SERVER aws_lambda_bridge OPTIONS (${verb} ${name} ${client.escapeLiteral(value)})`);
  }
}

export interface BridgeAddress {
  host: string;
  port: number;
  login: string;
  password: string;
}

/**
 * install.sql.in with each `--@include` replaced by that script minus its CREATE EXTENSION guard.
 * An older `version` installs that one instead, as `pglambda install` did then (to test updates).
 */
export async function plainInstallSql(version = AWS_LAMBDA_VERSION): Promise<string> {
  const template = (await readFile(join(extensionsDir, 'install.sql.in'), 'utf8'))
    .replace(`--@include aws_lambda/sql/aws_lambda--${AWS_LAMBDA_VERSION}.sql`, `--@include aws_lambda/sql/aws_lambda--${version}.sql`)
    .replace(plainComment(AWS_LAMBDA_VERSION), plainComment(version));
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const include = /^--@include\s+(\S+)\s*$/.exec(line);
    if (!include) {
      lines.push(line);
      continue;
    }
    lines.push(await scriptWithoutGuard(include[1]!));
  }
  return lines.join('\n');
}

/** An extension script minus its `\echo Use "CREATE EXTENSION …" / "ALTER EXTENSION …"` guard line. */
async function scriptWithoutGuard(path: string): Promise<string> {
  const script = await readFile(join(extensionsDir, path), 'utf8');
  return script
    .split('\n')
    .filter((l) => !/^\\echo Use "(CREATE|ALTER) EXTENSION/.test(l))
    .join('\n');
}

/** Whether aws_lambda is already in this database, as an extension or from a plain install. */
export async function isInstalled(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query(`select 1 from pg_namespace where nspname = 'aws_lambda_private'`);
  return (r.rowCount ?? 0) > 0;
}

/** What installAwsLambda did: installed, updated from an older version, or found it current. */
export type InstallOutcome = { action: 'installed' } | { action: 'updated'; from: string } | { action: 'current' };

/**
 * Installs aws_lambda, or brings an existing install to the current version: ALTER EXTENSION
 * UPDATE for an extension, the missing upgrade scripts for a plain install (as one transaction).
 * `how` only decides a fresh install.
 */
export async function installAwsLambda(client: pg.ClientBase, how: 'extension' | 'plain-sql'): Promise<InstallOutcome> {
  const version = await installedVersion(client);
  if (version === undefined) {
    await client.query(how === 'extension' ? 'CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE' : await plainInstallSql());
    return { action: 'installed' };
  }
  if (version.extension) {
    await client.query('ALTER EXTENSION aws_lambda UPDATE');
  } else {
    await updatePlainInstall(client, version.version);
  }
  const now = await installedVersion(client);
  return now?.version === version.version ? { action: 'current' } : { action: 'updated', from: version.version };
}

/** aws_lambda's own schemas: what an uninstall removes (aws_commons too, whose only user is aws_lambda). */
const SCHEMAS = ['aws_lambda_private', 'aws_lambda', 'aws_commons'];

/**
 * Removes aws_lambda, aws_commons, the bridge server and its user mappings, in one transaction;
 * refuses (naming them) while objects of the database's own depend on them, rather than dropping
 * those too. dblink stays: other code may use it. Returns what was there.
 */
export async function uninstallAwsLambda(client: pg.ClientBase): Promise<'extension' | 'plain-sql' | 'absent'> {
  const installed = await installedVersion(client);
  if (!installed) return 'absent';
  await inTransactionOn(client, async () => {
    const dependents = await client.query<{ what: string }>(
      `with ours as (
         select 'pg_proc'::regclass as classid, p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)
         union all
         select 'pg_type'::regclass, t.oid from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = any($1))
       select distinct pg_describe_object(d.classid, d.objid, d.objsubid) as what
       from pg_depend d join ours o on d.refclassid = o.classid and d.refobjid = o.oid
       where d.deptype = 'n' and not exists (select from ours x where x.classid = d.classid and x.oid = d.objid)
       order by 1`,
      [SCHEMAS],
    );
    if (dependents.rowCount) {
      throw new Error(`objects of this database use aws_lambda; drop them first: ${dependents.rows.map((r) => r.what).join(', ')}`);
    }
    const mappings = await client.query<{ who: string }>(`select usename as who from pg_user_mappings where srvname = 'aws_lambda_bridge'`);
    for (const { who } of mappings.rows)
      await client.query(`DROP USER MAPPING FOR ${who === 'public' ? 'PUBLIC' : client.escapeIdentifier(who)} SERVER aws_lambda_bridge`);
    if (installed.extension) {
      await client.query('DROP EXTENSION aws_lambda');
      await client.query('DROP EXTENSION IF EXISTS aws_commons');
      // CREATE EXTENSION made the control files' schemas, which are not the extensions' members; empty now.
      await client.query('DROP SCHEMA IF EXISTS aws_lambda, aws_commons');
    } else {
      await client.query('DROP SERVER IF EXISTS aws_lambda_bridge');
      await client.query(`DROP SCHEMA ${SCHEMAS.join(', ')} CASCADE`);
    }
  });
  return installed.extension ? 'extension' : 'plain-sql';
}

async function installedVersion(client: pg.ClientBase): Promise<{ extension: boolean; version: string } | undefined> {
  if (!(await isInstalled(client))) return undefined;
  const r = await client.query<{ extversion: string | null; comment: string | null }>(
    `select (select extversion from pg_extension where extname = 'aws_lambda') as extversion,
            (select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = 'aws_lambda') as comment`,
  );
  const { extversion, comment } = r.rows[0]!;
  if (extversion !== null) return { extension: true, version: extversion };
  const recorded = /^aws_lambda (\S+) /.exec(comment ?? '')?.[1];
  if (recorded === undefined) {
    throw new Error(
      `aws_lambda is installed without CREATE EXTENSION, but schema aws_lambda does not record its version (comment: ${JSON.stringify(comment)})`,
    );
  }
  return { extension: false, version: recorded };
}

async function updatePlainInstall(client: pg.ClientBase, from: string): Promise<void> {
  const steps: string[] = [];
  for (let version = from; version !== AWS_LAMBDA_VERSION; ) {
    const step = UPGRADES[version];
    if (!step) throw new Error(`no upgrade of aws_lambda from version ${version} to ${AWS_LAMBDA_VERSION}`);
    steps.push(await scriptWithoutGuard(step.script));
    version = step.to;
  }
  if (steps.length === 0) return;
  await inTransactionOn(client, async () => {
    for (const sql of steps) await client.query(sql);
    await client.query(`COMMENT ON SCHEMA aws_lambda IS '${plainComment(AWS_LAMBDA_VERSION)}'`);
  });
}

export async function configureBridge(client: pg.ClientBase, bridge: BridgeAddress): Promise<void> {
  await client.query('SELECT aws_lambda_private.configure_bridge($1, $2, $3, $4)', [
    bridge.host,
    bridge.port,
    bridge.login,
    bridge.password,
  ]);
}
