import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PgError } from './errors.js';
import { makeVerifier, mockSecret, parseVerifier, ScramExchange, verifyPassword } from './scram.js';
import { saslprep } from './saslprep.js';
import { scramClientFinal as clientFinal } from '../../test/helpers/pgwire-server.js';

const fatal = (code: string) => (err: PgError) => err.code === code && err.severity === 'FATAL';

describe('SCRAM-SHA-256', () => {
  it('reproduces the RFC 7677 example exchange', () => {
    const verifier = makeVerifier('pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const exchange = new ScramExchange(parseVerifier(verifier)!, '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    const serverFirst = exchange.serverFirst('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    assert.equal(serverFirst, 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    const final = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
    assert.equal(exchange.serverFinal(final), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('accepts the right password and returns null for a wrong one', () => {
    const secret = parseVerifier(makeVerifier('right'))!;
    for (const [password, gs2] of [
      ['right', 'n,,'],
      ['right', 'y,,'],
      ['wrong', 'n,,'],
    ]) {
      const exchange = new ScramExchange(secret);
      const serverFirst = exchange.serverFirst(`${gs2}n=,r=abc`);
      const result = exchange.serverFinal(clientFinal(password, 'n=,r=abc', serverFirst, gs2));
      assert.equal(result === null, password === 'wrong', `${password} ${gs2}`);
    }
  });

  it('makes verifiers that verifyPassword checks', () => {
    const verifier = makeVerifier('s3cret');
    assert.match(verifier, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    assert.equal(verifyPassword(verifier, 's3cret'), true);
    assert.equal(verifyPassword(verifier, 's3cret '), false);
    assert.equal(verifyPassword('md5abcdef', 's3cret'), false);
    assert.equal(parseVerifier('SCRAM-SHA-256$4096:c2FsdA==$c2hvcnQ=:c2hvcnQ='), null);
  });

  it('refuses channel binding, authorization identities, extensions and wrong nonces', () => {
    const secret = parseVerifier(makeVerifier('x'))!;
    assert.throws(() => new ScramExchange(secret).serverFirst('p=tls-server-end-point,,n=,r=abc'), fatal('08P01'));
    assert.throws(() => new ScramExchange(secret).serverFirst('n,a=admin,n=,r=abc'), fatal('0A000'));
    assert.throws(() => new ScramExchange(secret).serverFirst('n,,m=ext,n=,r=abc'), fatal('0A000'));
    assert.throws(() => new ScramExchange(secret).serverFirst('n,,n=,r='), fatal('08P01'));
    assert.throws(() => new ScramExchange(secret).serverFirst('n,,n=,x=abc'), fatal('08P01'));
    assert.throws(() => new ScramExchange(secret).serverFirst(''), fatal('08P01'));
    const exchange = new ScramExchange(secret);
    exchange.serverFirst('n,,n=,r=abc');
    assert.throws(() => exchange.serverFinal('c=biws,r=abcother,p=AAAA'), fatal('08P01'));
    assert.throws(() => exchange.serverFinal('c=eSws,r=abc,p=AAAA'), fatal('08P01'));
  });

  it('gives an unknown user the same salt on every attempt, and no way in', () => {
    assert.deepEqual(mockSecret('nobody').salt, mockSecret('nobody').salt);
    assert.notDeepEqual(mockSecret('nobody').salt, mockSecret('somebody').salt);
    const exchange = new ScramExchange(mockSecret('nobody'));
    const serverFirst = exchange.serverFirst('n,,n=,r=abc');
    assert.equal(exchange.serverFinal(clientFinal('', 'n=,r=abc', serverFirst)), null);
  });

  it('prepares passwords as SASLprep does', () => {
    assert.equal(saslprep('plain ascii\t'), 'plain ascii\t');
    assert.equal(saslprep('ｐａｓｓ'), 'pass');
    assert.equal(saslprep('a\u00A0b\u00ADc'), 'a bc');
    assert.equal(saslprep('e\u0301'), 'é');
    assert.equal(saslprep('bad\u0080char'), 'bad\u0080char');
  });
});
