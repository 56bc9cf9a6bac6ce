/**
 * CloudWatch Logs' data as pglambda keeps it: log groups (a Lambda function's is
 * `/aws/lambda/<name>`), one log stream per execution environment, and log events, each one line
 * as it was written, with the time it was written and the time it was stored. The lines a stream
 * gets between two writes are stored together, as one chunk (two or more when they are many or far
 * apart in time).
 */

/**
 * At most this many lines in a chunk: a line's id is its chunk's id times this plus its place in
 * the chunk (logs:3 composes them so in the view logs.log_events).
 */
export const CHUNK_LINES = 65536;
/**
 * A chunk's lines lie within this many milliseconds, so a read of the lines from a time on needs
 * only the chunks whose first line is at most this much earlier (an index range, not the group's
 * history before it). A flush's lines usually span the writer's FLUSH_MS; more only after the database was away.
 */
export const CHUNK_SPAN_MS = 10_000;
/** A chunk's lines as rows (ts, message, n: the place from 1), for `c`, a row of logs.log_chunks. */
export const CHUNK_LINES_SQL = 'unnest(c.ts, c.messages) with ordinality as l(ts, message, n)';
/** The id of line `l` of chunk `c`. */
export const LINE_ID_SQL = `(c.id * ${CHUNK_LINES} + l.n - 1)`;

/** One line of a log as it was written: when (ms since the epoch), and the text with its newline. */
export interface LogLine {
  timestamp: number;
  message: string;
}

export type LogLineSink = (line: LogLine) => void;

export interface GroupKey {
  accountId: string;
  region: string;
  group: string;
}

export interface StreamKey extends GroupKey {
  stream: string;
}

export const lambdaLogGroup = (functionName: string) => `/aws/lambda/${functionName}`;

export interface LogGroupRecord {
  id: string;
  name: string;
  createdMs: number;
  /** Days its events are kept; undefined keeps them forever. */
  retentionDays: number | undefined;
  storedBytes: number;
  kmsKeyId: string | undefined;
}

export interface LogStreamRecord {
  id: string;
  name: string;
  createdMs: number;
  firstEventMs: number | undefined;
  lastEventMs: number | undefined;
  lastIngestionMs: number | undefined;
}

export interface LogEventRecord {
  id: string;
  streamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** What a paged read returns: a page, and where the next one starts (undefined: there is none). */
export interface Page<T, C> {
  items: T[];
  next: C | undefined;
}
