/**
 * Encoders of the backend messages the bridge sends, each appending to a MessageWriter.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import type { PgError, Severity } from './errors.js';
import { AuthenticationCode, BackendCode, ErrorField, TransactionStatus } from './message-codes.js';
import { MessageWriter } from './message-writer.js';

export interface Column {
  name: string;
  typeOid: number;
}

/** pg_type.typlen of the fixed-size types a result may carry; every other type reports -1 (varlena). */
const TYPE_LENGTH: Record<number, number> = {
  16: 1, // bool
  20: 8, // int8
  21: 2, // int2
  23: 4, // int4
  26: 4, // oid
  700: 4, // float4
  701: 8, // float8
};

export function authenticationOk(w: MessageWriter): void {
  w.begin(BackendCode.Authentication).int32(AuthenticationCode.Ok).end();
}

export function authenticationSASL(w: MessageWriter, mechanisms: readonly string[]): void {
  w.begin(BackendCode.Authentication).int32(AuthenticationCode.SASL);
  for (const mechanism of mechanisms) w.cstring(mechanism);
  w.int8(0).end();
}

export function authenticationSASLContinue(w: MessageWriter, data: string): void {
  w.begin(BackendCode.Authentication).int32(AuthenticationCode.SASLContinue).string(data).end();
}

export function authenticationSASLFinal(w: MessageWriter, data: string): void {
  w.begin(BackendCode.Authentication).int32(AuthenticationCode.SASLFinal).string(data).end();
}

export function parameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin(BackendCode.ParameterStatus).cstring(name).cstring(value).end();
}

export function backendKeyData(w: MessageWriter, processId: number, secretKey: number): void {
  w.begin(BackendCode.BackendKeyData).int32(processId).int32(secretKey).end();
}

/** Answers a client asking for a newer 3.x minor version or `_pq_.` options we do not know. */
export function negotiateProtocolVersion(w: MessageWriter, minor: number, unrecognized: readonly string[]): void {
  w.begin(BackendCode.NegotiateProtocolVersion).int32(minor).int32(unrecognized.length);
  for (const option of unrecognized) w.cstring(option);
  w.end();
}

export function readyForQuery(w: MessageWriter): void {
  w.begin(BackendCode.ReadyForQuery).int8(TransactionStatus.Idle).end();
}

/** Each column list's message, encoded once: a server answers most queries with a constant list (the bridge with one). */
const descriptions = new WeakMap<readonly Column[], Buffer>();

/** `columns` is read once per array: an array changed after its first use keeps its first message. */
export function rowDescription(w: MessageWriter, columns: readonly Column[]): void {
  let message = descriptions.get(columns);
  if (!message) {
    const one = new MessageWriter();
    encodeRowDescription(one, columns);
    message = Buffer.from(one.take());
    descriptions.set(columns, message);
  }
  w.bytes(message);
}

function encodeRowDescription(w: MessageWriter, columns: readonly Column[]): void {
  w.begin(BackendCode.RowDescription).int16(columns.length);
  for (const { name, typeOid } of columns) {
    // No source table or column, text format, no type modifier.
    w.cstring(name)
      .int32(0)
      .int16(0)
      .int32(typeOid)
      .int16(TYPE_LENGTH[typeOid] ?? -1)
      .int32(-1)
      .int16(0);
  }
  w.end();
}

export function dataRow(w: MessageWriter, values: readonly (string | null)[]): void {
  w.begin(BackendCode.DataRow).int16(values.length);
  for (const value of values) w.lengthPrefixed(value);
  w.end();
}

export function commandComplete(w: MessageWriter, tag: string): void {
  w.begin(BackendCode.CommandComplete).cstring(tag).end();
}

export function emptyQueryResponse(w: MessageWriter): void {
  w.begin(BackendCode.EmptyQueryResponse).end();
}

/** `severity` overrides the error's own: a failure that ends the session is FATAL whatever raised it. */
export function errorResponse(w: MessageWriter, err: PgError, severity = err.severity): void {
  fields(w.begin(BackendCode.ErrorResponse), err, severity);
}

export function noticeResponse(w: MessageWriter, notice: PgError): void {
  fields(w.begin(BackendCode.NoticeResponse), notice, notice.severity);
}

function fields(w: MessageWriter, { code, message, detail, hint }: PgError, severity: Severity): void {
  w.int8(ErrorField.Severity).cstring(severity);
  w.int8(ErrorField.SeverityV).cstring(severity);
  w.int8(ErrorField.Code).cstring(code);
  w.int8(ErrorField.Message).cstring(message);
  if (detail !== undefined) w.int8(ErrorField.Detail).cstring(detail);
  if (hint !== undefined) w.int8(ErrorField.Hint).cstring(hint);
  w.int8(0).end();
}
