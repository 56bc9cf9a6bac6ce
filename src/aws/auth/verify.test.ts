/**
 * Signature checks on requests signed by the SDK's own signer, as a client signs them: the header
 * form and the presigned form, a session token, tampering, and the clock-skew windows.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { Authenticator, rootKeySecret } from './authenticate.js';
import { AuthFailure, type AuthFailureKind } from './failures.js';
import { readSigning } from './signed-request.js';
import type { RequestToVerify } from './verify.js';

const NOW = new Date('2026-12-05T12:00:00Z');
const SESSION = { accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'session-secret', sessionToken: 'token-1' };

const authenticator = new Authenticator(async (key) => {
  if (key === SESSION.accessKeyId)
    return { secretAccessKey: SESSION.secretAccessKey, sessionToken: SESSION.sessionToken, expiresAt: new Date('2026-12-05T13:00:00Z') };
  return rootKeySecret(key, 'test');
}, true);

interface Signing {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  at?: Date;
  presign?: boolean;
}

/** A Lambda Invoke request signed by the SDK's signer, as the endpoint receives it. */
async function signedInvoke({
  credentials = { accessKeyId: 'test', secretAccessKey: 'test' },
  at = NOW,
  presign = false,
}: Signing = {}): Promise<RequestToVerify> {
  const signer = new SignatureV4({ credentials, region: 'us-west-2', service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const body = Buffer.from('{"a":1}');
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4575,
    path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction%3Amy-function/invocations',
    query: { Qualifier: '$LATEST' },
    headers: { host: '127.0.0.1:4575', 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body,
  };
  const signed = presign
    ? await signer.presign(request, { signingDate: at, expiresIn: 900 })
    : await signer.sign(request, { signingDate: at });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) for (const one of [v].flat()) query.append(k, String(one));
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  return { method: 'POST', rawPath: request.path, query, headers, body };
}

async function check(req: RequestToVerify, skewMinutes = 5): Promise<void> {
  await authenticator.authenticate(req, readSigning(req.headers, req.query), skewMinutes, NOW);
}

async function refusedAs(req: RequestToVerify, kind: AuthFailureKind, message?: RegExp, skewMinutes = 5): Promise<void> {
  await assert.rejects(check(req, skewMinutes), (e: unknown) => {
    assert.ok(e instanceof AuthFailure, String(e));
    assert.equal(e.kind, kind);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('a request signed with the right secret passes, in the header form and presigned', async () => {
  await check(await signedInvoke());
  await check(await signedInvoke({ presign: true }));
  await check(await signedInvoke({ credentials: { accessKeyId: '111122223333', secretAccessKey: 'test' } }));
});

test('another secret, a changed body, path or header: the signature does not match', async () => {
  await refusedAs(
    await signedInvoke({ credentials: { accessKeyId: 'test', secretAccessKey: 'guess' } }),
    'signature',
    /does not match the signature you provided/,
  );
  const body = await signedInvoke();
  body.body = Buffer.from('{"a":2}');
  await refusedAs(body, 'signature');
  const path = await signedInvoke();
  path.rawPath = path.rawPath.replace('my-function', 'other-function');
  await refusedAs(path, 'signature');
  const header = await signedInvoke();
  header.headers['x-amz-invocation-type'] = 'Event';
  await refusedAs(header, 'signature');
  const presigned = await signedInvoke({ presign: true });
  presigned.query.set('Qualifier', '1');
  await refusedAs(presigned, 'signature');
});

test('a credential scope that carries a Signature= of its own is refused, whatever the signature says', async () => {
  // The expected signature is computed, never read back out of a header that also holds the client's scope.
  const forged = async (scope: string) => {
    const req = await signedInvoke();
    req.headers.authorization = `AWS4-HMAC-SHA256 Credential=test/${scope}, SignedHeaders=host;x-amz-date, Signature=ab`;
    return req;
  };
  await refusedAs(
    await forged('20261205/Signature=ab/lambda/aws4_request'),
    'signature',
    /^Credential should be scoped to a valid region, not 'Signature=ab'\. $/,
  );
  await refusedAs(await forged('20261205/us-west-2/Signature=ab/aws4_request'), 'signature', /does not match the signature you provided/);
});

test('a session key needs its own token; an unknown key is refused before its signature is checked', async () => {
  await check(await signedInvoke({ credentials: SESSION }));
  await check(await signedInvoke({ credentials: SESSION, presign: true }));
  await refusedAs(
    await signedInvoke({ credentials: { ...SESSION, sessionToken: 'token-2' } }),
    'unknown-key',
    /^The security token included in the request is invalid\.$/,
  );
  const { sessionToken: _, ...withoutToken } = SESSION;
  await refusedAs(await signedInvoke({ credentials: withoutToken }), 'unknown-key');
  await refusedAs(await signedInvoke({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'test' } }), 'unknown-key');
});

test('a session past its expiry is refused as expired', async () => {
  const later = new Authenticator(
    async () => ({ secretAccessKey: 's', sessionToken: 't', expiresAt: new Date(NOW.getTime() - 1000) }),
    true,
  );
  const req = await signedInvoke({ credentials: { accessKeyId: 'ASIAOLD', secretAccessKey: 's', sessionToken: 't' } });
  await assert.rejects(
    later.authenticate(req, readSigning(req.headers, req.query), 5, NOW),
    (e: AuthFailure) => e.kind === 'expired-token',
  );
});

test('the signing time may be 5 minutes off for Lambda, 15 for the query services, whatever the form', async () => {
  const sixMinutesAgo = new Date(NOW.getTime() - 6 * 60_000);
  await refusedAs(
    await signedInvoke({ at: sixMinutesAgo }),
    'expired-signature',
    /^Signature expired: 20261205T115400Z is now earlier than 20261205T115500Z \(20261205T120000Z - 5 min\.\)$/,
  );
  await check(await signedInvoke({ at: sixMinutesAgo }), 15);
  await refusedAs(
    await signedInvoke({ at: new Date(NOW.getTime() + 16 * 60_000) }),
    'expired-signature',
    /^Signature not yet current: .* \+ 15 min\.\)$/,
    15,
  );
  await refusedAs(await signedInvoke({ at: sixMinutesAgo, presign: true }), 'expired-signature');
});

test('no signature, or an incomplete Authorization header, is refused as such', async () => {
  const unsigned = await signedInvoke();
  delete unsigned.headers.authorization;
  await refusedAs(unsigned, 'missing', /^Missing Authentication Token$/);
  const partial = await signedInvoke();
  partial.headers.authorization = 'AWS4-HMAC-SHA256 Credential=test/20261205/us-west-2/lambda/aws4_request';
  assert.throws(
    () => readSigning(partial.headers, partial.query),
    (e: AuthFailure) =>
      e.kind === 'incomplete' &&
      e.message.startsWith("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."),
  );
  partial.headers.authorization = 'AWS4-HMAC-SHA256 Credential=test/us-west-2, SignedHeaders=host, Signature=00';
  assert.throws(
    () => readSigning(partial.headers, partial.query),
    (e: AuthFailure) => e.kind === 'incomplete' && /exactly 5 slash-delimited elements/.test(e.message),
  );
});

test('with verification off, any secret and any key pass', async () => {
  const lenient = new Authenticator(async () => undefined, false);
  const req = await signedInvoke({ credentials: { accessKeyId: 'anything', secretAccessKey: 'guess' } });
  await lenient.authenticate(req, readSigning(req.headers, req.query), 5, NOW);
});
