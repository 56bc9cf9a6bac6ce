/** Where AWS Lambda is, as the SDK would resolve it from the process's settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LambdaEndpoints } from './lambda-endpoints.js';

const VARS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_USE_DUALSTACK_ENDPOINT',
  'AWS_CONFIG_FILE',
  'AWS_PROFILE',
];

async function endpointWith(env: Record<string, string>, region = 'us-west-2'): Promise<string> {
  const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
  for (const k of VARS) delete process.env[k];
  // No shared config of the machine's may decide for the test.
  Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/pglambda-test-config' }, env);
  try {
    return (await new LambdaEndpoints().for(region)).href;
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

test('the partition host by default, FIPS and dual-stack when the SDK settings ask', async () => {
  assert.equal(await endpointWith({}), 'https://lambda.us-west-2.amazonaws.com/');
  assert.equal(await endpointWith({}, 'cn-north-1'), 'https://lambda.cn-north-1.amazonaws.com.cn/');
  assert.equal(await endpointWith({ AWS_USE_FIPS_ENDPOINT: 'true' }), 'https://lambda-fips.us-west-2.amazonaws.com/');
  assert.equal(await endpointWith({ AWS_USE_DUALSTACK_ENDPOINT: 'true' }), 'https://lambda.us-west-2.api.aws/');
});

test('a configured endpoint wins: the Lambda one over the general one', async () => {
  assert.equal(await endpointWith({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' }), 'http://127.0.0.1:9000/');
  assert.equal(
    await endpointWith({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9001' }),
    'http://127.0.0.1:9001/',
  );
});
