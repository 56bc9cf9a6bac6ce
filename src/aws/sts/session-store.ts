/**
 * The role sessions STS issued, in pglambda's PostgreSQL (schema `sts`), so that an access key sent
 * later to any service resolves to its session, across restarts: who the key is, until when, and
 * the secret and token its requests are verified with. Sessions issued before signatures were
 * verified have neither, and are refused while verification is on.
 */
import type { Pool } from 'pg';
import type { Migration } from '../../state/migrate.js';

export const stsMigrations: Migration[] = [
  {
    id: 'sts:1',
    sql: `
      create schema sts;
      -- Rows outlive their expiry: an expired key must keep answering ExpiredToken, not become someone else.
      create table sts.sessions (
        access_key_id text primary key,
        account_id text not null,
        role_arn text not null,
        role_id text not null,
        session_name text not null,
        expires_at timestamptz not null,
        created_at timestamptz not null default now()
      );
    `,
  },
  {
    id: 'sts:2',
    sql: `
      alter table sts.sessions add column secret_access_key text, add column session_token text;
    `,
  },
];

export interface SessionRecord {
  accessKeyId: string;
  accountId: string;
  roleArn: string;
  /** The role's unique id (`AROA…`), the first half of the session's user id. */
  roleId: string;
  sessionName: string;
  expiresAt: Date;
  secretAccessKey?: string;
  sessionToken?: string;
}

interface SessionRow {
  access_key_id: string;
  account_id: string;
  role_arn: string;
  role_id: string;
  session_name: string;
  expires_at: Date;
  secret_access_key: string | null;
  session_token: string | null;
}

export class SessionStore {
  /** Sessions never change once issued, so a key seen once is answered from memory after. */
  private readonly known = new Map<string, SessionRecord>();

  constructor(private readonly pool: Pool) {}

  async insert(s: SessionRecord): Promise<void> {
    await this.pool.query(
      `insert into sts.sessions (access_key_id, account_id, role_arn, role_id, session_name, expires_at, secret_access_key, session_token)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [s.accessKeyId, s.accountId, s.roleArn, s.roleId, s.sessionName, s.expiresAt, s.secretAccessKey, s.sessionToken],
    );
    this.known.set(s.accessKeyId, s);
  }

  async byAccessKey(accessKeyId: string): Promise<SessionRecord | undefined> {
    // Every key STS issues starts ASIA (a temporary key's prefix); any other needs no lookup.
    if (!accessKeyId.startsWith('ASIA')) return undefined;
    const cached = this.known.get(accessKeyId);
    if (cached) return cached;
    const r = await this.pool.query<SessionRow>('select * from sts.sessions where access_key_id = $1', [accessKeyId]);
    const row = r.rows[0];
    if (!row) return undefined;
    const s: SessionRecord = {
      accessKeyId: row.access_key_id,
      accountId: row.account_id,
      roleArn: row.role_arn,
      roleId: row.role_id,
      sessionName: row.session_name,
      expiresAt: row.expires_at,
      secretAccessKey: row.secret_access_key ?? undefined,
      sessionToken: row.session_token ?? undefined,
    };
    this.known.set(accessKeyId, s);
    return s;
  }
}
