import { PgError, SqlState } from './errors.js';

/** One message as it sits in the buffer: valid only until the next `push`, so decode it at once. */
export interface Frame {
  /** The type byte; 0 for the untyped startup packets. */
  code: number;
  buf: Buffer;
  /** Body bounds in `buf`, past the type byte and the length. */
  start: number;
  end: number;
}

/** Far above any request the bridge takes, low enough that a broken client cannot exhaust memory. */
export const MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;
/** PostgreSQL's own MAX_STARTUP_PACKET_LENGTH: a startup packet is only a few names and values. */
const MAX_STARTUP_LENGTH = 10_000;
const EMPTY = Buffer.alloc(0);

/**
 * Splits the byte stream into messages. A chunk that starts on a message boundary is read in place;
 * only a message split across chunks is copied, into one buffer sized for the whole message as
 * soon as its length is known, so a message of megabytes costs one allocation and one copy.
 */
export class MessageBuffer {
  /** Unread bytes are data[start, end); data may be appended into only when we allocated it. */
  private data: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private owned = false;
  /** Size of the message being waited for. */
  private wanted = 0;
  /** Reused for every message so reading one allocates nothing. */
  readonly frame: Frame = { code: 0, buf: EMPTY, start: 0, end: 0 };

  constructor(private readonly maxLength = MAX_MESSAGE_LENGTH) {}

  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    const unread = this.end - this.start;
    if (unread === 0) {
      this.data = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    const needed = unread + chunk.length;
    if (this.owned && this.data.length - this.end >= chunk.length) {
      // appends in place below
    } else if (this.owned && this.data.length >= needed) {
      this.data.copyWithin(0, this.start, this.end);
      this.start = 0;
      this.end = unread;
    } else {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.wanted, 2 * unread));
      this.data.copy(grown, 0, this.start, this.end);
      this.data = grown;
      this.start = 0;
      this.end = unread;
      this.owned = true;
    }
    chunk.copy(this.data, this.end);
    this.end += chunk.length;
  }

  /**
   * Fills `frame` with the next whole message and returns true, or returns false until one is
   * buffered. Startup packets (`untyped`) have no type byte.
   */
  next(untyped: boolean, limit = this.maxLength): boolean {
    const head = untyped ? 4 : 5;
    if (this.end - this.start < head) return false;
    const lengthAt = this.start + head - 4;
    const length = this.data.readInt32BE(lengthAt);
    const [min, max] = untyped ? [8, MAX_STARTUP_LENGTH] : [4, limit];
    if (length < min || length > max) {
      throw PgError.fatal(SqlState.ProtocolViolation, `invalid message length ${length}`, {
        detail: `Messages must be ${min} to ${max} bytes long.`,
      });
    }
    const total = head - 4 + length;
    if (this.end - this.start < total) {
      this.wanted = total;
      return false;
    }
    const frame = this.frame;
    frame.code = untyped ? 0 : this.data[this.start];
    frame.buf = this.data;
    frame.start = lengthAt + 4;
    frame.end = this.start + total;
    this.start += total;
    this.wanted = 0;
    return true;
  }
}
