/**
 * The service's end of the framed channel (frames.ts), for tests of the runtime clients: spawns
 * a runtime with the channel on fd 3, queues events for it, and collects what it sends back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { encodeFrame, FrameReader, FrameType } from '../../src/runtime/frames.js';
import { FUNCTION_ARN } from './runtime-api-server.js';
import { lambdaEnv, writeTaskRoot } from './runtime-process.js';

export interface ChannelEvent {
  id?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  deadlineMs?: number;
  clientContext?: string;
}

export interface ChannelPost {
  kind: 'response' | 'error' | 'init-error' | 'oversize';
  requestId?: string;
  errorType?: string;
  body: string;
  /** Payload length the frame announced. */
  bytes: number;
}

export class TestRuntimeChannel {
  readonly posted: ChannelPost[] = [];
  /** Times the runtime sent Ready (only its first wait for work is announced). */
  readyFrames = 0;
  stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #socket: Socket;
  readonly #queue: Array<Required<Pick<ChannelEvent, 'id'>> & ChannelEvent> = [];
  #waiting = false;
  readonly #wakers = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    this.#socket = child.stdio[3] as Socket;
    this.#socket.on('error', () => undefined);
    const reader = new FrameReader(6_291_556, {
      frame: (type, fields, payload) => {
        if (type === FrameType.Ready) this.readyFrames++;
        else this.#record(type, fields, payload.toString('utf8'), payload.length);
        if (type !== FrameType.InitError) this.#waiting = true;
        this.#dispatch();
      },
      oversize: (_type, fields, bytes) => {
        this.posted.push({ kind: 'oversize', requestId: fields[0], body: '', bytes });
        this.#waiting = true;
        this.#wake();
      },
    });
    this.#socket.on('data', (c: Buffer) => reader.push(c));
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      this.#wake();
    });
    child.stderr!.resume();
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  queue(event: ChannelEvent = {}): string {
    const id = event.id ?? randomUUID();
    this.#queue.push({ ...event, id });
    this.#dispatch();
    return id;
  }

  result(requestId: string): Promise<ChannelPost> {
    return this.#waitFor((p) => p.requestId === requestId);
  }

  initError(): Promise<ChannelPost> {
    return this.#waitFor((p) => p.kind === 'init-error');
  }

  /** Resolves once the runtime waits for work. */
  waiting(): Promise<void> {
    return this.#until(() => this.#waiting);
  }

  waitForOutput(text: string): Promise<void> {
    return this.#until(() => this.stdout.includes(text));
  }

  /** Closes the service's end, as stopping an environment does. */
  close(): void {
    this.#socket.destroy();
  }

  #record(type: number, fields: string[], body: string, bytes: number): void {
    if (type === FrameType.Response) this.posted.push({ kind: 'response', requestId: fields[0], body, bytes });
    else if (type === FrameType.Error) this.posted.push({ kind: 'error', requestId: fields[0], errorType: fields[1], body, bytes });
    else if (type === FrameType.InitError) this.posted.push({ kind: 'init-error', errorType: fields[0], body, bytes });
  }

  #dispatch(): void {
    if (this.#waiting && this.#queue.length > 0) {
      const e = this.#queue.shift()!;
      this.#waiting = false;
      const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? {});
      const deadline = String(e.deadlineMs ?? Date.now() + 30_000);
      const trace = `Root=1-${Date.now().toString(16)}-000000000000000000000000;Parent=0000000000000000;Sampled=0`;
      this.#socket.write(encodeFrame(FrameType.Invoke, [e.id, deadline, FUNCTION_ARN, trace, e.clientContext ?? ''], body));
    }
    this.#wake();
  }

  async #waitFor(match: (p: ChannelPost) => boolean): Promise<ChannelPost> {
    await this.#until(() => this.posted.some(match));
    return this.posted.find(match)!;
  }

  #until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        this.#wakers.delete(check);
        resolve();
      };
      this.#wakers.add(check);
      check();
    });
  }

  #wake(): void {
    for (const check of [...this.#wakers]) check();
  }
}

/** Writes `files`, spawns `command args` with the channel on fd 3 as the service does, and registers cleanup on `t`. */
export function startOnChannel(
  t: TestContext,
  runtime: { command: string; args: string[] },
  files: Record<string, string>,
  handler: string,
  env: NodeJS.ProcessEnv = {},
): { channel: TestRuntimeChannel; dir: string } {
  const root = writeTaskRoot(files);
  const child = spawn(runtime.command, runtime.args, {
    cwd: root.dir,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // Nothing listens at that Runtime API address: a client that ignored the channel would fail at once.
    env: { ...lambdaEnv('127.0.0.1:9', root.dir, handler), _PGLAMBDA_CHANNEL_FD: '3', ...env },
  });
  const channel = new TestRuntimeChannel(child);
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await channel.exited;
    root.remove();
  });
  return { channel, dir: root.dir };
}
