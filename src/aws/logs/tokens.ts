/**
 * Paging tokens. GetLogEvents' look like AWS's (`f/` or `b/` and 56 digits) and say where the
 * stream's next or previous page starts; the others are opaque. A token that does not decode is
 * AWS's "The specified nextToken is invalid."
 */
import { z } from 'zod';
import type { StreamPosition } from '../../logs/log-events.js';
import { invalidToken } from './errors.js';

export const encodeToken = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeToken<T extends z.ZodType>(token: string, schema: T): z.infer<T> {
  try {
    return schema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    throw invalidToken();
  }
}

export const positionToken = (p: StreamPosition) => `${p.direction}/${p.id.toString().padStart(56, '0')}`;

export function decodePosition(token: string): StreamPosition {
  const m = /^([fb])\/(\d{1,56})$/.exec(token);
  if (!m) throw invalidToken();
  return { direction: m[1] as 'f' | 'b', id: BigInt(m[2]!) };
}

/** A decimal id inside an opaque token (bigint does not survive JSON). */
export const DIGITS = z.string().regex(/^\d{1,20}$/);
