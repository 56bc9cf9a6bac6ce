import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { parsed, startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(() => svc.close());

test('a Node function created and invoked through the SDK answers its result', async () => {
  await svc.createFunction('smoke', { 'index.mjs': 'export const handler = async (e) => ({ got: e });' });
  const r = await svc.client.send(new InvokeCommand({ FunctionName: 'smoke', Payload: Buffer.from('{"x":1}') }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.ExecutedVersion, '$LATEST');
  assert.deepEqual(parsed(r.Payload), { got: { x: 1 } });
});
