/** DescribeLogStreams: a group's streams by name or by their last event, in pages. */
import { z } from 'zod';
import type { Logs } from '../../logs/index.js';
import type { StreamCursor } from '../../logs/log-streams.js';
import { InvalidParameterException, invalidToken } from './errors.js';
import { groupNameOf, groupOf, operation, type LogsOperation } from './operation.js';
import { logsResource, streamShape } from './shapes.js';
import { decodeToken, DIGITS, encodeToken } from './tokens.js';
import { int, LOG_GROUP_IDENTIFIER, LOG_GROUP_NAME, LOG_STREAM_NAME, NEXT_TOKEN } from './validate.js';

const Cursor = z.union([z.object({ name: z.string() }), z.object({ lastEventMs: z.number(), id: DIGITS })]);

export function streamOperations(logs: Logs): Record<string, LogsOperation> {
  return {
    DescribeLogStreams: operation({
      input: z.object({
        logGroupName: LOG_GROUP_NAME.optional(),
        logGroupIdentifier: LOG_GROUP_IDENTIFIER.optional(),
        logStreamNamePrefix: LOG_STREAM_NAME.optional(),
        orderBy: z
          .enum(['LogStreamName', 'LastEventTime'], 'Member must satisfy enum value set: [LogStreamName, LastEventTime]')
          .optional(),
        descending: z.boolean().optional(),
        nextToken: NEXT_TOKEN.optional(),
        limit: int({ min: 1, max: 50 }).optional(),
      }),
      action: 'logs:DescribeLogStreams',
      resource: (input, c) => logsResource(c, groupNameOf(input, c)),
      run: async (input, c) => {
        const orderBy = input.orderBy ?? 'LogStreamName';
        if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
          throw new InvalidParameterException('Cannot order by LastEventTime with a logStreamNamePrefix.');
        }
        const group = await groupOf(logs, input, c);
        const after: StreamCursor | undefined = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, Cursor);
        if (after && 'name' in after !== (orderBy === 'LogStreamName')) throw invalidToken();
        const page = await logs.streams.list(group.id, {
          prefix: input.logStreamNamePrefix,
          orderBy,
          descending: input.descending ?? false,
          after,
          limit: input.limit ?? 50,
        });
        return {
          logStreams: page.items.map((s) => streamShape(c, group.name, s)),
          nextToken: page.next === undefined ? undefined : encodeToken(page.next),
        };
      },
    }),
  };
}
