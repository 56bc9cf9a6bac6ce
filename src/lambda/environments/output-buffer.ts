/**
 * What a function's processes print, kept with a bound whatever they print: the first
 * OUTPUT_HEAD_BYTES of each stretch (an invocation, or an init) and its last OUTPUT_TAIL_BYTES (what
 * Lambda's Tail shows), with a marker saying how much was dropped between them. A function that
 * floods its output costs neither memory nor a crash; its log says what happened.
 */

/** Stored per invocation at most (CloudWatch keeps more; a local log need not). */
export const OUTPUT_HEAD_BYTES = 1024 * 1024;
/** At least the Tail's 4 KB, whole lines around it. */
export const OUTPUT_TAIL_BYTES = 16 * 1024;

export class OutputBuffer {
  private head = '';
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private dropped = 0;

  append(text: string): void {
    if (this.headBytes < OUTPUT_HEAD_BYTES && this.dropped === 0 && this.tailBytes === 0) {
      const room = OUTPUT_HEAD_BYTES - this.headBytes;
      const bytes = Buffer.byteLength(text);
      if (bytes <= room) {
        this.head += text;
        this.headBytes += bytes;
        return;
      }
      const fits = Buffer.from(text).subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
      this.head += fits;
      this.headBytes += Buffer.byteLength(fits);
      text = text.slice(fits.length);
    }
    this.tail.push(text);
    this.tailBytes += Buffer.byteLength(text);
    while (this.tailBytes > OUTPUT_TAIL_BYTES && this.tail.length > 1) {
      const gone = this.tail.shift()!;
      const bytes = Buffer.byteLength(gone);
      this.tailBytes -= bytes;
      this.dropped += bytes;
    }
    if (this.tail.length === 1 && this.tailBytes > OUTPUT_TAIL_BYTES) {
      const only = this.tail[0]!;
      const keep = only.slice(-OUTPUT_TAIL_BYTES);
      this.dropped += Buffer.byteLength(only) - Buffer.byteLength(keep);
      this.tail = [keep];
      this.tailBytes = Buffer.byteLength(keep);
    }
  }

  /** What was kept, and empties the buffer for the next stretch. */
  take(): string {
    const marker = this.dropped ? `\n[pglambda: ${this.dropped} bytes of output dropped here: a log keeps the first ${OUTPUT_HEAD_BYTES} and the last ${OUTPUT_TAIL_BYTES} bytes of an invocation]\n` : '';
    const out = this.head + marker + this.tail.join('');
    this.head = '';
    this.headBytes = 0;
    this.tail = [];
    this.tailBytes = 0;
    this.dropped = 0;
    return out;
  }

  /** Whether the kept output matches: enough to tell an out-of-memory death by what the runtime printed. */
  test(pattern: RegExp): boolean {
    return pattern.test(this.head) || this.tail.some((t) => pattern.test(t));
  }
}
