/**
 * GetLogEvents (one stream, paged forward and back with `f/…` and `b/…` tokens; at the end of the
 * stream the same token comes back) and FilterLogEvents (a group's streams interleaved by time,
 * matched against a filter pattern; `nextToken` only while more events match), each within a time
 * range.
 */
import { z } from 'zod';
import { FilterPatternError } from '../../logs/filter-pattern.js';
import type { Logs } from '../../logs/index.js';
import { InvalidParameterException, streamNotFound } from './errors.js';
import { groupNameOf, groupOf, operation, type LogsOperation } from './operation.js';
import { filteredEvent, logsResource, outputEvent } from './shapes.js';
import { decodePosition, decodeToken, DIGITS, encodeToken, positionToken } from './tokens.js';
import { int, list, LOG_GROUP_IDENTIFIER, LOG_GROUP_NAME, LOG_STREAM_NAME, NEXT_TOKEN, str, TIMESTAMP } from './validate.js';

const GroupRef = {
  logGroupName: LOG_GROUP_NAME.optional(),
  logGroupIdentifier: LOG_GROUP_IDENTIFIER.optional(),
};

const FilterCursor = z.object({ ts: z.number(), id: DIGITS, ascending: z.boolean() });

export function eventOperations(logs: Logs): Record<string, LogsOperation> {
  return {
    GetLogEvents: operation({
      input: z.object({
        ...GroupRef,
        logStreamName: LOG_STREAM_NAME,
        startTime: TIMESTAMP.optional(),
        endTime: TIMESTAMP.optional(),
        nextToken: NEXT_TOKEN.optional(),
        limit: int({ min: 1, max: 10000 }).optional(),
        startFromHead: z.boolean().optional(),
        unmask: z.boolean().optional(),
      }),
      action: 'logs:GetLogEvents',
      resource: (input, c) => logsResource(c, groupNameOf(input, c), input.logStreamName),
      run: async (input, c) => {
        const from = input.nextToken === undefined ? undefined : decodePosition(input.nextToken);
        const group = await groupOf(logs, input, c);
        const stream = await logs.streams.find(group.id, input.logStreamName);
        if (!stream) throw streamNotFound();
        const page = await logs.events.readStream(stream.id, input.logStreamName, {
          startTime: input.startTime,
          endTime: input.endTime,
          from,
          startFromHead: input.startFromHead ?? false,
          limit: input.limit ?? 10000,
        });
        return {
          events: page.events.map(outputEvent),
          nextForwardToken: positionToken(page.forward),
          nextBackwardToken: positionToken(page.backward),
        };
      },
    }),

    FilterLogEvents: operation({
      input: z.object({
        ...GroupRef,
        logStreamNames: list(LOG_STREAM_NAME, { min: 1, max: 100 }).optional(),
        logStreamNamePrefix: LOG_STREAM_NAME.optional(),
        startTime: TIMESTAMP.optional(),
        endTime: TIMESTAMP.optional(),
        filterPattern: str({ min: 0, max: 1024 }).optional(),
        nextToken: NEXT_TOKEN.optional(),
        limit: int({ min: 1, max: 10000 }).optional(),
        startFromHead: z.boolean().optional(),
        // Deprecated: events are always interleaved.
        interleaved: z.boolean().optional(),
        unmask: z.boolean().optional(),
      }),
      action: 'logs:FilterLogEvents',
      resource: (input, c) => logsResource(c, groupNameOf(input, c)),
      run: async (input, c) => {
        if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
          // Worded as AWS words its other exclusive pairs; its text for this one is not on record.
          throw new InvalidParameterException('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
        }
        const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, FilterCursor);
        const group = await groupOf(logs, input, c);
        // The token keeps the direction of the request that began the paging.
        const ascending = after?.ascending ?? input.startFromHead ?? true;
        const page = await logs.events
          .filter(group.id, {
            streamNames: input.logStreamNames,
            streamPrefix: input.logStreamNamePrefix,
            startTime: input.startTime,
            endTime: input.endTime,
            pattern: input.filterPattern ?? '',
            ascending,
            after: after && { ts: after.ts, id: BigInt(after.id) },
            limit: input.limit ?? 10000,
          })
          .catch((err: unknown) => {
            if (err instanceof FilterPatternError) throw new InvalidParameterException(err.message);
            throw err;
          });
        return {
          events: page.items.map(filteredEvent),
          searchedLogStreams: [],
          nextToken: page.next && encodeToken({ ts: page.next.ts, id: String(page.next.id), ascending }),
        };
      },
    }),
  };
}
