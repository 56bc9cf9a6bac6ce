import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import type { AwsRequest, AwsResponse } from '../request.js';
import { QueryError, queryService, XmlList, type QueryAction, type QueryServiceSpec } from './query-xml.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

function request(body: string, opts: { method?: string; query?: string } = {}): AwsRequest {
  return {
    method: opts.method ?? 'POST',
    rawPath: '/',
    query: new URLSearchParams(opts.query ?? ''),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(body),
    caller: { requestId: 'req-1', accountId: '123456789012', region: 'us-east-1', accessKeyId: 'test' },
  };
}

function service(actions: Record<string, QueryAction>, extra: Partial<QueryServiceSpec> = {}) {
  return queryService({
    signingName: 'test',
    apiVersion: '2010-05-08',
    xmlns: 'https://example/doc/',
    actions,
    missing: 'ValidationError',
    ...extra,
  });
}

const xml = (r: AwsResponse) => parser.parse(String(r.body));

test('a result is wrapped in <OpResult> with the request id, lists as <member>, timestamps ISO 8601', async () => {
  const svc = service({
    Echo: async ({ params }) => ({
      Name: params.get('Name'),
      Names: params.list('Names'),
      Empty: [],
      When: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      Nested: { Flag: true, Count: 0, Missing: undefined },
    }),
  });
  const r = await svc.handle(request('Action=Echo&Version=2010-05-08&Name=a%26b%3Cc&Names.member.2=y&Names.member.1=x'));
  assert.equal(r.status, 200);
  assert.equal(r.headers?.['content-type'], 'text/xml');
  const doc = xml(r).EchoResponse;
  assert.equal(doc['@_xmlns'], 'https://example/doc/');
  assert.deepEqual(doc.EchoResult, {
    Name: 'a&b<c',
    Names: { member: ['x', 'y'] },
    Empty: '',
    When: '2024-01-02T03:04:05.000Z',
    Nested: { Flag: 'true', Count: '0' },
  });
  assert.equal(doc.ResponseMetadata.RequestId, 'req-1');
});

test('operations without an output shape answer only ResponseMetadata', async () => {
  const r = await service({ Nothing: async () => undefined }).handle(request('Action=Nothing&Version=2010-05-08'));
  assert.deepEqual(Object.keys(xml(r).NothingResponse).sort(), ['@_xmlns', 'ResponseMetadata']);
});

test('RDS-style lists use their item names, and nested list items read as structures', async () => {
  const svc = service({
    Describe: async ({ params }) => ({
      Filters: new XmlList(
        params.structs('Filters', 'Filter').map((f) => ({ Name: f.get('Name'), Values: new XmlList(f.list('Values', 'Value'), 'Value') })),
        'Filter',
      ),
    }),
  });
  const r = await svc.handle(
    request(
      'Action=Describe&Version=2010-05-08&Filters.Filter.1.Name=db-cluster-id&Filters.Filter.1.Values.Value.1=a&Filters.Filter.1.Values.Value.2=b&Filters.Filter.2.Name=engine&Filters.Filter.2.Values.Value.1=aurora-postgresql',
    ),
  );
  assert.deepEqual(xml(r).DescribeResponse.DescribeResult.Filters.Filter, [
    { Name: 'db-cluster-id', Values: { Value: ['a', 'b'] } },
    { Name: 'engine', Values: { Value: 'aurora-postgresql' } },
  ]);
});

test('GET requests carry their members in the query string', async () => {
  const r = await service({ Echo: async ({ params }) => ({ Name: params.get('Name') }) }).handle(
    request('', { method: 'GET', query: 'Action=Echo&Version=2010-05-08&Name=q' }),
  );
  assert.equal(xml(r).EchoResponse.EchoResult.Name, 'q');
});

test('errors render as <ErrorResponse> with Type, Code, Message and the modelled status', async () => {
  const svc = service({
    Missing: async () => {
      throw new QueryError('NoSuchEntity', 'The role with name x cannot be found.', 404);
    },
    Broken: async () => {
      throw new Error('secret internals');
    },
  });
  const r = await svc.handle(request('Action=Missing&Version=2010-05-08'));
  assert.equal(r.status, 404);
  assert.deepEqual(xml(r).ErrorResponse, {
    '@_xmlns': 'https://example/doc/',
    Error: { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The role with name x cannot be found.' },
    RequestId: 'req-1',
  });
  const broken = await svc.handle(request('Action=Broken&Version=2010-05-08'));
  assert.equal(broken.status, 500);
  assert.deepEqual([xml(broken).ErrorResponse.Error.Type, xml(broken).ErrorResponse.Error.Code], ['Receiver', 'InternalFailure']);
  assert.doesNotMatch(String(broken.body), /secret/);
  // Handed to the endpoint for its log, never sent; an AWS error is not unexpected.
  assert.match((broken.unexpected as Error).message, /secret internals/);
  assert.equal(r.unexpected, undefined);
});

test('an unknown Action or version is InvalidAction 400', async () => {
  const svc = service({ Known: async () => undefined });
  for (const [body, message] of [
    ['Action=Nope&Version=2010-05-08', 'Could not find operation Nope for version 2010-05-08'],
    ['Action=Known&Version=2011-06-15', 'Could not find operation Known for version 2011-06-15'],
    ['Action=toString&Version=2010-05-08', 'Could not find operation toString for version 2010-05-08'],
  ]) {
    const r = await svc.handle(request(body!));
    assert.equal(r.status, 400);
    assert.equal(xml(r).ErrorResponse.Error.Code, 'InvalidAction');
    assert.equal(xml(r).ErrorResponse.Error.Message, message);
  }
});

test('read() checks model constraints and reports every violation at once, Coral style', async () => {
  const svc = service({
    Make: async ({ params }) => {
      const v = params.read({
        RoleName: { required: true, min: 1, max: 5, pattern: String.raw`[\w+=,.@-]+` },
        Path: { required: true },
        MaxItems: { type: 'int', min: 1, max: 1000 },
        Scope: { enum: ['All', 'AWS', 'Local'] },
        Only: { type: 'bool' },
      });
      return { Out: JSON.stringify(v) };
    },
  });
  const bad = await svc.handle(request('Action=Make&Version=2010-05-08&RoleName=a%20bcdef&MaxItems=0&Scope=all'));
  assert.equal(bad.status, 400);
  const err = xml(bad).ErrorResponse.Error;
  assert.equal(err.Code, 'ValidationError');
  assert.equal(
    err.Message,
    [
      "4 validation errors detected: Value 'a bcdef' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 5",
      "Value null at 'path' failed to satisfy constraint: Member must not be null",
      "Value 0 at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
      "Value 'all' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
    ].join('; '),
  );

  const ok = await svc.handle(request('Action=Make&Version=2010-05-08&RoleName=r&Path=%2F&MaxItems=7&Only=true'));
  assert.deepEqual(JSON.parse(xml(ok).MakeResponse.MakeResult.Out), { RoleName: 'r', Path: '/', MaxItems: 7, Only: true });
});

test('RDS refuses a missing required member as MissingParameter', async () => {
  const svc = service(
    {
      Add: async ({ params }) => {
        params.read({ DBClusterIdentifier: { required: true } });
      },
    },
    { missing: 'MissingParameter' },
  );
  const r = await svc.handle(request('Action=Add&Version=2010-05-08'));
  assert.deepEqual(xml(r).ErrorResponse.Error, {
    Type: 'Sender',
    Code: 'MissingParameter',
    Message: 'The request must contain the parameter DBClusterIdentifier',
  });
});

test('an unsigned request belongs to the service whose API version it names', () => {
  const svc = service({});
  assert.equal(svc.matches(request('Action=X&Version=2010-05-08')), true);
  assert.equal(svc.matches(request('Action=X&Version=2014-10-31')), false);
});
