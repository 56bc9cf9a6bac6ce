import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { headerSignature, type SigningCredentials } from './header-signature.js';

const ROOT: SigningCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SESSION: SigningCredentials = { ...ROOT, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'FwoGZXIvYXdzEXAMPLE//token==' };

interface Case {
  what: string;
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: string;
  credentials?: SigningCredentials;
  service?: string;
  region?: string;
}

type Request = Parameters<typeof headerSignature>[0];

function invocation(c: Case, headers: Record<string, string>): Request {
  return {
    method: c.method,
    protocol: 'http:',
    hostname: 'endpoint',
    path: c.path,
    query: c.query ?? {},
    headers,
    body: Buffer.from(c.body ?? ''),
  };
}

/** What the SDK's signer puts in the Authorization header as the signature. */
async function sdkSignature(
  request: Request,
  signableHeaders: Set<string>,
  signingDate: Date,
  credentials: SigningCredentials,
  region: string,
  service: string,
): Promise<string | undefined> {
  // The SDK's signer with the SDK's own SHA-256: what headerSignature must agree with.
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(request, { signingDate, signableHeaders });
  return /, Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1];
}

const CASES: Case[] = [
  {
    what: 'an Invoke',
    method: 'POST',
    path: '/2015-03-31/functions/my-function/invocations',
    headers: { host: '127.0.0.1:4566', 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body: '{"k":"v"}',
  },
  {
    what: 'an x-amz-date header other than the signing time (the signing time wins, as the signer sets it)',
    method: 'POST',
    path: '/2015-03-31/functions/my-function/invocations',
    headers: { host: 'localhost', 'x-amz-date': '20200101T000000Z' },
    body: '{}',
  },
  {
    what: 'a path and query to escape, repeated parameters, spaces to fold in a header',
    method: 'GET',
    path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction%3Af/policy',
    query: { Qualifier: '$LATEST', Marker: ['b', 'a c'], 'x-id': 'ü' },
    headers: { host: 'localhost', 'x-amz-user-agent': '  aws-sdk-js/3   lambda  ' },
  },
  {
    what: 'a session key, its token signed, the body hashed by the client',
    method: 'POST',
    path: '/',
    headers: {
      host: 'localhost',
      'content-type': 'application/x-www-form-urlencoded',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    body: '',
    credentials: SESSION,
    service: 'sts',
    region: 'us-east-1',
  },
  {
    what: 'a header the client left out of the signature',
    method: 'POST',
    path: '/2015-03-31/functions/f/invocations',
    headers: { host: 'localhost', 'user-agent': 'curl/8' },
    body: 'x',
  },
];

test('the header signature is the one the SDK signer makes, request by request', async () => {
  const signingDate = new Date('2026-12-06T07:16:05Z');
  for (const c of CASES) {
    const credentials = c.credentials ?? ROOT;
    const region = c.region ?? 'us-west-2';
    const service = c.service ?? 'lambda';
    // The client signs every header of the request but user-agent, as the SDK does.
    const signable = new Set(Object.keys(c.headers).filter((h) => h !== 'user-agent'));
    if (credentials.sessionToken) signable.add('x-amz-security-token');
    // As the endpoint passes it: the body a Buffer, the headers its own.
    const headers = { ...c.headers };
    const request = invocation(c, headers);
    const ours = await headerSignature(request, signable, signingDate, credentials, region, service);
    assert.equal(ours, await sdkSignature(request, signable, signingDate, credentials, region, service), c.what);
    // Asked again (its key now kept), the same; the request's headers are left as they were.
    assert.equal(await headerSignature(request, signable, signingDate, credentials, region, service), ours, c.what);
    assert.deepEqual(headers, c.headers, c.what);
  }
});

test('a key kept for one secret, day, region and service is not used for another', async () => {
  const c = CASES[0]!;
  const request = invocation(c, c.headers);
  const signable = new Set(Object.keys(c.headers));
  const day = new Date('2026-12-06T07:16:05Z');
  await headerSignature(request, signable, day, ROOT, 'us-west-2', 'lambda');
  const variants: Array<[Date, SigningCredentials, string, string]> = [
    [day, { ...ROOT, secretAccessKey: 'other' }, 'us-west-2', 'lambda'],
    [new Date('2026-12-07T07:16:05Z'), ROOT, 'us-west-2', 'lambda'],
    [day, ROOT, 'us-east-1', 'lambda'],
    [day, ROOT, 'us-west-2', 'sts'],
  ];
  for (const [at, credentials, region, service] of variants) {
    const expected = await sdkSignature(request, signable, at, credentials, region, service);
    assert.equal(
      await headerSignature(request, signable, at, credentials, region, service),
      expected,
      `${region} ${service} ${at.toISOString()}`,
    );
  }
});
