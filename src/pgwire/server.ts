/**
 * A PostgreSQL server as far as libpq is concerned: protocol 3.0, SCRAM-SHA-256 logins, simple
 * queries answered by the caller's handler. This is how the SQL extension reaches the bridge
 * through dblink (docs/bridge-protocol.md). Cancel requests are not supported: the connection
 * that sends one is closed, and the query it meant to cancel runs on.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/logger.js';
import type { PgError } from './errors.js';
import { Session } from './session.js';

export interface QueryResult {
  /** Empty for a command that returns no rows (`SET`). Encoded once per array: pass a constant list, and never change it. */
  columns: readonly { name: string; typeOid: number }[];
  /** Values in text format, one array per row, in `columns` order. */
  rows: (string | null)[][];
  /** The command tag, e.g. `SELECT 1`, `SET`. */
  command: string;
  /** Sent ahead of the result, with their severity (`WARNING`, `NOTICE`…). */
  notices?: PgError[];
}

export interface SessionInfo {
  /** Unique per server; also the process id the client is told in BackendKeyData. */
  id: number;
  user: string;
  database: string;
  applicationName?: string;
  remoteAddress: string;
  /** Every startup parameter as the client sent it. */
  parameters: Record<string, string>;
}

export interface PgWireHandlers {
  /**
   * Returns the SCRAM verifier for this user, or null (→ 28P01 password authentication failed for
   * user "x", the same message whether the user exists or not).
   */
  verifierFor(user: string, database: string): Promise<string | null>;
  /**
   * Called for each simple Query after authentication, one at a time per session and in order;
   * return a result or throw a PgError (a FATAL one ends the session). Any other error is logged
   * and reported to the client as `XX000 internal error`.
   */
  onQuery(session: SessionInfo, sql: string): Promise<QueryResult>;
  /** Called once when an authenticated session ends, whoever ended it. */
  onClose?(session: SessionInfo): void;
}

export interface PgWireOptions {
  /** Added to (or replacing) the ParameterStatus values sent after authentication. */
  parameterStatus?: Record<string, string>;
  /** A certificate and key (PEM): SSLRequest is answered 'S' and the session continues over TLS. */
  tls?: { cert: string | Buffer; key: string | Buffer; required?: boolean };
  /** Where what the client is not told goes: a handler's unexpected error (error), a verifier that is not SCRAM's (warn). */
  logger: Logger;
}

/** What a session offers and demands of its transport. */
export interface SessionSecurity {
  tls?: tls.SecureContext;
  /** Refuse a startup packet that did not come over TLS. */
  requireTls?: boolean;
}

/** What libpq and dblink look at after login; see docs/bridge-protocol.md. */
export const DEFAULT_PARAMETER_STATUS: Readonly<Record<string, string>> = {
  server_version: '16.0 (pglambda)',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  standard_conforming_strings: 'on',
  integer_datetimes: 'on',
  DateStyle: 'ISO, MDY',
};

export function createPgWireServer(handlers: PgWireHandlers, opts: PgWireOptions): net.Server {
  const parameterStatus = Object.entries({ ...DEFAULT_PARAMETER_STATUS, ...opts.parameterStatus });
  const security: SessionSecurity = opts.tls
    ? { tls: tls.createSecureContext({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }), requireTls: opts.tls.required }
    : {};
  let lastId = 0;
  return net.createServer((socket) => {
    lastId = lastId === 0x7fffffff ? 1 : lastId + 1;
    new Session(socket, handlers, parameterStatus, lastId, opts.logger, security);
  });
}
