/**
 * The credentials the start uses to set up its own defaults through its own API (the default role,
 * the starter access, the example function): the default account's root, signed with the configured
 * root secret like any other client's request.
 */
import { DEFAULT_ACCOUNT } from '../aws/caller.js';

export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const rootCredentials = (secretAccessKey: string): RootCredentials => ({ accessKeyId: DEFAULT_ACCOUNT, secretAccessKey });
