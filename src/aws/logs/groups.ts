/** CreateLogGroup, DescribeLogGroups, DeleteLogGroup, PutRetentionPolicy and DeleteRetentionPolicy. */
import { z } from 'zod';
import type { Logs } from '../../logs/index.js';
import type { CallerContext } from '../request.js';
import { groupNotFound, InvalidParameterException, ResourceAlreadyExistsException } from './errors.js';
import { groupKey, groupNameOf, operation, type LogsOperation } from './operation.js';
import { groupShape, logsResource } from './shapes.js';
import { decodeToken, encodeToken } from './tokens.js';
import { checkTags, int, list, LOG_GROUP_IDENTIFIER, LOG_GROUP_NAME, LOG_GROUP_NAME_PATTERN, NEXT_TOKEN, str, TAGS } from './validate.js';

/** The model's Days: the retentions CloudWatch Logs offers. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const GroupName = z.object({ logGroupName: LOG_GROUP_NAME });

export function groupOperations(logs: Logs): Record<string, LogsOperation> {
  return {
    CreateLogGroup: operation({
      // The name's length is checked below, in the words AWS answers this operation with.
      input: z.object({
        logGroupName: str({ min: 1, pattern: LOG_GROUP_NAME_PATTERN }),
        kmsKeyId: str({ max: 256 }).optional(),
        tags: TAGS.optional(),
        logGroupClass: z
          .enum(
            ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'],
            'Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]',
          )
          .optional(),
      }),
      check: (input) => {
        // LocalStack's snapshots of AWS (test_logs_groups.snapshot.json, Feb 2026).
        if (input.logGroupName.length > 512)
          throw new InvalidParameterException('Invalid LogGroup or LogStream, both must have length less than or equal to 512.');
        if (input.tags) checkTags(input.tags);
        // Every group here is of the STANDARD class: the other classes are refused in pglambda's own words.
        if (input.logGroupClass !== undefined && input.logGroupClass !== 'STANDARD')
          throw new InvalidParameterException(`Log group class ${input.logGroupClass} is not supported here; use STANDARD.`);
      },
      action: 'logs:CreateLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      requestTags: (input) => input.tags,
      taggingActions: ['logs:TagResource', 'logs:TagLogGroup'],
      run: async (input, c) => {
        const made = await logs.groups.create(groupKey(c, input.logGroupName), { tags: input.tags ?? {}, kmsKeyId: input.kmsKeyId });
        if (!made) throw new ResourceAlreadyExistsException('The specified log group already exists');
      },
    }),

    DescribeLogGroups: operation({
      input: z.object({
        logGroupNamePrefix: LOG_GROUP_NAME.optional(),
        logGroupNamePattern: str({ min: 0, max: 512, pattern: String.raw`[\.\-_/#A-Za-z0-9]*` }).optional(),
        logGroupIdentifiers: list(LOG_GROUP_IDENTIFIER, { min: 1, max: 50 }).optional(),
        logGroupClass: z.string().optional(),
        nextToken: NEXT_TOKEN.optional(),
        limit: int({ min: 1, max: 50 }).optional(),
      }),
      action: 'logs:DescribeLogGroups',
      resource: (_, c) => logsResource(c, ''),
      run: async (input, c) => {
        const { logGroupNamePrefix: prefix, logGroupNamePattern: pattern } = input;
        if (prefix !== undefined && pattern !== undefined) {
          throw new InvalidParameterException('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
        }
        const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, z.string());
        // Every group here is of the STANDARD class.
        if (input.logGroupClass !== undefined && input.logGroupClass !== 'STANDARD') return { logGroups: [] };
        const names = input.logGroupIdentifiers?.map((id) => groupNameOf({ logGroupIdentifier: id }, c));
        const page = await logs.groups.list(c, { prefix, pattern: pattern || undefined, names, after, limit: input.limit ?? 50 });
        return {
          logGroups: page.items.map((g) => groupShape(c, g, pattern !== undefined)),
          nextToken: page.next === undefined ? undefined : encodeToken(page.next),
        };
      },
    }),

    DeleteLogGroup: operation({
      input: GroupName,
      action: 'logs:DeleteLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: async (input, c) => {
        if (!(await logs.groups.delete(groupKey(c, input.logGroupName)))) throw groupNotFound();
      },
    }),

    PutRetentionPolicy: operation({
      input: GroupName.extend({ retentionInDays: int() }),
      action: 'logs:PutRetentionPolicy',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: async (input, c) => {
        if (!RETENTION_DAYS.includes(input.retentionInDays)) {
          // Coral's wording for an enum constraint; AWS's own text for this member is not on record.
          throw new InvalidParameterException(
            `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
          );
        }
        await setRetention(logs, c, input.logGroupName, input.retentionInDays);
      },
    }),

    DeleteRetentionPolicy: operation({
      input: GroupName,
      action: 'logs:DeleteRetentionPolicy',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: (input, c) => setRetention(logs, c, input.logGroupName, 0),
    }),
  };
}

async function setRetention(logs: Logs, c: CallerContext, group: string, days: number): Promise<void> {
  const key = groupKey(c, group);
  if (!(await logs.groups.setRetention(key, days))) throw groupNotFound();
  const found = await logs.groups.find(key);
  if (found) await logs.retention.prune(found.id);
}
