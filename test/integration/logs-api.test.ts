/**
 * Function logs through the CloudWatch Logs API on pglambda's endpoint: the log group
 * `/aws/lambda/<function>` with one stream per execution environment, read with the real `aws`
 * CLI (`logs tail`, `logs tail --follow`, `filter-log-events`, `get-log-events`,
 * `describe-log-streams`, `create-log-group`, the tag commands) and with
 * @aws-sdk/client-cloudwatch-logs; lines stored as they are written; retention; deletion; groups
 * made with CreateLogGroup, and tags; IAM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { failure, notAuthorized, refused } from '../helpers/aws-assert.js';
import { aws, awsCli, skipWithoutAwsCli } from '../helpers/aws-cli.js';
import { backdateLogGroup } from '../helpers/databases.js';
import { roleSession } from '../helpers/role-session.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { policyDocument } from '../../src/service/policy-documents.js';
import { until } from '../helpers/until.js';

const GROUP = '/aws/lambda/my-function';
const arnOf = (name: string) => `arn:aws:logs:us-west-2:123456789012:log-group:${name}`;
const STREAM_NAME = /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/;

let svc: TestService;
let logs: CloudWatchLogsClient;

before(async () => {
  svc = await startTestService();
  logs = new CloudWatchLogsClient({ endpoint: svc.endpoint, region: 'us-west-2', credentials: ROOT, maxAttempts: 1 });
  await svc.createFunction(
    'my-function',
    {
      'index.mjs': `export const handler = async (e) => {
      console.log('hello ' + e.n);
      if (e.warn) console.warn('WARN careful ' + e.n);
      if (e.waitMs) await new Promise((r) => setTimeout(r, e.waitMs));
      return e.n;
    };`,
    },
    { Timeout: 30 },
  );
});
after(async () => {
  logs?.destroy();
  await svc?.close();
});

const invoke = (n: number, extra: Record<string, unknown> = {}, name = 'my-function') =>
  svc.client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ n, ...extra })) }));

async function allEvents(group = GROUP): Promise<FilteredLogEvent[]> {
  return (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
}

describe('a function log group, as Lambda writes it', () => {
  test("START, the function's lines, END and REPORT, in one stream named as AWS names it", async () => {
    const r = await invoke(1);
    assert.equal(Buffer.from(r.Payload!).toString(), '1');
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    assert.deepEqual(
      logGroups!.map((g) => [g.logGroupName, g.retentionInDays, g.arn, g.logGroupArn]),
      [[GROUP, 30, `${arnOf(GROUP)}:*`, arnOf(GROUP)]],
    );
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    assert.equal(logStreams!.length, 1);
    const stream = logStreams![0]!;
    assert.match(stream.logStreamName!, STREAM_NAME);
    assert.ok(stream.firstEventTimestamp! <= stream.lastEventTimestamp! && stream.lastEventTimestamp! <= stream.lastIngestionTime!);
    const all = (await allEvents()).map((e) => e.message!);
    // Before START: what the environment printed while it started (the runtime's note on a Node of another major).
    const messages = all.slice(all.findIndex((m) => m.startsWith('START')));
    assert.match(messages[0]!, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n$/);
    assert.match(messages[1]!, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t[0-9a-f-]{36}\tINFO\thello 1\n$/);
    assert.match(messages[2]!, /^END RequestId: [0-9a-f-]{36}\n$/);
    assert.match(
      messages[3]!,
      /^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$/,
    );
  });

  test('lines are stored as they are written, while the invocation still runs', async () => {
    const running = invoke(2, { waitMs: 4000 });
    const seen = await until('hello 2 in the log while the invocation runs', async () => {
      const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '"hello 2"' }))).events!;
      return events.length > 0 && events;
    });
    const answered = await Promise.race([running.then(() => true), Promise.resolve(false)]);
    assert.equal(answered, false, 'the line was stored only after the invocation ended');
    assert.equal(seen.length, 1);
    await running;
  });

  test("one stream per execution environment; a version's streams say so", async () => {
    await Promise.all([invoke(3, { waitMs: 500 }), invoke(4, { waitMs: 500 })]);
    const { logStreams } = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', descending: true }),
    );
    assert.ok(logStreams!.length >= 2);
    const forN = async (n: number) =>
      (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: `"hello ${n}"` }))).events![0]!.logStreamName;
    assert.notEqual(await forN(3), await forN(4));
    const { Version } = await svc.client.send(new PublishVersionCommand({ FunctionName: 'my-function' }));
    await svc.client.send(new InvokeCommand({ FunctionName: 'my-function', Qualifier: Version, Payload: Buffer.from('{"n":5}') }));
    const { logStreams: versioned } = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[${Version}]`,
      }),
    );
    assert.equal(versioned!.length, 1);
  });
});

describe('reading events with the SDK', () => {
  test('GetLogEvents pages forward and back, and gives the same token back at the end of the stream', async () => {
    const stream = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '"hello 1"' }))).events![0]!
      .logStreamName!;
    const whole = (await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true }))).events!;
    const pages: string[][] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, limit: 3, nextToken: token }),
      );
      assert.match(page.nextForwardToken!, /^f\/\d{56}$/);
      if (page.nextForwardToken === token) break;
      pages.push(page.events!.map((e) => e.message!));
      token = page.nextForwardToken;
    }
    assert.deepEqual(
      pages.flat(),
      whole.map((e) => e.message),
    );
    const latest = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 2 }));
    assert.deepEqual(
      latest.events!.map((e) => e.message),
      whole.slice(-2).map((e) => e.message),
    );
    const before = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 2, nextToken: latest.nextBackwardToken }),
    );
    assert.deepEqual(
      before.events!.map((e) => e.message),
      whole.slice(-4, -2).map((e) => e.message),
    );
  });

  test('FilterLogEvents: time ranges, filter patterns, stream prefixes and paging', async () => {
    const t0 = Date.now();
    await invoke(6, { warn: true });
    await invoke(7);
    const t1 = Date.now();
    const inRange = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: t0, endTime: t1 }));
    assert.deepEqual(
      inRange.events!.filter((e) => /hello/.test(e.message!)).map((e) => e.message!.split('\t')[3]),
      ['hello 6\n', 'hello 7\n'],
    );
    assert.ok(inRange.events!.every((e) => e.timestamp! >= t0 && e.timestamp! <= t1 && /^\d{56}$/.test(e.eventId!)));
    const either = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: t0, filterPattern: '?WARN ?"hello 7"' }));
    assert.deepEqual(
      either.events!.map((e) => e.message!.split('\t')[3]),
      ['WARN careful 6\n', 'hello 7\n'],
    );
    const without = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: t0, filterPattern: 'hello -"hello 7"' }));
    assert.deepEqual(
      without.events!.map((e) => e.message!.split('\t')[3]),
      ['hello 6\n'],
    );
    const regex = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: t0, filterPattern: '%hello [67]%' }));
    assert.equal(regex.events!.length, 2);

    const everything = await allEvents();
    const paged: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 5, nextToken }));
      assert.ok(page.events!.length <= 5);
      paged.push(...page.events!.map((e) => e.eventId!));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(
      paged,
      everything.map((e) => e.eventId),
    );
    const sorted = [...everything].sort((a, b) => a.timestamp! - b.timestamp!);
    assert.deepEqual(
      everything.map((e) => e.eventId),
      sorted.map((e) => e.eventId),
    );
    const newestFirst = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startFromHead: false, limit: 3 }));
    assert.deepEqual(
      newestFirst.events!.map((e) => e.eventId),
      everything
        .slice(-3)
        .reverse()
        .map((e) => e.eventId),
    );

    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    const byPrefix = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNamePrefix: `${today}/[1]` }));
    assert.deepEqual(
      byPrefix.events!.filter((e) => /hello/.test(e.message!)).map((e) => e.message!.split('\t')[3]),
      ['hello 5\n'],
    );
  });

  test("errors in CloudWatch Logs' words", async () => {
    const missing = '/aws/lambda/no-such-function';
    await refused(
      logs.send(new FilterLogEventsCommand({ logGroupName: missing })),
      'ResourceNotFoundException',
      400,
      'The specified log group does not exist.',
    );
    await refused(
      logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'no/such/stream' })),
      'ResourceNotFoundException',
      400,
      'The specified log stream does not exist.',
    );
    await refused(
      logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 10001 })),
      'InvalidParameterException',
      400,
      "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
    );
    await refused(
      logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: 'garbage' })),
      'InvalidParameterException',
      400,
      'The specified nextToken is invalid.',
    );
    await refused(
      logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws', logGroupNamePattern: 'lambda' })),
      'InvalidParameterException',
      400,
      'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
    );
    await refused(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, logGroupIdentifier: GROUP })),
      'ValidationException',
      400,
      'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
    );
    await refused(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', logStreamNamePrefix: '2' })),
      'InvalidParameterException',
      400,
      'Cannot order by LastEventTime with a logStreamNamePrefix.',
    );
    await refused(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 2 })),
      'InvalidParameterException',
      400,
      /^1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5,/,
    );
    const forged = new CloudWatchLogsClient({
      endpoint: svc.endpoint,
      region: 'us-west-2',
      credentials: { ...ROOT, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    await refused(
      forged.send(new DescribeLogGroupsCommand({})),
      'InvalidSignatureException',
      400,
      /^The request signature we calculated does not match/,
    );
    forged.destroy();
  });
});

describe('log groups: retention and deletion', () => {
  test('PutRetentionPolicy and DeleteRetentionPolicy set what DescribeLogGroups shows; paging and patterns', async () => {
    await svc.createFunction('other-function', { 'index.mjs': 'export const handler = async () => 1;' });
    await invoke(0, {}, 'other-function');
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 7 }));
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/aws/lambda/other-function' }));
    const first = await logs.send(new DescribeLogGroupsCommand({ limit: 1 }));
    const second = await logs.send(new DescribeLogGroupsCommand({ limit: 1, nextToken: first.nextToken }));
    assert.equal(second.nextToken, undefined);
    assert.deepEqual(
      [...first.logGroups!, ...second.logGroups!].map((g) => [g.logGroupName, g.retentionInDays]),
      [
        [GROUP, 7],
        ['/aws/lambda/other-function', undefined],
      ],
    );
    const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'other' }));
    assert.deepEqual(
      byPattern.logGroups!.map((g) => g.logGroupName),
      ['/aws/lambda/other-function'],
    );
    assert.equal(byPattern.logGroups![0]!.storedBytes, undefined);
  });

  test("events past a group's retention go when it is set", async () => {
    await backdateLogGroup(svc, '/aws/lambda/other-function', 4);
    await invoke(1, {}, 'other-function');
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/other-function', retentionInDays: 3 }));
    const left = await allEvents('/aws/lambda/other-function');
    assert.equal(left.length, 3);
    assert.ok(left.every((e) => e.timestamp! > Date.now() - 86400000));
  });

  test("DeleteLogGroup removes the group and its events; the function's next lines make it again", async () => {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/lambda/other-function' }));
    await refused(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/other-function' })),
      'ResourceNotFoundException',
      400,
      'The specified log group does not exist.',
    );
    await refused(
      logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/lambda/other-function' })),
      'ResourceNotFoundException',
      400,
      'The specified log group does not exist.',
    );
    await invoke(2, {}, 'other-function');
    const again = await allEvents('/aws/lambda/other-function');
    assert.deepEqual(
      again.map((e) => e.message!.split(' ')[0]),
      ['START', 'END', 'REPORT'],
    );
    const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/other' }))).logGroups!;
    assert.equal(group!.retentionInDays, 30);
  });
});

describe('IAM decides who reads which log group', () => {
  /** A CloudWatch Logs client signed as a session of a new role allowed `statements`. */
  async function sessionWith(roleName: string, statements: Record<string, unknown>[]): Promise<CloudWatchLogsClient> {
    const { credentials } = await roleSession(svc.endpoint, roleName, policyDocument(...statements), { sessionName: 'session' });
    return new CloudWatchLogsClient({ endpoint: svc.endpoint, region: 'us-west-2', credentials, maxAttempts: 1 });
  }
  const denied = (role: string, action: string, resource: string) =>
    notAuthorized(`arn:aws:sts::123456789012:assumed-role/${role}/session`, action, resource);

  test("a role allowed to filter one function's log group may do that and nothing else", async () => {
    const reader = await sessionWith('log-reader', [
      { Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: `arn:aws:logs:*:*:log-group:${GROUP}:*` },
    ]);
    try {
      assert.ok((await reader.send(new FilterLogEventsCommand({ logGroupName: GROUP }))).events!.length > 0);
      await refused(
        reader.send(new DescribeLogGroupsCommand({})),
        'AccessDeniedException',
        400,
        denied('log-reader', 'logs:DescribeLogGroups', `${arnOf('')}:log-stream:`),
      );
      await refused(
        reader.send(new CreateLogGroupCommand({ logGroupName: '/made/by/reader' })),
        'AccessDeniedException',
        400,
        denied('log-reader', 'logs:CreateLogGroup', `${arnOf('/made/by/reader')}:log-stream:`),
      );
      await refused(
        reader.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/other-function' })),
        'AccessDeniedException',
        400,
        denied('log-reader', 'logs:FilterLogEvents', `${arnOf('/aws/lambda/other-function')}:log-stream:`),
      );
    } finally {
      reader.destroy();
    }
  });

  test('making a group with tags also needs a tagging action; tag operations read the tags asked for, on the group ARN', async () => {
    const maker = await sessionWith('log-maker', [
      { Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['logs:TagResource', 'logs:ListTagsForResource'],
        Resource: arnOf('team-*'),
        Condition: { StringEquals: { 'aws:RequestTag/team': 'a' } },
      },
      { Effect: 'Allow', Action: 'logs:ListTagsForResource', Resource: arnOf('team-*') },
    ]);
    try {
      await maker.send(new CreateLogGroupCommand({ logGroupName: 'untagged-by-maker' }));
      await refused(
        maker.send(new CreateLogGroupCommand({ logGroupName: 'tagged-by-maker', tags: { team: 'a' } })),
        'AccessDeniedException',
        400,
        'User with accountId: 123456789012 is not authorized to perform CreateLogGroup with Tags. An additional permission "logs:TagResource" is required.',
      );
      await maker.send(new CreateLogGroupCommand({ logGroupName: 'team-a', tags: { team: 'a' } }));
      const arn = arnOf('team-a');
      await maker.send(new TagResourceCommand({ resourceArn: arn, tags: { team: 'a' } }));
      await refused(
        maker.send(new TagResourceCommand({ resourceArn: arn, tags: { team: 'b' } })),
        'AccessDeniedException',
        400,
        denied('log-maker', 'logs:TagResource', arn),
      );
      assert.deepEqual((await maker.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'a' });
    } finally {
      maker.destroy();
    }
  });
});

describe('log groups made with CreateLogGroup, and tags', () => {
  const tagsOf = async (name: string) => {
    const byName = (await logs.send(new ListTagsLogGroupCommand({ logGroupName: name }))).tags;
    const byArn = (await logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf(name) }))).tags;
    assert.deepEqual(byName, byArn);
    return byArn;
  };

  test('CreateLogGroup makes a group as AWS does: its tags and KMS key, no retention; a second time it is refused', async () => {
    // LocalStack's snapshots of AWS (test_logs_groups.snapshot.json: describe-log-groups-with-kms,
    // error-duplicate-log-group, error-invalid-name-length, list-tags-after-create; Feb 2026).
    const kmsKeyId = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'made-group', tags: { env: 'testing' }, kmsKeyId }));
    const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'made-group' }))).logGroups!;
    assert.deepEqual(
      { ...group, creationTime: undefined },
      {
        arn: `${arnOf('made-group')}:*`,
        creationTime: undefined,
        deletionProtectionEnabled: false,
        kmsKeyId,
        logGroupArn: arnOf('made-group'),
        logGroupClass: 'STANDARD',
        logGroupName: 'made-group',
        metricFilterCount: 0,
        storedBytes: 0,
      },
    );
    assert.ok(Math.abs(group!.creationTime! - Date.now()) < 60_000);
    assert.deepEqual(await tagsOf('made-group'), { env: 'testing' });
    await refused(
      logs.send(new CreateLogGroupCommand({ logGroupName: 'made-group' })),
      'ResourceAlreadyExistsException',
      400,
      'The specified log group already exists',
    );
    await refused(
      logs.send(new CreateLogGroupCommand({ logGroupName: 'a'.repeat(513) })),
      'InvalidParameterException',
      400,
      'Invalid LogGroup or LogStream, both must have length less than or equal to 512.',
    );
    await refused(
      logs.send(new CreateLogGroupCommand({ logGroupName: 'bad-tags', tags: { 'no*stars': 'v' } })),
      'InvalidParameterException',
      400,
      String.raw`1 validation error detected: Value '{no*stars=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$]`,
    );
    await logs.send(new DeleteLogGroupCommand({ logGroupName: 'made-group' }));
  });

  test('tags through TagResource and TagLogGroup, UntagResource and UntagLogGroup, read by both lists', async () => {
    // LocalStack's snapshots of AWS (test_logs_groups.snapshot.json, TestLogsGroupsTags::test_tag_resource_api; Feb 2026).
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'tagged-group', tags: { env: 'testing1' } }));
    await logs.send(new TagResourceCommand({ resourceArn: arnOf('tagged-group'), tags: { test1: 'val1', test2: 'val2' } }));
    assert.deepEqual(await tagsOf('tagged-group'), { env: 'testing1', test1: 'val1', test2: 'val2' });
    await logs.send(new TagLogGroupCommand({ logGroupName: 'tagged-group', tags: { test3: 'val3', env: 'testing2' } }));
    assert.deepEqual(await tagsOf('tagged-group'), { env: 'testing2', test1: 'val1', test2: 'val2', test3: 'val3' });
    await logs.send(new UntagLogGroupCommand({ logGroupName: 'tagged-group', tags: ['test3'] }));
    await logs.send(new UntagResourceCommand({ resourceArn: arnOf('tagged-group'), tagKeys: ['env', 'test1'] }));
    assert.deepEqual(await tagsOf('tagged-group'), { test2: 'val2' });
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    await logs.send(new TagResourceCommand({ resourceArn: arnOf('tagged-group'), tags: many }));
    const over = await failure(logs.send(new TagResourceCommand({ resourceArn: arnOf('tagged-group'), tags: { one: 'more' } })));
    assert.deepEqual([over.name, over.$metadata.httpStatusCode, over.resourceName], ['TooManyTagsException', 400, arnOf('tagged-group')]);
    await refused(
      logs.send(new UntagLogGroupCommand({ logGroupName: 'tagged-group', tags: [] })),
      'InvalidParameterException',
      400,
      "1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    // One at a time: a refusal that came before its turn to be awaited would count as unhandled.
    for (const call of [
      () => logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf('no-such-group') })),
      () => logs.send(new TagResourceCommand({ resourceArn: arnOf('no-such-group'), tags: { a: 'b' } })),
      () => logs.send(new ListTagsLogGroupCommand({ logGroupName: 'no-such-group' })),
    ])
      await refused(call(), 'ResourceNotFoundException', 400, 'The specified log group does not exist.');
  });

  test("a function's group made before the function keeps its retention (none, until one is set) and its tags, and takes the function's lines", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/declared-first', tags: { team: 'a' } }));
    await svc.createFunction('declared-first', {
      'index.mjs': "export const handler = async () => { console.log('into the declared group'); };",
    });
    await invoke(0, {}, 'declared-first');
    const events = await allEvents('/aws/lambda/declared-first');
    assert.ok(events.some((e) => e.message!.includes('into the declared group')));
    const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/declared-first' }))).logGroups!;
    assert.equal(group!.retentionInDays, undefined, "not the service's default for functions' own groups");
    assert.deepEqual(await tagsOf('/aws/lambda/declared-first'), { team: 'a' });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/declared-first', retentionInDays: 14 }));
    await invoke(1, {}, 'declared-first');
    const [kept] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/declared-first' }))).logGroups!;
    assert.equal(kept!.retentionInDays, 14, "the function's next lines keep the group's retention");
  });
});

describe('the aws CLI', { skip: skipWithoutAwsCli }, () => {
  test('logs tail prints each line with its time and stream', async () => {
    const r = await aws(svc.endpoint, ['logs', 'tail', GROUP, '--since', '1h']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(
      lines.some((l) => /^\S+ \d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32} START RequestId: /.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /\tINFO\thello 1$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => / REPORT RequestId: /.test(l)),
      r.stdout,
    );
  });

  test('logs tail --follow shows lines as the function writes them', { timeout: 60_000 }, async () => {
    // Unbuffered, so that what the CLI prints reaches the pipe as it prints it, as on a terminal.
    const env = {
      PYTHONUNBUFFERED: '1',
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const tail = spawn(awsCli!, ['--endpoint-url', svc.endpoint, 'logs', 'tail', GROUP, '--follow', '--since', '1m', '--format', 'short'], {
      env,
    });
    let out = '';
    tail.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    try {
      await invoke(100);
      await until('the first line in the tail', () => out.includes('hello 100'), 30_000);
      await invoke(101);
      await until('a line written after the tail started', () => out.includes('hello 101'), 30_000);
    } finally {
      tail.kill();
    }
  });

  test('filter-log-events, get-log-events and describe-log-streams', async () => {
    const filtered = await aws(svc.endpoint, [
      'logs',
      'filter-log-events',
      '--log-group-name',
      GROUP,
      '--filter-pattern',
      'hello',
      '--page-size',
      '2',
    ]);
    assert.equal(filtered.code, 0, filtered.stderr);
    const events = JSON.parse(filtered.stdout).events as FilteredLogEvent[];
    const bySdk = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'hello' }))).events!;
    assert.deepEqual(
      events.map((e) => e.eventId),
      bySdk.map((e) => e.eventId),
    );
    assert.ok(events.length > 2);

    const streams = await aws(svc.endpoint, [
      'logs',
      'describe-log-streams',
      '--log-group-name',
      GROUP,
      '--order-by',
      'LastEventTime',
      '--descending',
    ]);
    assert.equal(streams.code, 0, streams.stderr);
    const newest = JSON.parse(streams.stdout).logStreams[0].logStreamName as string;
    assert.match(newest, /^\d{4}\/\d{2}\/\d{2}\/\[(\$LATEST|\d+)\][0-9a-f]{32}$/);

    const got = await aws(svc.endpoint, [
      'logs',
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      newest,
      '--start-from-head',
    ]);
    assert.equal(got.code, 0, got.stderr);
    const body = JSON.parse(got.stdout);
    assert.ok(body.events.some((e: { message: string }) => e.message.startsWith('START RequestId: ')));
    assert.match(body.nextForwardToken, /^f\/\d{56}$/);

    const missing = await aws(svc.endpoint, ['logs', 'filter-log-events', '--log-group-name', '/aws/lambda/nothing']);
    assert.equal(missing.code, 254);
    assert.match(
      missing.stderr,
      /An error occurred \(ResourceNotFoundException\) when calling the FilterLogEvents operation: The specified log group does not exist\./,
    );
  });

  test('create-log-group with tags, tag-resource and list-tags-for-resource', async () => {
    const made = await aws(svc.endpoint, ['logs', 'create-log-group', '--log-group-name', '/aws/lambda/cli-made', '--tags', 'team=a']);
    assert.equal(made.code, 0, made.stderr);
    const arn = arnOf('/aws/lambda/cli-made');
    const tagged = await aws(svc.endpoint, ['logs', 'tag-resource', '--resource-arn', arn, '--tags', 'stage=dev']);
    assert.equal(tagged.code, 0, tagged.stderr);
    const listed = await aws(svc.endpoint, ['logs', 'list-tags-for-resource', '--resource-arn', arn]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), { tags: { team: 'a', stage: 'dev' } });
    const again = await aws(svc.endpoint, ['logs', 'create-log-group', '--log-group-name', '/aws/lambda/cli-made']);
    assert.notEqual(again.code, 0);
    assert.match(
      again.stderr,
      /An error occurred \(ResourceAlreadyExistsException\) when calling the CreateLogGroup operation: The specified log group already exists/,
    );
  });
});
