/**
 * The runtime's end of the framed channel the service opens on `_PGLAMBDA_CHANNEL_FD`
 * (src/runtime/frames.ts): once Ready, then per invoke one frame in with the event and one out
 * with the outcome.
 */
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { encodeFrame, FrameReader, FrameType, type FrameSink } from '../frames.js';
import type { ErrorResponse } from './errors.js';
import { RuntimeApiUnavailable, type Invocation, type RuntimeClient } from './runtime-client.js';

/** Events are bounded by the Invoke API (6 MiB); a larger frame means a confused peer. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;
const READ_BUFFER_BYTES = 64 * 1024;

export class ChannelClient implements RuntimeClient, FrameSink {
  /** Waiting for work costs nothing here (no request to make): the loop asks again at once. */
  readonly asksAtOnce = true;
  readonly #socket: Socket;
  #waiting: { resolve: (inv: Invocation) => void; reject: (err: Error) => void } | null = null;
  /** An invocation that came before the loop asked for it (the service sends one as soon as we post). */
  #early: Invocation | null = null;
  #readySent = false;

  /** `onClosed` runs when the service closes the channel (or dies), whatever the runtime is doing. */
  constructor(fd: number, onClosed: () => void) {
    const reader = new FrameReader(MAX_EVENT_BYTES, this);
    // Reads land in one reused buffer, not a new one per read pushed through a Readable stream:
    // that machinery cost a sixth of a no-op invoke's CPU in this process. Node documents `onread`
    // for `new net.Socket`; its type definitions for Node 20 list it for connect() only.
    const onread: OnReadOpts = {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (n, buf) => {
        reader.push(Buffer.from(buf.buffer, buf.byteOffset, n), true);
        return true;
      },
    };
    const options: SocketConstructorOpts & { onread: OnReadOpts } = { fd, readable: true, writable: true, onread };
    this.#socket = new Socket(options);
    const closed = (err?: Error): void => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.reject(new RuntimeApiUnavailable(err ?? new Error('channel closed')));
      onClosed();
    };
    this.#socket.once('end', () => closed()).once('error', closed);
    // Only a wait for work keeps the process alive; while a handler runs, the event loop running
    // dry must still be seen ('beforeExit'), as with the HTTP client's idle keep-alive socket.
    this.#socket.unref();
  }

  next(): Promise<Invocation> {
    const early = this.#early;
    if (early) {
      this.#early = null;
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.ref();
      if (this.#readySent) return;
      this.#readySent = true;
      this.#socket.write(encodeFrame(FrameType.Ready, []));
    });
  }

  postResponse(id: string, json: string): Promise<void> {
    return this.#write(encodeFrame(FrameType.Response, [id], json));
  }

  postError(id: string, error: ErrorResponse): Promise<void> {
    return this.#write(encodeFrame(FrameType.Error, [id, error.errorType], JSON.stringify(error)));
  }

  postInitError(error: ErrorResponse): Promise<void> {
    return this.#write(encodeFrame(FrameType.InitError, [error.errorType], JSON.stringify(error)));
  }

  /**
   * Resolves once the frame is with the kernel, so a process exiting right after still delivers it.
   * Usually the write goes straight through (nothing left queued), and nothing need wait for its callback.
   */
  #write(frame: Buffer): Promise<void> {
    let written: (() => void) | undefined;
    this.#socket.write(frame, () => written?.());
    if (this.#socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => (written = resolve));
  }

  frame(type: number, fields: string[], payload: Buffer): void {
    if (type !== FrameType.Invoke) return;
    const invocation: Invocation = {
      id: fields[0]!,
      event: payload.toString('utf8'),
      deadlineMs: Number(fields[1]),
      invokedFunctionArn: fields[2] || undefined,
      traceId: fields[3] || undefined,
      clientContext: fields[4] || undefined,
      cognitoIdentity: undefined,
      tenantId: undefined,
    };
    const waiting = this.#waiting;
    if (!waiting) {
      this.#early = invocation;
      return;
    }
    this.#waiting = null;
    this.#socket.unref();
    waiting.resolve(invocation);
  }

  oversize(): void {
    this.#socket.destroy(new Error('the service sent an event larger than any Invoke allows'));
  }
}
