/**
 * CloudWatch Logs' output shapes and ARNs, with the members AWS answers today (LocalStack's
 * recordings of AWS, Feb 2026): a log group's `arn` ends in `:*`, `logGroupArn` does not.
 */
import type { LogEventRecord, LogGroupRecord, LogStreamRecord } from '../../logs/model.js';
import type { CallerContext } from '../request.js';

type Scope = Pick<CallerContext, 'accountId' | 'region'>;

export const groupArn = (s: Scope, group: string) => `arn:aws:logs:${s.region}:${s.accountId}:log-group:${group}`;
export const streamArn = (s: Scope, group: string, stream: string) => `${groupArn(s, group)}:log-stream:${stream}`;

/** What IAM authorizes an operation on: one stream, one group (any stream), or every group (`group` ''). */
export const logsResource = (s: Scope, group: string, stream = '') => streamArn(s, group, stream);

export function groupShape(s: Scope, g: LogGroupRecord, byPattern: boolean): Record<string, unknown> {
  const shape: Record<string, unknown> = {
    logGroupName: g.name,
    creationTime: g.createdMs,
    retentionInDays: g.retentionDays,
    metricFilterCount: 0,
    arn: `${groupArn(s, g.name)}:*`,
    logGroupClass: 'STANDARD',
    logGroupArn: groupArn(s, g.name),
  };
  if (g.kmsKeyId !== undefined) shape.kmsKeyId = g.kmsKeyId;
  // A search by pattern answers fewer members (the model says so, and AWS's recordings show it).
  if (!byPattern) Object.assign(shape, { storedBytes: g.storedBytes, deletionProtectionEnabled: false });
  return shape;
}

export function streamShape(s: Scope, group: string, st: LogStreamRecord): Record<string, unknown> {
  return {
    logStreamName: st.name,
    creationTime: st.createdMs,
    firstEventTimestamp: st.firstEventMs,
    lastEventTimestamp: st.lastEventMs,
    lastIngestionTime: st.lastIngestionMs,
    arn: streamArn(s, group, st.name),
    // Deprecated for streams: "reported as zero" (the model).
    storedBytes: 0,
  };
}

export const outputEvent = (e: LogEventRecord) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime });

/** AWS's event ids are 56 digits. */
export const filteredEvent = (e: LogEventRecord) => ({
  logStreamName: e.streamName,
  timestamp: e.timestamp,
  message: e.message,
  ingestionTime: e.ingestionTime,
  eventId: e.id.padStart(56, '0'),
});
