/**
 * @module
 * PostgreSQL wire-protocol server for the bridge: the server, its error type and SCRAM verifiers.
 */
export { createPgWireServer, DEFAULT_PARAMETER_STATUS } from './server.js';
export type { PgWireHandlers, PgWireOptions, QueryResult, SessionInfo } from './server.js';
export { PgError, SqlState } from './errors.js';
export type { PgErrorOptions, Severity } from './errors.js';
export { makeVerifier, verifyPassword } from './scram.js';
