import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from './logger.js';
import { terminalLines } from './terminal-lines.js';

/** A logger writing human lines, and what it wrote with the seconds since launch taken out. */
function onTerminal(level = 'info') {
  let written = '';
  const logger = createLogger({ name: 'pglambda', level, destination: terminalLines({ write: (text: string) => (written += text) }) });
  return { logger, written: () => written.replace(/\[\d+\.\ds\]/g, '[s]') };
}

test('progress reads as before: the name, the seconds since launch, the message', () => {
  const { logger, written } = onTerminal();
  logger.info('starting PostgreSQL 18 …');
  logger.child({ component: 'postgres' }).info('PostgreSQL 18 ready on 127.0.0.1:5488 (pid 7)');
  assert.equal(written(), 'pglambda: [s] starting PostgreSQL 18 …\npglambda: [s] PostgreSQL 18 ready on 127.0.0.1:5488 (pid 7)\n');
});

test('trouble says its level, its reason and its fields; an unexpected error its stack', () => {
  const { logger, written } = onTerminal();
  logger.warn({ err: 'Connection terminated', events: 3 }, 'could not renew event leases');
  logger.error({ err: new Error('internal secret'), requestId: 'r-1' }, 'unexpected error');
  const [warn, error, stack] = written().split('\n');
  assert.equal(warn, 'pglambda: [s] warn: could not renew event leases: Connection terminated events=3');
  assert.equal(error, 'pglambda: [s] error: unexpected error requestId=r-1');
  assert.equal(stack, '  Error: internal secret');
});

test('debug lines appear from --log-level debug only', () => {
  const quiet = onTerminal();
  quiet.logger.debug({ status: 200 }, 'request');
  assert.equal(quiet.written(), '');
  const chatty = onTerminal('debug');
  chatty.logger.debug({ path: '/2015-03-31/functions', status: 200 }, 'request');
  assert.equal(chatty.written(), 'pglambda: [s] request path=/2015-03-31/functions status=200\n');
});

test('credentials are redacted on a terminal too', () => {
  const { logger, written } = onTerminal();
  logger.warn({ login: { user: 'u', password: 'hunter2' } }, 'refused');
  assert.doesNotMatch(written(), /hunter2/);
  assert.match(written(), /login=\{"user":"u","password":"\[redacted\]"\}/);
});
