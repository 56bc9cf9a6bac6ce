/**
 * The frames of the channel between the service and the runtime clients pglambda ships (Node and
 * Python): a Unix stream socket on fd `_PGLAMBDA_CHANNEL_FD`, carrying what the Runtime API's HTTP
 * messages carry, at a fraction of their cost. src/runtime/python/pglambda_runtime/frames.py mirrors
 * this module; change both together.
 *
 * A frame is a 7-byte header, then its fields, then its payload:
 *
 *   type u8 | fields length u16 BE | payload length u32 BE | fields | payload
 *
 * Fields are strings in a fixed order per type, each a u16 BE byte length and UTF-8 text; an empty
 * string stands for an absent value. The header states the payload's length before any of it, so
 * a reader refuses an oversized payload without holding it: it drops the bytes as they come.
 */

export const FrameType = {
  /**
   * Runtime → service: init is done, waiting for work (the first `GET /next`). No fields. Sent once:
   * after it, each Response or Error frame also says the runtime waits for the next invocation,
   * which saves a write per invoke (the runtime asks for work right after posting, always).
   */
  Ready: 1,
  /** Service → runtime: fields requestId, deadlineMs, invokedFunctionArn, traceId, clientContext; payload the event. */
  Invoke: 2,
  /** Runtime → service: field requestId; payload the result. */
  Response: 3,
  /** Runtime → service: fields requestId, errorType; payload the error JSON. */
  Error: 4,
  /** Runtime → service: field errorType; payload the error JSON. */
  InitError: 5,
} as const;

export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

export const HEADER_BYTES = 7;
/** Longer fields are cut (at most a user's error name can be that long); 7 of them still fit the u16 total. */
export const MAX_FIELD_BYTES = 8192;

/** One frame in a single buffer (a single write). */
export function encodeFrame(type: FrameTypeCode, fields: readonly string[], payload: Buffer | string = ''): Buffer {
  let fieldBytes = 0;
  const encoded = fields.map((f) => {
    // Three bytes per UTF-16 unit is the most UTF-8 can take, so short strings need no measuring pass.
    const raw = f.length * 3 <= MAX_FIELD_BYTES ? f : Buffer.from(f, 'utf8').subarray(0, MAX_FIELD_BYTES);
    const n = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
    fieldBytes += 2 + n;
    return { raw, n };
  });
  if (fieldBytes > 0xffff) throw new RangeError(`frame fields take ${fieldBytes} bytes`);
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const frame = Buffer.allocUnsafe(HEADER_BYTES + fieldBytes + payloadBytes);
  frame[0] = type;
  frame.writeUInt16BE(fieldBytes, 1);
  frame.writeUInt32BE(payloadBytes, 3);
  let at = HEADER_BYTES;
  for (const { raw, n } of encoded) {
    frame.writeUInt16BE(n, at);
    // A cut inside a character decodes as a replacement character; the length stays right.
    if (typeof raw === 'string') frame.write(raw, at + 2, 'utf8');
    else raw.copy(frame, at + 2);
    at += 2 + n;
  }
  if (typeof payload === 'string') frame.write(payload, at, 'utf8');
  else payload.copy(frame, at);
  return frame;
}

export interface FrameSink {
  frame(type: number, fields: string[], payload: Buffer): void;
  /** A frame whose payload exceeds the reader's limit: its payload is being dropped, unread. */
  oversize(type: number, fields: string[], payloadBytes: number): void;
}

/**
 * Cuts a byte stream into frames. Holds at most one frame below the limit (plus the bytes of the
 * next header); payloads above it are counted and dropped.
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #bytes = 0;
  /** Bytes the frame at the head of #chunks needs before it can be parsed further. */
  #need = HEADER_BYTES;
  #skip = 0;

  constructor(
    private readonly payloadLimit: number,
    private readonly sink: FrameSink,
  ) {}

  /**
   * `transient`: the chunk's memory is reused once this returns (a socket's `onread` buffer), so
   * whatever part of it waits for more bytes is copied; frames handed on are read before then.
   */
  push(chunk: Buffer, transient = false): void {
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, chunk.length);
      this.#skip -= n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.#bytes + chunk.length < this.#need) {
      this.#chunks.push(transient ? Buffer.from(chunk) : chunk);
      this.#bytes += chunk.length;
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    const buf = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
    this.#need = HEADER_BYTES;
    let at = 0;
    while (buf.length - at >= HEADER_BYTES) {
      const type = buf[at]!;
      const fieldsEnd = at + HEADER_BYTES + buf.readUInt16BE(at + 1);
      const payloadBytes = buf.readUInt32BE(at + 3);
      if (buf.length < fieldsEnd) {
        this.#need = fieldsEnd - at;
        break;
      }
      if (payloadBytes > this.payloadLimit) {
        this.sink.oversize(type, decodeFields(buf, at + HEADER_BYTES, fieldsEnd), payloadBytes);
        const here = buf.length - fieldsEnd;
        if (here >= payloadBytes) {
          at = fieldsEnd + payloadBytes;
          continue;
        }
        this.#skip = payloadBytes - here;
        return;
      }
      const end = fieldsEnd + payloadBytes;
      if (buf.length < end) {
        this.#need = end - at;
        break;
      }
      this.sink.frame(type, decodeFields(buf, at + HEADER_BYTES, fieldsEnd), buf.subarray(fieldsEnd, end));
      at = end;
    }
    if (at < buf.length) {
      const rest = buf.subarray(at);
      this.#chunks.push(transient && buf === chunk ? Buffer.from(rest) : rest);
      this.#bytes = rest.length;
    }
  }
}

function decodeFields(buf: Buffer, at: number, end: number): string[] {
  const out: string[] = [];
  while (at + 2 <= end) {
    const n = buf.readUInt16BE(at);
    out.push(buf.toString('utf8', at + 2, Math.min(at + 2 + n, end)));
    at += 2 + n;
  }
  return out;
}
