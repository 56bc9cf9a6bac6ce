/**
 * The service's end of the framed channel (src/runtime/frames.ts) to a runtime client pglambda
 * ships: the same Runtime API state as the HTTP listener, one frame each way per warm invoke.
 */
import type { Socket } from 'node:net';
import { encodeFrame, FrameReader, FrameType, type FrameSink } from '../../runtime/frames.js';
import { MAX_RESPONSE_BYTES, type InvocationSlot, type RuntimeInvocation, type Waiter } from './invocation-slot.js';

export class RuntimeChannel implements FrameSink {
  private readonly waiter: Waiter = {
    send: (inv) => this.socket.write(invokeFrame(inv)),
    // The runtime keeps waiting on the channel; whoever replaced this wait gets the invocation.
    cancel: () => undefined,
  };

  constructor(
    private readonly socket: Socket,
    private readonly slot: InvocationSlot,
  ) {
    const reader = new FrameReader(MAX_RESPONSE_BYTES, this);
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    // A write to a runtime that just died fails here; its exit is what reports it.
    socket.on('error', () => undefined);
  }

  frame(type: number, fields: string[], payload: Buffer): void {
    switch (type) {
      case FrameType.Ready:
        return this.slot.next(this.waiter);
      case FrameType.Response:
        this.slot.post(fields[0] ?? '', { kind: 'response', body: payload });
        return this.slot.next(this.waiter);
      case FrameType.Error:
        this.slot.post(fields[0] ?? '', { kind: 'error', body: payload, errorType: fields[1] || undefined });
        return this.slot.next(this.waiter);
      case FrameType.InitError:
        return this.slot.postInitError({ kind: 'init-error', body: payload, errorType: fields[0] || undefined });
    }
  }

  oversize(type: number, fields: string[], payloadBytes: number): void {
    if (type === FrameType.InitError) this.slot.postInitError({ kind: 'too-large', size: payloadBytes });
    else if (type === FrameType.Response || type === FrameType.Error) {
      this.slot.post(fields[0] ?? '', { kind: 'too-large', size: payloadBytes });
      this.slot.next(this.waiter);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function invokeFrame(inv: RuntimeInvocation): Buffer {
  return encodeFrame(
    FrameType.Invoke,
    [inv.requestId, String(inv.deadlineMs), inv.invokedFunctionArn, inv.traceId, inv.clientContext ?? ''],
    inv.payload,
  );
}
