/**
 * SCRAM-SHA-256, server side (RFC 5802, RFC 7677), with PostgreSQL's stored verifier format.
 * Channel binding needs TLS, which the bridge does not speak, so only `SCRAM-SHA-256` is offered
 * and a client asking for binding (`p=`) is refused.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { PgError, SqlState } from './errors.js';
import { saslprep } from './saslprep.js';

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
/** PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN, SCRAM_RAW_NONCE_LEN). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;
const NONCE_BYTES = 18;
const KEY_BYTES = 32;

export interface ScramSecret {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, as in pg_authid.rolpassword. */
export function makeVerifier(password: string, iterations = ITERATIONS, salt = randomBytes(SALT_BYTES)): string {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, KEY_BYTES, 'sha256');
  const storedKey = sha256(hmac(salted, 'Client Key'));
  const serverKey = hmac(salted, 'Server Key');
  return `${SCRAM_SHA_256}$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

export function parseVerifier(verifier: string): ScramSecret | null {
  const m = VERIFIER.exec(verifier);
  if (!m) return null;
  const secret = { iterations: Number(m[1]), salt: b64(m[2]), storedKey: b64(m[3]), serverKey: b64(m[4]) };
  const valid = secret.iterations > 0 && secret.storedKey.length === KEY_BYTES && secret.serverKey.length === KEY_BYTES;
  return valid ? secret : null;
}

export function verifyPassword(verifier: string, password: string): boolean {
  const secret = parseVerifier(verifier);
  if (!secret) return false;
  const salted = pbkdf2Sync(saslprep(password), secret.salt, secret.iterations, KEY_BYTES, 'sha256');
  return timingSafeEqual(sha256(hmac(salted, 'Client Key')), secret.storedKey);
}

/** Per process, so an unknown user's made-up salt stays the same from one attempt to the next. */
const MOCK_SALT_KEY = randomBytes(KEY_BYTES);

/**
 * A secret no proof can match, for users without a verifier: running the whole exchange for them
 * (as PostgreSQL does) keeps "no such user" indistinguishable from "wrong password".
 */
export function mockSecret(user: string): ScramSecret {
  return {
    iterations: ITERATIONS,
    salt: hmac(MOCK_SALT_KEY, user).subarray(0, SALT_BYTES),
    storedKey: randomBytes(KEY_BYTES),
    serverKey: randomBytes(KEY_BYTES),
  };
}

/** One exchange: `serverFirst` answers the client-first-message, `serverFinal` the client-final. */
export class ScramExchange {
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirstMessage = '';
  private nonce = '';

  constructor(
    private readonly secret: ScramSecret,
    private readonly serverNonce = randomBytes(NONCE_BYTES).toString('base64'),
  ) {}

  serverFirst(clientFirst: string): string {
    if (clientFirst === '') throw malformed('The message is empty.');
    const flag = clientFirst[0];
    if (flag === 'p') {
      throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
    }
    if ((flag !== 'n' && flag !== 'y') || clientFirst[1] !== ',') throw malformed('Unexpected channel-binding flag.');
    if (clientFirst[2] === 'a') {
      throw new PgError(SqlState.FeatureNotSupported, 'client uses authorization identity, but it is not supported', { severity: 'FATAL' });
    }
    if (clientFirst[2] !== ',') throw malformed('Comma expected after the channel-binding flag.');
    this.gs2Header = clientFirst.slice(0, 3);
    this.clientFirstBare = clientFirst.slice(3);
    const [user, nonce] = this.clientFirstBare.split(',', 2);
    if (user?.startsWith('m=')) {
      throw new PgError(SqlState.FeatureNotSupported, 'client requires an unsupported SCRAM extension', { severity: 'FATAL' });
    }
    // The name in the message is ignored: PostgreSQL authenticates the startup packet's user.
    if (!user?.startsWith('n=') || !nonce?.startsWith('r=') || !/^[!-+\--~]+$/.test(nonce.slice(2))) {
      throw malformed('Expected the user name and a nonce.');
    }
    this.nonce = nonce.slice(2) + this.serverNonce;
    const { salt, iterations } = this.secret;
    this.serverFirstMessage = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    return this.serverFirstMessage;
  }

  /** The server-final-message, or null when the proof does not match (a wrong password). */
  serverFinal(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt === -1) throw malformed('Proof expected at the end of the message.');
    const withoutProof = clientFinal.slice(0, proofAt);
    const [binding, nonce] = withoutProof.split(',', 2);
    if (binding !== `c=${Buffer.from(this.gs2Header).toString('base64')}`) {
      throw malformed('SCRAM channel binding check failed.');
    }
    if (nonce !== `r=${this.nonce}`)
      throw PgError.fatal(SqlState.ProtocolViolation, 'invalid SCRAM response', { detail: 'Nonce does not match.' });
    const proof = b64(clientFinal.slice(proofAt + 3));
    if (proof.length !== KEY_BYTES) throw malformed('Malformed proof in client-final-message.');

    const authMessage = `${this.clientFirstBare},${this.serverFirstMessage},${withoutProof}`;
    const clientKey = hmac(this.secret.storedKey, authMessage).map((byte, i) => byte ^ proof[i]);
    if (!timingSafeEqual(sha256(clientKey), this.secret.storedKey)) return null;
    return `v=${hmac(this.secret.serverKey, authMessage).toString('base64')}`;
  }
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function b64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

function malformed(detail: string): PgError {
  return PgError.fatal(SqlState.ProtocolViolation, 'malformed SCRAM message', { detail });
}
