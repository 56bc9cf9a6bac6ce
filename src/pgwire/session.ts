/**
 * One client connection: startup, SCRAM authentication, then simple queries handed to the
 * handler one at a time. Messages are read from the buffer only while the session is idle, so a
 * pipelined query waits in the buffer (and, past HIGH_WATER, in the kernel) until its turn.
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/logger.js';
import { MECHANISMS, ScramLogin } from './authentication.js';
import * as send from './backend-messages.js';
import { PgError, SqlState, toPgError } from './errors.js';
import { decodeQuery, decodeSASLInitialResponse, decodeSASLResponse, decodeStartup } from './frontend-messages.js';
import { type Frame, MessageBuffer } from './message-buffer.js';
import { FrontendCode } from './message-codes.js';
import { MessageWriter } from './message-writer.js';
import type { PgWireHandlers, QueryResult, SessionInfo, SessionSecurity } from './server.js';

const ServerStep = {
  AwaitingStartup: 'AwaitingStartup',
  Authenticating: 'Authenticating',
  Ready: 'Ready',
  Closed: 'Closed',
} as const;
type ServerStep = (typeof ServerStep)[keyof typeof ServerStep];

/** PostgreSQL's authentication_timeout: a client that never finishes logging in loses its socket. */
const AUTHENTICATION_TIMEOUT_MS = 60_000;
/** Unparsed input kept while a query runs before we stop reading the socket. */
const HIGH_WATER = 1024 * 1024;
/** PostgreSQL's own answers to SSLRequest: go ahead with TLS, or not (and to GSSENCRequest, always not). */
const ACCEPT_TLS = Buffer.from('S');
const DECLINE = 0x4e; // N
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: no message before login may be longer. */
const MAX_LOGIN_MESSAGE = 65_535;
const UTF8_NAMES = new Set(['utf8', 'unicode']);

type Handler = (session: Session, frame: Frame) => void;

const refuseExtended: Handler = (s) => s.refuseExtended();
const ignore: Handler = () => {};

const AUTHENTICATING: Partial<Record<number, Handler>> = {
  [FrontendCode.Password]: (s, f) => s.sasl(f),
  [FrontendCode.Terminate]: (s) => s.close(),
};

const READY: Partial<Record<number, Handler>> = {
  [FrontendCode.Query]: (s, f) => void s.query(decodeQuery(f)),
  [FrontendCode.Parse]: refuseExtended,
  [FrontendCode.Bind]: refuseExtended,
  [FrontendCode.Describe]: refuseExtended,
  [FrontendCode.Execute]: refuseExtended,
  [FrontendCode.Close]: refuseExtended,
  // Every response is written as soon as it is complete: there is never anything to flush.
  [FrontendCode.Flush]: ignore,
  [FrontendCode.Sync]: (s) => s.sync(),
  [FrontendCode.FunctionCall]: (s) => s.refuseFunctionCall(),
  // The protocol says to ignore COPY messages outside a COPY, as PostgreSQL does.
  [FrontendCode.CopyData]: ignore,
  [FrontendCode.CopyDone]: ignore,
  [FrontendCode.CopyFail]: ignore,
  [FrontendCode.Terminate]: (s) => s.close(),
};

export class Session {
  private step: ServerStep = ServerStep.AwaitingStartup;
  private readonly frames = new MessageBuffer();
  private readonly out = new MessageWriter();
  /** Waiting for the handler (or the verifier): read no further message meanwhile. */
  private busy = false;
  /** Waiting for the socket to drain our output before producing more. */
  private draining = false;
  private paused = false;
  /** After an error in extended protocol, PostgreSQL skips every message up to Sync. */
  private discarding = false;
  private info?: SessionInfo;
  private authenticated = false;
  private login?: ScramLogin;
  private readonly loginTimer: NodeJS.Timeout;
  private encrypted = false;

  constructor(
    private socket: net.Socket,
    private readonly handlers: PgWireHandlers,
    private readonly parameterStatus: readonly [string, string][],
    private readonly id: number,
    private readonly logger: Logger,
    private readonly security: SessionSecurity = {},
  ) {
    socket.setNoDelay(true);
    this.loginTimer = setTimeout(() => this.socket.destroy(), AUTHENTICATION_TIMEOUT_MS).unref();
    this.listen(socket);
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A reset or broken pipe ends this session only; 'close' follows.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose());
  }

  /**
   * Continues the session over TLS on the same connection, as PostgreSQL does after answering 'S'
   * to SSLRequest. Bytes the client sent after its SSLRequest and before the handshake would be
   * plaintext smuggled into the encrypted session: refused, as PostgreSQL refuses them.
   */
  private startTls(context: tls.SecureContext): void {
    if (this.frames.buffered > 0) throw PgError.fatal(SqlState.ProtocolViolation, 'received unencrypted data after SSL request');
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    raw.write(ACCEPT_TLS);
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
    secure.setNoDelay(true);
    this.socket = secure;
    this.encrypted = true;
    this.listen(secure);
  }

  sasl(frame: Frame): void {
    const login = this.login!;
    if (login.started) return this.loggedIn(login.final(decodeSASLResponse(frame)));
    const initial = decodeSASLInitialResponse(frame);
    void this.wait(async () => send.authenticationSASLContinue(this.out, await login.first(initial)));
  }

  async query(sql: string): Promise<void> {
    if (sql.trim() === '') {
      send.emptyQueryResponse(this.out);
      send.readyForQuery(this.out);
      return;
    }
    await this.wait(async () => {
      try {
        this.result(await this.handlers.onQuery(this.info!, sql));
      } catch (err) {
        const pgErr = this.told(err, 'query failed');
        if (pgErr.severity === 'FATAL') throw pgErr;
        send.errorResponse(this.out, pgErr);
      }
      send.readyForQuery(this.out);
    });
  }

  refuseExtended(): void {
    this.discarding = true;
    send.errorResponse(
      this.out,
      new PgError(SqlState.FeatureNotSupported, 'extended query protocol not supported', {
        hint: 'This server takes simple Query messages only (PQexec, not PQexecParams or PQprepare).',
      }),
    );
  }

  refuseFunctionCall(): void {
    send.errorResponse(this.out, new PgError(SqlState.FeatureNotSupported, 'function call messages are not supported'));
    send.readyForQuery(this.out);
  }

  sync(): void {
    this.discarding = false;
    send.readyForQuery(this.out);
  }

  close(): void {
    this.step = ServerStep.Closed;
    this.flush();
    if (!this.socket.destroyed) this.socket.end(() => this.socket.destroy());
  }

  private onData(chunk: Buffer): void {
    if (this.step === ServerStep.Closed) return;
    this.frames.push(chunk);
    if (!this.busy && !this.draining) this.pump();
    else if (!this.paused && this.frames.buffered > HIGH_WATER) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** Handles every whole message buffered, then writes all their responses at once. */
  private pump(): void {
    try {
      while (!this.busy && !this.draining && this.step !== ServerStep.Closed && this.nextFrame()) {
        this.dispatch(this.frames.frame);
      }
    } catch (err) {
      this.fatal(err);
    }
    this.flush();
    if (this.paused && !this.busy && !this.draining) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Until login, messages are as short as PostgreSQL allows them: an unauthenticated client cannot make us buffer more. */
  private nextFrame(): boolean {
    return this.frames.next(this.step === ServerStep.AwaitingStartup, this.authenticated ? undefined : MAX_LOGIN_MESSAGE);
  }

  private dispatch(frame: Frame): void {
    switch (this.step) {
      case ServerStep.AwaitingStartup:
        return this.startup(frame);
      case ServerStep.Authenticating: {
        const handler = AUTHENTICATING[frame.code];
        if (!handler) throw PgError.fatal(SqlState.ProtocolViolation, `expected SASL response, got message type ${frame.code}`);
        return handler(this, frame);
      }
      default: {
        const handler = READY[frame.code];
        if (!handler) throw PgError.fatal(SqlState.ProtocolViolation, `invalid frontend message type ${frame.code}`);
        if (this.discarding && frame.code !== FrontendCode.Sync && frame.code !== FrontendCode.Terminate) return;
        return handler(this, frame);
      }
    }
  }

  private startup(frame: Frame): void {
    const packet = decodeStartup(frame);
    if (packet.kind === 'ssl' && this.security.tls && !this.encrypted) return this.startTls(this.security.tls);
    if (packet.kind === 'ssl' || packet.kind === 'gssenc') {
      // A bare byte, not a message; the client then sends its real startup packet in the clear.
      this.out.int8(DECLINE);
      return;
    }
    if (packet.kind === 'cancel') return this.close();
    if (this.security.requireTls && !this.encrypted) {
      throw PgError.fatal(SqlState.InvalidAuthorizationSpecification, 'the pglambda bridge accepts encrypted connections only', {
        hint: 'Connect with sslmode=require or stronger (pglambda install --bridge-sslmode verify-full --bridge-sslrootcert CA-FILE).',
      });
    }
    const { parameters, minor, protocolOptions } = packet;
    const user = parameters.user;
    if (!user) throw PgError.fatal(SqlState.InvalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet');
    const encoding = parameters.client_encoding;
    if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
      throw PgError.fatal(
        SqlState.InvalidParameterValue,
        `client_encoding "${encoding}" is not supported: the pglambda bridge speaks UTF8 only`,
        {
          hint: 'The database calling the bridge must use the UTF8 encoding.',
        },
      );
    }
    if (minor > 0 || protocolOptions.length > 0) send.negotiateProtocolVersion(this.out, 0, protocolOptions);
    const database = parameters.database || user;
    this.info = {
      id: this.id,
      user,
      database,
      applicationName: parameters.application_name,
      remoteAddress: this.socket.remoteAddress ?? '',
      parameters,
    };
    this.login = new ScramLogin(user, database, this.handlers.verifierFor.bind(this.handlers), this.logger);
    send.authenticationSASL(this.out, MECHANISMS);
    this.step = ServerStep.Authenticating;
  }

  private loggedIn(serverFinal: string): void {
    send.authenticationSASLFinal(this.out, serverFinal);
    send.authenticationOk(this.out);
    for (const [name, value] of this.parameterStatus) send.parameterStatus(this.out, name, value);
    send.backendKeyData(this.out, this.id, randomBytes(4).readInt32BE());
    send.readyForQuery(this.out);
    this.step = ServerStep.Ready;
    this.authenticated = true;
    clearTimeout(this.loginTimer);
  }

  private result({ columns, rows, command, notices }: QueryResult): void {
    const mark = this.out.length;
    try {
      for (const notice of notices ?? []) send.noticeResponse(this.out, notice);
      if (columns.length > 0) {
        send.rowDescription(this.out, columns);
        for (const row of rows) send.dataRow(this.out, row);
      }
      send.commandComplete(this.out, command);
    } catch (err) {
      // A result the handler got wrong must not reach the client half-written.
      this.out.truncate(mark);
      throw err;
    }
  }

  /** Runs `work` with message reading suspended; an error it throws ends the session. */
  private async wait(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await work();
    } catch (err) {
      this.fatal(err);
    }
    this.busy = false;
    if (this.step !== ServerStep.Closed) this.pump();
  }

  private fatal(err: unknown): void {
    if (this.step === ServerStep.Closed) return;
    send.errorResponse(this.out, this.told(err, 'session failed'), 'FATAL');
    this.close();
  }

  /** What the client is told of `err`; an error it is not told is logged. */
  private told(err: unknown, context: string): PgError {
    if (!(err instanceof PgError)) this.logger.error({ err, session: this.id, user: this.info?.user }, context);
    return toPgError(err);
  }

  private flush(): void {
    if (this.out.length === 0 || this.socket.destroyed || this.socket.writableEnded) return;
    if (this.socket.write(this.out.take())) return;
    this.draining = true;
    this.socket.once('drain', () => {
      this.draining = false;
      if (this.step !== ServerStep.Closed) this.pump();
    });
  }

  private onClose(): void {
    this.step = ServerStep.Closed;
    clearTimeout(this.loginTimer);
    if (!this.authenticated || !this.info) return;
    try {
      this.handlers.onClose?.(this.info);
    } catch (err) {
      this.logger.error({ err, session: this.id }, 'onClose failed');
    }
  }
}
