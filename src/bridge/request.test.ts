import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from './errors.js';
import { parseRequest } from './request.js';

const base = { v: 1, function_name: 'f', payload: { a: 1 } };
const req = (extra: Record<string, unknown>) => JSON.stringify({ ...base, ...extra });
const refused = (text: string, message: RegExp) =>
  assert.throws(
    () => parseRequest(text),
    (e: unknown) => e instanceof InvalidArgument && e.sqlstate === '22023' && message.test(e.message),
  );

test('defaults follow aws_lambda.invoke: RequestResponse, no log, 3 s', () => {
  const r = parseRequest(req({}));
  assert.equal(r.invocationType, 'RequestResponse');
  assert.equal(r.tail, false);
  assert.equal(r.requestTimeoutMs, 3000);
  assert.equal(r.payload.toString(), '{"a":1}');
});

test('invocation_type and log_type are case-sensitive, as on Aurora', () => {
  refused(req({ invocation_type: 'event' }), /invalid invocation_type "event"/);
  refused(req({ log_type: 'tail' }), /invalid log_type "tail"/);
  assert.equal(parseRequest(req({ invocation_type: 'DryRun', log_type: 'Tail' })).tail, true);
});

test('context must be a JSON object of at most 3,583 base64 bytes', () => {
  refused(req({ context: [1] }), /context must be a JSON object/);
  refused(req({ context: 'x' }), /context must be a JSON object/);
  refused(req({ context: { custom: { big: 'x'.repeat(3000) } } }), /context is too large/);
  const ok = parseRequest(req({ context: { env: { locale: 'es_MX.utf8' } } }));
  assert.deepEqual(JSON.parse(ok.clientContext!), { env: { locale: 'es_MX.utf8' } });
});

test('payloads over Lambda limits are refused before the call', () => {
  refused(req({ payload: 'x'.repeat(6_291_456) }), /payload is too large/);
  refused(req({ invocation_type: 'Event', payload: 'x'.repeat(1_048_576) }), /limit 1048576 for Event/);
});

test('anything but the request shape is refused', () => {
  refused('not json', /malformed bridge request/);
  refused(JSON.stringify({ v: 2, function_name: 'f' }), /malformed bridge request/);
});

test('the payload is sent as its own text: numbers, spacing and repeated keys unchanged', () => {
  const payload = '{"id": 12345678901234567890, "price": 1.10, "huge": 1e400, "s": "a\\"}b", "p": "c:\\\\", "k": [1, {"x": "]"}], "k": 2}';
  const text = `{"v" : 1, "function_name" : "f", "payload" : ${payload} , "region" : null}`;
  assert.equal(parseRequest(text).payload.toString(), payload);
  assert.equal(parseRequest(req({ payload: 'x' })).payload.toString(), '"x"');
  assert.equal(parseRequest(req({ payload: -1.5e-7 })).payload.toString(), '-1.5e-7');
  assert.equal(parseRequest(req({ payload: null })).payload.length, 0);
  assert.equal(parseRequest(`{"v":1,"function_name":"f","payload":[],"payload":{"last":true}}`).payload.toString(), '{"last":true}');
});

/** A version-2 request as aws_lambda 1.1 writes it: json_build_array(...)::text, a newline, the payload. */
const v2 = (header: unknown[], payload = '{"a": 1}') => `${JSON.stringify([2, ...header])}\n${payload}`;
const args = (o: {
  name?: string | null;
  region?: string | null;
  type?: string | null;
  log?: string | null;
  qualifier?: string | null;
  context?: string | null;
  timeout?: string | null;
  override?: string;
}) => [
  o.name === undefined ? 'f' : o.name,
  o.region ?? null,
  o.type ?? null,
  o.log ?? null,
  o.qualifier ?? null,
  o.context ?? null,
  o.timeout ?? null,
  o.override ?? '',
];

test('version 2: header fields, defaults, and the payload forwarded as its text', () => {
  const r = parseRequest(v2(args({}), ' {"id": 12345678901234567890,\n "k": 1, "k": 2}'));
  assert.deepEqual(
    [r.functionName, r.region, r.invocationType, r.tail, r.qualifier, r.requestTimeoutMs, r.endpointOverride],
    ['f', undefined, 'RequestResponse', false, undefined, 3000, undefined],
  );
  assert.equal(r.payload.toString(), ' {"id": 12345678901234567890,\n "k": 1, "k": 2}');
  const all = parseRequest(
    v2(
      args({
        region: 'us-west-2',
        type: 'Event',
        log: 'Tail',
        qualifier: '1',
        context: '{"custom": {"a": 1}}',
        timeout: ' 2500 ',
        override: 'http://127.0.0.1:1',
      }),
    ),
  );
  assert.deepEqual(
    [all.region, all.invocationType, all.tail, all.qualifier, all.requestTimeoutMs, all.endpointOverride],
    ['us-west-2', 'Event', true, '1', 2500, 'http://127.0.0.1:1'],
  );
  assert.deepEqual(JSON.parse(all.clientContext!), { custom: { a: 1 } });
});

test('version 2: SQL NULL and JSON null payloads both mean no payload', () => {
  assert.equal(parseRequest(v2(args({}), '')).payload.length, 0);
  assert.equal(parseRequest(v2(args({}), 'null')).payload.length, 0);
  assert.equal(parseRequest(JSON.stringify([2, ...args({})])).payload.length, 0);
});

test('version 2: aws_lambda.request_timeout_ms is checked as the setting it is', () => {
  const bad = (timeout: string) =>
    assert.throws(
      () => parseRequest(v2(args({ timeout }))),
      (e: unknown) =>
        e instanceof InvalidArgument &&
        e.message === `invalid value for parameter "aws_lambda.request_timeout_ms": "${timeout}"` &&
        e.hint === 'Valid values are whole numbers of milliseconds between 1 and 900000.',
    );
  for (const timeout of ['0', 'fast', '900001', '1.5', '-1', '1000000']) bad(timeout);
  assert.equal(parseRequest(v2(args({ timeout: '' }))).requestTimeoutMs, 3000);
  assert.equal(parseRequest(v2(args({ timeout: '900000' }))).requestTimeoutMs, 900_000);
});

test('version 2: the same argument rules as version 1', () => {
  refused(v2(args({ name: null })), /function_name must not be null or empty/);
  refused(v2(args({ name: '' })), /function_name must not be null or empty/);
  refused(v2(args({ type: 'event' })), /invalid invocation_type "event"/);
  refused(v2(args({ log: 'tail' })), /invalid log_type "tail"/);
  refused(v2(args({ context: '[1]' })), /context must be a JSON object/);
  refused(v2(args({ type: 'Event' }), `"${'x'.repeat(1_048_576)}"`), /limit 1048576 for Event/);
  refused('[2, "f"]\n{}', /malformed bridge request/);
  refused('[3, "f", null, null, null, null, null, null, ""]\n{}', /malformed bridge request/);
  refused('[2, "f", nul\n{}', /malformed bridge request/);
});
