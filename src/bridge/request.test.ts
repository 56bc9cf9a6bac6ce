import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from './errors.js';
import { parseRequest } from './request.js';

const base = { v: 1, function_name: 'f', payload: { a: 1 } };
const req = (extra: Record<string, unknown>) => JSON.stringify({ ...base, ...extra });
const refused = (text: string, message: RegExp) =>
  assert.throws(() => parseRequest(text), (e: unknown) => e instanceof InvalidArgument && e.sqlstate === '22023' && message.test(e.message));

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
  assert.deepEqual(JSON.parse(Buffer.from(ok.clientContext!, 'base64').toString()), { env: { locale: 'es_MX.utf8' } });
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
