const EMPTY = Buffer.alloc(0);
/** Below Buffer.poolSize / 2, so a typical response is carved out of Node's shared pool. */
const INITIAL_SIZE = 1024;
/** Up to this many UTF-16 units, reserving 3 bytes per unit beats measuring the string first. */
const MEASURE_ABOVE = 4096;

/**
 * Appends backend messages into one growing buffer, so a whole response (RowDescription, DataRow,
 * CommandComplete, ReadyForQuery) leaves in a single socket write. `take()` hands the bytes over
 * and starts a fresh buffer: the socket may still hold the old one while the kernel drains it.
 */
export class MessageWriter {
  private buf = EMPTY;
  private pos = 0;
  private messageStart = 0;

  get length(): number {
    return this.pos;
  }

  /** Starts a message; `end()` writes its length once the body is known. */
  begin(code: number): this {
    this.ensure(5);
    this.messageStart = this.pos;
    this.buf[this.pos] = code;
    this.pos += 5;
    return this;
  }

  end(): void {
    this.buf.writeInt32BE(this.pos - this.messageStart - 1, this.messageStart + 1);
  }

  int8(value: number): this {
    this.ensure(1);
    this.buf[this.pos++] = value;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
    return this;
  }

  /** Whole messages encoded earlier. */
  bytes(value: Buffer): this {
    this.ensure(value.length);
    this.pos += value.copy(this.buf, this.pos);
    return this;
  }

  /** UTF-8, without terminator or length (SASL data). */
  string(value: string): this {
    this.utf8(value, 0);
    return this;
  }

  cstring(value: string): this {
    // A NUL would end the string early and desynchronise the client; text from a handler (a
    // function's error message, say) may carry one.
    this.utf8(value.includes('\0') ? value.replaceAll('\0', '') : value, 1);
    this.buf[this.pos++] = 0;
    return this;
  }

  /** A DataRow column: int32 byte length, then the bytes; NULL is length -1 with no bytes. */
  lengthPrefixed(value: string | null): this {
    if (value === null) return this.int32(-1);
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    // Measured first: writing may replace this.buf.
    const length = this.utf8(value, 0);
    this.buf.writeInt32BE(length, at);
    return this;
  }

  /** Drops what was written after `length`: a response that failed half-way must not be sent. */
  truncate(length: number): void {
    this.pos = length;
  }

  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    return out;
  }

  /** Writes `value` leaving `spare` bytes free after it; returns the bytes written. */
  private utf8(value: string, spare: number): number {
    this.ensure((value.length > MEASURE_ABOVE ? Buffer.byteLength(value) : value.length * 3) + spare);
    const written = this.buf.write(value, this.pos);
    this.pos += written;
    return written;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.pos + bytes, 2 * this.buf.length, INITIAL_SIZE));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
