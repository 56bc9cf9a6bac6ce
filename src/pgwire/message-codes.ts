/**
 * Message identifiers of PostgreSQL's frontend/backend protocol 3.0, as the byte values that start
 * each message, so the session can dispatch on a number without decoding a letter first.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

export const FrontendCode = {
  Query: 0x51, // Q
  Parse: 0x50, // P
  Bind: 0x42, // B
  Describe: 0x44, // D
  Execute: 0x45, // E
  Close: 0x43, // C
  Flush: 0x48, // H
  Sync: 0x53, // S
  FunctionCall: 0x46, // F
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyFail: 0x66, // f
  /** PasswordMessage, SASLInitialResponse and SASLResponse share this code; the step tells them apart. */
  Password: 0x70, // p
  Terminate: 0x58, // X
} as const;

export const BackendCode = {
  Authentication: 0x52, // R
  ParameterStatus: 0x53, // S
  BackendKeyData: 0x4b, // K
  NegotiateProtocolVersion: 0x76, // v
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
  DataRow: 0x44, // D
  CommandComplete: 0x43, // C
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  NoticeResponse: 0x4e, // N
} as const;

/** The int32 that follows an Authentication message's length. */
export const AuthenticationCode = {
  Ok: 0,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/**
 * Untyped first packets are told apart by the int32 after the length: a protocol version, or one of
 * these magic numbers PostgreSQL chose outside any real version (1234.5678 and neighbours).
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-STARTUPMESSAGE
 */
export const StartupCode = {
  CancelRequest: 80877102,
  SSLRequest: 80877103,
  GSSENCRequest: 80877104,
} as const;

/** Fields of ErrorResponse and NoticeResponse. @see https://www.postgresql.org/docs/current/protocol-error-fields.html */
export const ErrorField = {
  Severity: 0x53, // S (localized)
  SeverityV: 0x56, // V (never localized, since 9.6)
  Code: 0x43, // C
  Message: 0x4d, // M
  Detail: 0x44, // D
  Hint: 0x48, // H
} as const;

/** ReadyForQuery's status byte: the bridge never holds a transaction, so it is always idle. */
export const TransactionStatus = {
  Idle: 0x49, // I
} as const;
