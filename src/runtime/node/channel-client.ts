/**
 * The runtime's end of the framed channel the service opens on `_PGLAMBDA_CHANNEL_FD`
 * (src/runtime/frames.ts): once Ready, then per invoke one frame in with the event and one out
 * with the outcome.
 *
 * Between invocations the process blocks in a read of the channel, as the Python runtime does:
 * once the event loop has taken its turn after an invocation, nothing of the function runs until
 * the next event comes, which is Lambda's freeze and thaw (a timer falling due meanwhile fires
 * once the next event came, before its handler runs), and waiting costs neither the event loop's
 * machinery nor a stream's. Writes are synchronous too: frames are small, and the service reads
 * them at once. A handler runs with the event loop, so the channel goes unread meanwhile: a
 * service that goes away then is seen by the parent watch (stdin's end).
 */
import { readSync, writeSync } from 'node:fs';
import { encodeFrame, FrameReader, FrameType, type FrameSink } from '../frames.js';
import type { ErrorResponse } from './errors.js';
import { RuntimeApiUnavailable, type Invocation, type RuntimeClient } from './runtime-client.js';

/** Events are bounded by the Invoke API (6 MiB); a larger frame means a confused peer. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;
const READ_BUFFER_BYTES = 64 * 1024;

export class ChannelClient implements RuntimeClient, FrameSink {
  readonly #reader = new FrameReader(MAX_EVENT_BYTES, this);
  readonly #buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** The invocation the last read completed, taken by `next`. */
  #received: Invocation | null = null;
  #broken: Error | null = null;
  #readySent = false;

  /** `fd` must be in blocking mode, as a socketpair end the service hands its child is. */
  constructor(private readonly fd: number) {}

  /**
   * Blocks until the service sends an event. The channel's end of file (the service closed it, or
   * died) rejects with RuntimeApiUnavailable, upon which the loop exits.
   */
  next(): Promise<Invocation> {
    try {
      if (!this.#readySent) {
        this.#readySent = true;
        this.#write(encodeFrame(FrameType.Ready, []));
      }
      while (!this.#received) {
        const n = this.#read();
        if (n === 0) throw new Error('channel closed');
        this.#reader.push(this.#buffer.subarray(0, n), true);
        if (this.#broken) throw this.#broken;
      }
    } catch (err) {
      return Promise.reject(new RuntimeApiUnavailable(err));
    }
    const invocation = this.#received;
    this.#received = null;
    // Thawed: the event loop takes a turn before the handler runs, so what came while the process
    // waited is seen first: timers that fell due fire, and a keep-alive connection its peer closed
    // meanwhile leaves its agent's pool rather than failing the handler's request (ECONNRESET).
    return new Promise((resolve) => setImmediate(resolve, invocation));
  }

  /** A signal (the inspector's SIGUSR1) may interrupt the wait; only the channel's end ends it. */
  #read(): number {
    for (;;) {
      try {
        return readSync(this.fd, this.#buffer, 0, READ_BUFFER_BYTES, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINTR') throw err;
      }
    }
  }

  postResponse(id: string, json: string): Promise<void> {
    return this.#post(encodeFrame(FrameType.Response, [id], json));
  }

  postError(id: string, error: ErrorResponse): Promise<void> {
    return this.#post(encodeFrame(FrameType.Error, [id, error.errorType], JSON.stringify(error)));
  }

  postInitError(error: ErrorResponse): Promise<void> {
    return this.#post(encodeFrame(FrameType.InitError, [error.errorType], JSON.stringify(error)));
  }

  frame(type: number, fields: string[], payload: Buffer): void {
    if (type !== FrameType.Invoke) return;
    this.#received = {
      id: fields[0]!,
      event: payload.toString('utf8'),
      deadlineMs: Number(fields[1]),
      invokedFunctionArn: fields[2] || undefined,
      traceId: fields[3] || undefined,
      clientContext: fields[4] || undefined,
      cognitoIdentity: undefined,
      tenantId: undefined,
    };
  }

  oversize(): void {
    this.#broken = new Error('the service sent an event larger than any Invoke allows');
  }

  /** Once this resolves the frame is with the kernel, so a process exiting right after still delivers it. */
  #post(frame: Buffer): Promise<void> {
    try {
      this.#write(frame);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(new RuntimeApiUnavailable(err));
    }
  }

  #write(frame: Buffer): void {
    for (let at = 0; at < frame.length; ) at += writeSync(this.fd, frame, at, frame.length - at);
  }
}
