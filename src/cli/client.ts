/** The Lambda client the CLI commands use: the official SDK, pointed at pglambda. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { defaultEndpoint } from './options.js';

export function lambdaClient(endpoint = defaultEndpoint()): LambdaClient {
  return new LambdaClient({
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    },
  });
}
