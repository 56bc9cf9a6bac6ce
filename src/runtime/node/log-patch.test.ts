import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startFunction } from '../../../test/helpers/runtime-process.js';

const NODE = { command: process.execPath, args: [fileURLToPath(new URL('./bootstrap.js', import.meta.url))] };
const TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

const HANDLER = `
console.log('loading');
exports.handler = async () => {
  console.log('hello %s', 'world', { a: 1 });
  console.info('two\\nlines');
  console.warn('careful');
  console.error(new Error('shown'));
  console.debug('details');
  console.trace('fine');
  console.fatal('the end');
  return 'done';
};`;

describe('node runtime: console', () => {
  it('writes one Text line per console call: timestamp, request id, level, message', async (t) => {
    const { api, proc } = await startFunction(t, NODE, { 'index.js': HANDLER }, 'index.handler');
    const id = api.queue();
    await api.result(id);
    await proc.waitForOutput('the end');
    const lines = proc.stdout.split('\n').filter(Boolean);
    assert.match(lines[0], new RegExp(`^${TS}\\tundefined\\tINFO\\tloading$`));
    const expected = [
      `INFO\\thello world { a: 1 }`,
      `INFO\\ttwo\\rlines`,
      `WARN\\tcareful`,
      `ERROR\\tError: shown\\r {4}at [^\\n]*`,
      `DEBUG\\tdetails`,
      `TRACE\\tfine`,
      `FATAL\\tthe end`,
    ];
    assert.equal(lines.length, 1 + expected.length, proc.stdout);
    expected.forEach((e, i) => assert.match(lines[i + 1], new RegExp(`^${TS}\\t${id}\\t${e}$`)));
  });

  it('writes JSON records and filters by AWS_LAMBDA_LOG_LEVEL', async (t) => {
    const env = { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' };
    const { api, proc } = await startFunction(t, NODE, { 'index.js': HANDLER }, 'index.handler', env);
    const id = api.queue();
    await api.result(id);
    await proc.waitForOutput('the end');
    const records = proc.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      records.map((r) => r.level),
      ['WARN', 'ERROR', 'FATAL'],
    );
    assert.deepEqual(Object.keys(records[0]), ['timestamp', 'level', 'requestId', 'message']);
    assert.equal(records[0].requestId, id);
    assert.equal(records[0].message, 'careful');
    assert.match(String(records[0].timestamp), new RegExp(`^${TS}$`));
    const error = records[1].message as Record<string, unknown>;
    assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'shown']);
    assert.ok(Array.isArray(error.stackTrace));
  });
});
