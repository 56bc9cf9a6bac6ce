/**
 * A log group's tags: TagResource, UntagResource and ListTagsForResource on its ARN, and the older
 * TagLogGroup, UntagLogGroup and ListTagsLogGroup on its name, which AWS still serves (LocalStack's
 * snapshots of AWS, test_logs_groups.snapshot.json, TestLogsGroupsTags, Feb 2026). Log groups are
 * the only resources here that carry tags. The ARN operations are authorized on the group's ARN, as
 * AWS names it in their denials; the older ones as the other operations on a group are.
 */
import { z } from 'zod';
import type { Logs } from '../../logs/index.js';
import type { CallerContext } from '../request.js';
import { groupNotFound, TooManyTagsException } from './errors.js';
import { groupKey, groupOfArn, operation, type LogsOperation } from './operation.js';
import { groupArn, logsResource } from './shapes.js';
import { checkTags, LOG_GROUP_NAME, str, tagKeys, TAGS, TAGS_LIMIT } from './validate.js';

const RESOURCE_ARN = str({ min: 1, max: 1011, pattern: String.raw`[\w+=/:,.@-]*` });

/** What IAM checks an ARN operation on: the group's ARN, or the ARN as given when it names no group of the caller's. */
const arnResource = (arn: string, c: CallerContext) => {
  const group = groupOfArn(arn, c);
  return group === undefined ? arn : groupArn(c, group);
};

export function tagOperations(logs: Logs): Record<string, LogsOperation> {
  const list = async (c: CallerContext, group: string | undefined) => {
    const tags = group === undefined ? undefined : await logs.groups.tags(groupKey(c, group));
    if (!tags) throw groupNotFound();
    return { tags };
  };
  const retag = async (c: CallerContext, group: string | undefined, add: Record<string, string>, remove: string[] = []) => {
    const outcome = group === undefined ? 'no-group' : await logs.groups.retag(groupKey(c, group), add, remove, TAGS_LIMIT);
    if (outcome === 'no-group') throw groupNotFound();
    // Inferred wording: AWS's text for this limit is not on record.
    if (outcome === 'over-limit') throw new TooManyTagsException(`A log group can have at most ${TAGS_LIMIT} tags.`, groupArn(c, group!));
  };
  const byArn = z.object({ resourceArn: RESOURCE_ARN });
  const byName = z.object({ logGroupName: LOG_GROUP_NAME });
  return {
    ListTagsForResource: operation({
      input: byArn,
      action: 'logs:ListTagsForResource',
      resource: (input, c) => arnResource(input.resourceArn, c),
      run: (input, c) => list(c, groupOfArn(input.resourceArn, c)),
    }),
    TagResource: operation({
      input: byArn.extend({ tags: TAGS }),
      check: (input) => checkTags(input.tags),
      action: 'logs:TagResource',
      resource: (input, c) => arnResource(input.resourceArn, c),
      requestTags: (input) => input.tags,
      run: (input, c) => retag(c, groupOfArn(input.resourceArn, c), input.tags),
    }),
    UntagResource: operation({
      input: byArn.extend({ tagKeys: tagKeys({ min: 0, max: 50 }) }),
      action: 'logs:UntagResource',
      resource: (input, c) => arnResource(input.resourceArn, c),
      removedTagKeys: (input) => input.tagKeys,
      run: (input, c) => retag(c, groupOfArn(input.resourceArn, c), {}, input.tagKeys),
    }),
    ListTagsLogGroup: operation({
      input: byName,
      action: 'logs:ListTagsLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      run: (input, c) => list(c, input.logGroupName),
    }),
    TagLogGroup: operation({
      input: byName.extend({ tags: TAGS }),
      check: (input) => checkTags(input.tags),
      action: 'logs:TagLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      requestTags: (input) => input.tags,
      run: (input, c) => retag(c, input.logGroupName, input.tags),
    }),
    UntagLogGroup: operation({
      input: byName.extend({ tags: tagKeys({ min: 1 }) }),
      action: 'logs:UntagLogGroup',
      resource: (input, c) => logsResource(c, input.logGroupName),
      removedTagKeys: (input) => input.tags,
      run: (input, c) => retag(c, input.logGroupName, {}, input.tags),
    }),
  };
}
