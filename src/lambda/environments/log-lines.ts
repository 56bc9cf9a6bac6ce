/** The platform lines Lambda writes around each invocation (lambda-wire §5). */
import { randomBytes, randomUUID } from 'node:crypto';

export interface ReportInput {
  requestId: string;
  durationMs: number;
  memorySize: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  status?: 'timeout' | 'error';
  errorType?: string;
}

export const startLine = (requestId: string, version: string) => `START RequestId: ${requestId} Version: ${version}\n`;
export const endLine = (requestId: string) => `END RequestId: ${requestId}\n`;

export function reportLine(r: ReportInput): string {
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms\tMemory Size: ${r.memorySize} MB\t` +
    `Max Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  // AWS puts Init Duration last among the measured fields on a cold start.
  if (r.initDurationMs !== undefined) line += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
  if (r.status) line += `Status: ${r.status}\t`;
  if (r.errorType) line += `Error Type: ${r.errorType}\t`;
  return `${line}\n`;
}

/** `YYYY/MM/DD/[version]<32 hex>`, one stream per execution environment. */
export function logStreamName(version: string, now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[${version}]${randomBytes(16).toString('hex')}`;
}

/** X-Ray trace header the runtime copies into _X_AMZN_TRACE_ID. */
export function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  // randomUUID draws from a pre-filled pool; two randomBytes calls per invoke showed in profiles.
  const hex = randomUUID().replace(/-/g, '');
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${hex.slice(16, 32)};Sampled=0`;
}

const TAIL_BYTES = 4096;

/** The last 4 KB of a log, cut on a UTF-8 character boundary, base64 (X-Amz-Log-Result). */
export function logTail(log: string): string {
  let buf = Buffer.from(log, 'utf8');
  if (buf.length > TAIL_BYTES) {
    let start = buf.length - TAIL_BYTES;
    // Skip continuation bytes (10xxxxxx) so the tail starts on a character.
    while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
    buf = buf.subarray(start);
  }
  return buf.toString('base64');
}
