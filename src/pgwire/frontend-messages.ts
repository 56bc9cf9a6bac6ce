/**
 * Decoders of the frontend messages the bridge reads. Extended-protocol messages are refused
 * without being decoded, so they have no decoder here.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { PgError, SqlState } from './errors.js';
import type { Frame } from './message-buffer.js';
import { StartupCode } from './message-codes.js';

export type StartupPacket =
  | {
      kind: 'startup';
      /** The 3.x minor version the client asked for. */
      minor: number;
      parameters: Record<string, string>;
      /** `_pq_.` protocol options, none of which we implement. */
      protocolOptions: string[];
    }
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel' };

const SSL = { kind: 'ssl' } as const;
const GSSENC = { kind: 'gssenc' } as const;
const CANCEL = { kind: 'cancel' } as const;

export function decodeStartup({ buf, start, end }: Frame): StartupPacket {
  const version = buf.readInt32BE(start);
  if (version === StartupCode.SSLRequest) return SSL;
  if (version === StartupCode.GSSENCRequest) return GSSENC;
  if (version === StartupCode.CancelRequest) return CANCEL;
  const major = version >>> 16;
  const minor = version & 0xffff;
  if (major !== 3) {
    throw PgError.fatal(SqlState.FeatureNotSupported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
  }
  const parameters: Record<string, string> = {};
  const protocolOptions: string[] = [];
  let pos = start + 4;
  while (pos < end && buf[pos] !== 0) {
    const nameEnd = terminator(buf, pos, end);
    const valueEnd = terminator(buf, nameEnd + 1, end);
    const name = buf.toString('utf8', pos, nameEnd);
    const value = buf.toString('utf8', nameEnd + 1, valueEnd);
    pos = valueEnd + 1;
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters[name] = value;
  }
  if (pos !== end - 1) throw malformed('startup packet', 'expected terminator as last byte');
  return { kind: 'startup', minor, parameters, protocolOptions };
}

export function decodeQuery({ buf, start, end }: Frame): string {
  if (end === start || buf[end - 1] !== 0) throw malformed('Query message', 'missing terminator');
  return buf.toString('utf8', start, end - 1);
}

export interface SASLInitialResponse {
  mechanism: string;
  /** The client-first-message; empty when the client sent none. */
  data: string;
}

export function decodeSASLInitialResponse({ buf, start, end }: Frame): SASLInitialResponse {
  const mechanismEnd = terminator(buf, start, end);
  const mechanism = buf.toString('utf8', start, mechanismEnd);
  const at = mechanismEnd + 1;
  if (at + 4 > end) throw malformed('SASLInitialResponse', 'missing length');
  const length = buf.readInt32BE(at);
  if (length !== -1 && at + 4 + length !== end) throw malformed('SASLInitialResponse', 'length does not match the message');
  return { mechanism, data: length === -1 ? '' : buf.toString('utf8', at + 4, end) };
}

export function decodeSASLResponse({ buf, start, end }: Frame): string {
  return buf.toString('utf8', start, end);
}

/** Index of the NUL ending the string at `pos`. */
function terminator(buf: Buffer, pos: number, end: number): number {
  const nul = buf.indexOf(0, pos);
  if (nul === -1 || nul >= end) throw malformed('message', 'unterminated string');
  return nul;
}

function malformed(what: string, detail: string): PgError {
  return PgError.fatal(SqlState.ProtocolViolation, `invalid ${what}`, { detail });
}
