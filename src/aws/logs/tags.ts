/**
 * A log group's tags: TagResource, UntagResource and ListTagsForResource on its ARN, and the older
 * TagLogGroup, UntagLogGroup and ListTagsLogGroup on its name, which AWS still serves (LocalStack's
 * snapshots of AWS, test_logs_groups.snapshot.json, TestLogsGroupsTags, Feb 2026). Log groups are
 * the only resources here that carry tags.
 */
import { z } from 'zod';
import type { Logs } from '../../logs/index.js';
import type { CallerContext } from '../request.js';
import { groupNotFound, TooManyTagsException } from './errors.js';
import { groupKey } from './groups.js';
import { groupNameOf, operation, type LogsOperation } from './operation.js';
import { logsResource } from './shapes.js';
import { checkTags, LOG_GROUP_NAME, str, TAG_KEYS, TAGS, TAGS_LIMIT } from './validate.js';

const RESOURCE_ARN = str({ min: 1, max: 1011, pattern: String.raw`[\w+=/:,.@-]*` });

/** The log group an ARN names in the caller's account and Region; '' when it names none. */
const groupOfArn = (arn: string, c: CallerContext) => (arn.startsWith('arn:') ? groupNameOf({ logGroupIdentifier: arn }, c) : '');

export function tagOperations(logs: Logs): Record<string, LogsOperation> {
  const list = async (c: CallerContext, group: string) => {
    const tags = group ? await logs.groups.tags(groupKey(c, group)) : undefined;
    if (!tags) throw groupNotFound();
    return { tags };
  };
  const tag = async (c: CallerContext, group: string, tags: Record<string, string>) => {
    checkTags(tags);
    const current = group ? await logs.groups.tags(groupKey(c, group)) : undefined;
    if (!current) throw groupNotFound();
    // Inferred wording: AWS's text for this limit is not on record.
    if (Object.keys({ ...current, ...tags }).length > TAGS_LIMIT)
      throw new TooManyTagsException(`A log group can have at most ${TAGS_LIMIT} tags.`);
    if (!(await logs.groups.retag(groupKey(c, group), tags))) throw groupNotFound();
  };
  const untag = async (c: CallerContext, group: string, keys: string[]) => {
    if (!group || !(await logs.groups.retag(groupKey(c, group), {}, keys))) throw groupNotFound();
  };
  const byArn = z.object({ resourceArn: RESOURCE_ARN });
  const byName = z.object({ logGroupName: LOG_GROUP_NAME });
  return {
    ListTagsForResource: operation({
      input: byArn,
      action: 'logs:ListTagsForResource',
      resource: (input, c) => logsResource(c, groupOfArn(input.resourceArn, c)),
      run: (input, c) => list(c, groupOfArn(input.resourceArn, c)),
    }),
    TagResource: operation({
      input: byArn.extend({ tags: TAGS }),
      action: 'logs:TagResource',
      resource: (input, c) => logsResource(c, groupOfArn(input.resourceArn, c)),
      run: (input, c) => tag(c, groupOfArn(input.resourceArn, c), input.tags),
    }),
    UntagResource: operation({
      input: byArn.extend({ tagKeys: TAG_KEYS }),
      action: 'logs:UntagResource',
      resource: (input, c) => logsResource(c, groupOfArn(input.resourceArn, c)),
      run: (input, c) => untag(c, groupOfArn(input.resourceArn, c), input.tagKeys),
    }),
    ListTagsLogGroup: operation({
      input: byName,
      action: 'logs:ListTagsLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: (input, c) => list(c, input.logGroupName),
    }),
    TagLogGroup: operation({
      input: byName.extend({ tags: TAGS }),
      action: 'logs:TagLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: (input, c) => tag(c, input.logGroupName, input.tags),
    }),
    UntagLogGroup: operation({
      input: byName.extend({ tags: TAG_KEYS }),
      action: 'logs:UntagLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: (input, c) => untag(c, input.logGroupName, input.tags),
    }),
  };
}
