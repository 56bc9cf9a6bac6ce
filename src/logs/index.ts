/** CloudWatch Logs' state: the writer that stores lines as they come, and what reads them back. */
import type { Pool } from 'pg';
import type { Logger } from '../log/logger.js';
import { InvocationLogs } from './invocations.js';
import { LogEvents } from './log-events.js';
import { LogGroups } from './log-groups.js';
import { LogStreams } from './log-streams.js';
import { LogWriter } from './log-writer.js';
import { LogRetention } from './retention.js';

export interface Logs {
  writer: LogWriter;
  groups: LogGroups;
  streams: LogStreams;
  events: LogEvents;
  invocations: InvocationLogs;
  retention: LogRetention;
}

/** `defaultRetentionDays`: how long a group without a retention policy keeps its events (0: forever). */
export function createLogs(pool: Pool, defaultRetentionDays: number, logger: Logger): Logs {
  const writer = new LogWriter(pool, logger);
  const flush = () => writer.flush();
  return {
    writer,
    groups: new LogGroups(pool, flush, defaultRetentionDays),
    streams: new LogStreams(pool, flush),
    events: new LogEvents(pool, flush),
    invocations: new InvocationLogs(pool, flush),
    retention: new LogRetention(pool, defaultRetentionDays, logger),
  };
}
