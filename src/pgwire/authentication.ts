/**
 * The SCRAM-SHA-256 login of one session. The verifier is looked up as soon as the startup packet
 * names the user, while the client is still computing its first SASL message.
 */
import type { Logger } from '../log/logger.js';
import { PgError, SqlState, toPgError } from './errors.js';
import type { SASLInitialResponse } from './frontend-messages.js';
import { mockSecret, parseVerifier, SCRAM_SHA_256, ScramExchange, type ScramSecret } from './scram.js';
import type { PgWireHandlers } from './server.js';

export const MECHANISMS = [SCRAM_SHA_256] as const;

export class ScramLogin {
  private readonly secret: Promise<ScramSecret | PgError>;
  private exchange?: ScramExchange;

  constructor(
    private readonly user: string,
    database: string,
    verifierFor: PgWireHandlers['verifierFor'],
    logger: Logger,
  ) {
    this.secret = lookUpSecret(user, database, verifierFor, logger);
  }

  /** Once the first message is answered, the next SASL message is the client's final one. */
  get started(): boolean {
    return this.exchange !== undefined;
  }

  /** The server-first-message answering SASLInitialResponse. */
  async first({ mechanism, data }: SASLInitialResponse): Promise<string> {
    if (mechanism !== SCRAM_SHA_256) {
      throw PgError.fatal(SqlState.ProtocolViolation, 'client selected an invalid SASL authentication mechanism');
    }
    const secret = await this.secret;
    if (secret instanceof PgError) throw secret;
    this.exchange = new ScramExchange(secret);
    return this.exchange.serverFirst(data);
  }

  /** The server-final-message answering SASLResponse; a wrong password fails the login. */
  final(clientFinal: string): string {
    const serverFinal = this.exchange!.serverFinal(clientFinal);
    if (serverFinal === null) {
      throw PgError.fatal(SqlState.InvalidPassword, `password authentication failed for user "${this.user}"`);
    }
    return serverFinal;
  }
}

/** Never rejects: the failure is kept for the moment the client's first message asks for it. */
async function lookUpSecret(
  user: string,
  database: string,
  verifierFor: PgWireHandlers['verifierFor'],
  logger: Logger,
): Promise<ScramSecret | PgError> {
  try {
    const verifier = await verifierFor(user, database);
    const secret = verifier === null ? null : parseVerifier(verifier);
    if (verifier !== null && !secret) logger.warn({ user }, 'the verifier for this user is not a SCRAM-SHA-256 verifier');
    return secret ?? mockSecret(user);
  } catch (err) {
    if (!(err instanceof PgError)) logger.error({ err, user }, 'verifier lookup failed');
    return toPgError(err);
  }
}
