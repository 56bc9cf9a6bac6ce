/**
 * What a function's processes print, as log lines: each line goes to the environment's log stream
 * as it arrives, stamped with the time it arrived, between the platform's START and END/REPORT.
 * Bounded whatever the process prints: of each stretch (an invocation, or the output before or
 * between invocations) the first OUTPUT_HEAD_BYTES are written as they come; past that only the last
 * OUTPUT_TAIL_BYTES are kept, and written when the stretch ends after a line saying how much was
 * dropped. A function that floods its output costs neither memory nor a crash; its log says what
 * happened. The end of the current invocation's log is kept for Lambda's Tail (X-Amz-Log-Result).
 */
import type { LogLine, LogLineSink } from '../../logs/model.js';

/** Written as it comes per stretch at most (CloudWatch keeps more; a local log need not). */
export const OUTPUT_HEAD_BYTES = 1024 * 1024;
/** At least the Tail's 4 KB, whole lines around it. */
export const OUTPUT_TAIL_BYTES = 16 * 1024;
/** CloudWatch Logs' largest event, 256 KB less its 26 bytes of overhead: a longer line goes in pieces. */
export const MAX_EVENT_BYTES = 262_118;

interface Kept extends LogLine {
  bytes: number;
}

export class OutputLog {
  private partial = '';
  private partialBytes = 0;
  private partialAt = 0;
  /** Output bytes of this stretch written as they came. */
  private written = 0;
  /** Output past the head, awaiting the end of the stretch. */
  private held: Kept[] = [];
  private heldBytes = 0;
  private dropped = 0;
  /** The last OUTPUT_TAIL_BYTES of the log in order, platform lines included. */
  private recent: Kept[] = [];
  private recentBytes = 0;

  constructor(private readonly sink: LogLineSink) {}

  /** Process output: whole lines go out; a trailing partial line waits for the rest of it. */
  append(text: string): void {
    const now = Date.now();
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl + 1);
      start = nl + 1;
      if (this.partial) {
        this.output(this.partial + piece, this.partialAt);
        this.partial = '';
        this.partialBytes = 0;
      } else {
        this.output(piece, now);
      }
    }
    if (start === text.length) return;
    const rest = text.slice(start);
    if (!this.partial) this.partialAt = now;
    this.partial += rest;
    this.partialBytes += Buffer.byteLength(rest);
    while (this.partialBytes > MAX_EVENT_BYTES) this.cutPartial();
  }

  /** Starts an invocation's stretch with its START line, after writing out what came before it. */
  open(startLine: string): void {
    this.endStretch();
    this.recent = [];
    this.recentBytes = 0;
    this.platform(startLine);
  }

  /** Ends the invocation with its last output and the platform's lines; returns the end of its log. */
  close(...platformLines: string[]): string {
    this.endStretch();
    for (const line of platformLines) this.platform(line);
    return this.recent.map((r) => r.message).join('');
  }

  /** The process is gone: what it printed last goes out, a line it did not end too. */
  finish(): void {
    this.endStretch();
  }

  /** Whether the latest output matches: enough to tell an out-of-memory death by what the runtime printed. */
  test(pattern: RegExp): boolean {
    return pattern.test(this.partial) || this.recent.some((r) => pattern.test(r.message));
  }

  private platform(message: string): void {
    const line = { timestamp: Date.now(), message, bytes: Buffer.byteLength(message) };
    this.sink(line);
    this.remember(line);
  }

  private output(message: string, timestamp: number): void {
    let bytes = Buffer.byteLength(message);
    while (bytes > MAX_EVENT_BYTES) {
      const [piece, rest] = splitAt(message, MAX_EVENT_BYTES);
      this.keep({ timestamp, message: piece, bytes: Buffer.byteLength(piece) });
      message = rest;
      bytes = Buffer.byteLength(rest);
    }
    this.keep({ timestamp, message, bytes });
  }

  private keep(line: Kept): void {
    this.remember(line);
    if (this.written < OUTPUT_HEAD_BYTES && this.held.length === 0) {
      this.written += line.bytes;
      this.sink(line);
      return;
    }
    this.held.push(line);
    this.heldBytes += line.bytes;
    while (this.heldBytes > OUTPUT_TAIL_BYTES && this.held.length > 1) {
      const gone = this.held.shift()!;
      this.heldBytes -= gone.bytes;
      this.dropped += gone.bytes;
    }
    const only = this.held[0]!;
    if (this.held.length === 1 && only.bytes > OUTPUT_TAIL_BYTES) {
      const keep = lastBytes(only.message, OUTPUT_TAIL_BYTES);
      const bytes = Buffer.byteLength(keep);
      this.dropped += only.bytes - bytes;
      this.held = [{ ...only, message: keep, bytes }];
      this.heldBytes = bytes;
    }
  }

  private remember(line: Kept): void {
    this.recent.push(line);
    this.recentBytes += line.bytes;
    while (this.recent.length > 1 && this.recentBytes - this.recent[0]!.bytes >= OUTPUT_TAIL_BYTES) {
      this.recentBytes -= this.recent.shift()!.bytes;
    }
  }

  /** A line too long for one event is written in event-sized pieces as its bytes arrive. */
  private cutPartial(): void {
    const [piece, rest] = splitAt(this.partial, MAX_EVENT_BYTES);
    this.output(piece, this.partialAt);
    this.partial = rest;
    this.partialBytes = Buffer.byteLength(rest);
  }

  private endStretch(): void {
    if (this.partial) {
      this.output(this.partial, this.partialAt);
      this.partial = '';
      this.partialBytes = 0;
    }
    if (this.dropped) {
      this.sink({
        timestamp: this.held[0]!.timestamp,
        message: `[pglambda: ${this.dropped} bytes of output dropped here: a log keeps the first ${OUTPUT_HEAD_BYTES} and the last ${OUTPUT_TAIL_BYTES} bytes of an invocation]\n`,
      });
    }
    for (const line of this.held) this.sink(line);
    this.written = 0;
    this.held = [];
    this.heldBytes = 0;
    this.dropped = 0;
  }
}

/** A text cut after its first `n` bytes, or a little less so that both parts hold whole characters. */
function splitAt(text: string, n: number): [string, string] {
  const buf = Buffer.from(text);
  let end = n;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return [buf.subarray(0, end).toString('utf8'), buf.subarray(end).toString('utf8')];
}

/** The last `n` bytes of a text, or a little less so that it starts on a whole character. */
function lastBytes(text: string, n: number): string {
  const buf = Buffer.from(text);
  let start = buf.length - n;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString('utf8');
}
