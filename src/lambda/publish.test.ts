import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionConfig, FunctionRecord } from './model.js';
import { publish } from './publish.js';

const config: FunctionConfig = {
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  role: 'arn:aws:iam::123456789012:role/r',
  timeout: 3,
  memorySize: 128,
  description: '',
  architectures: ['x86_64'],
  ephemeralStorage: 512,
  codeSha256: 'sha',
  codeSize: 1,
  codeId: 'code',
  lastModified: '2026-01-01T00:00:00.000+0000',
  revisionId: 'r-latest',
};
const fresh: FunctionRecord = {
  accountId: '123456789012',
  region: 'us-west-2',
  name: 'f',
  latest: config,
  versions: {},
  lastPublished: 0,
  aliases: {},
  eventInvokeConfigs: {},
  tags: {},
};

test('a publish gives the version and $LATEST RevisionIds of their own; with nothing changed it returns the version again', () => {
  const first = publish(fresh, undefined);
  const v1 = first.result;
  assert.equal(v1.version, '1');
  assert.notEqual(v1.revisionId, config.revisionId);
  assert.notEqual(first.record.latest.revisionId, config.revisionId);
  assert.notEqual(first.record.latest.revisionId, v1.revisionId);
  const again = publish(first.record, 'only a description');
  assert.equal(again.record, first.record);
  assert.equal(again.result, v1);
  const changed = { ...first.record, latest: { ...first.record.latest, timeout: 9, revisionId: 'r-updated' } };
  assert.equal(publish(changed, undefined).result.version, '2');
});

test('a function last published before versions had RevisionIds of their own is still seen as unchanged', () => {
  const stored: FunctionRecord = { ...fresh, versions: { 1: { ...config, version: '1' } }, lastPublished: 1 };
  assert.equal(publish(stored, undefined).result.version, '1');
  const updated = { ...stored, latest: { ...config, revisionId: 'r-updated' } };
  assert.equal(publish(updated, undefined).result.version, '2');
});
