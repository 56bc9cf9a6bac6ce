/**
 * The STS service: GetCallerIdentity and AssumeRole over the query protocol (signing name `sts`,
 * global), and the parts enforcement and the bridge use inside pglambda: `identities` (who an
 * access key is) and `assumer` (AssumeRole, including `assumeRoleForService`).
 */
import type { Pool } from 'pg';
import type { IamStore } from '../../iam/store/iam-store.js';
import { RolePolicies } from '../../iam/store/role-policies.js';
import { queryService } from '../protocols/query-xml.js';
import type { AwsService } from '../request.js';
import { RoleAssumer } from './assume-role.js';
import { validationError } from './errors.js';
import { Identities } from './identity.js';
import { SessionStore } from './session-store.js';

export interface Sts {
  identities: Identities;
  assumer: RoleAssumer;
  /** Roles' parsed policies, shared with every service that authorizes requests. */
  roles: RolePolicies;
}

export function createSts(db: Pool, iam: IamStore): Sts {
  const sessions = new SessionStore(db);
  const roles = new RolePolicies(iam);
  return { identities: new Identities(sessions), assumer: new RoleAssumer(roles, sessions), roles };
}

const NAME = String.raw`[\w+=,.@-]*`;
/** Any ARN at all (six parts); STS refuses other text before looking for the role. */
const ARN = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/;

/** STS writes timestamps in whole seconds: `2019-11-09T13:34:41Z`. */
const stsTimestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function stsService({ identities, assumer }: Sts): AwsService {
  return queryService({
    signingName: 'sts',
    apiVersion: '2011-06-15',
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    missing: 'ValidationError',
    timestamp: stsTimestamp,
    actions: {
      GetCallerIdentity: async ({ caller }) => {
        const id = await identities.callerOf(caller);
        return { UserId: id.userId, Account: id.accountId, Arn: id.arn };
      },

      AssumeRole: async ({ params, caller }) => {
        const input = params.read({
          RoleArn: { required: true, min: 20, max: 2048 },
          RoleSessionName: { required: true, min: 2, max: 64, pattern: NAME },
          DurationSeconds: { type: 'int', min: 900, max: 43200 },
          ExternalId: { min: 2, max: 1224, pattern: String.raw`[\w+=,.@:\/-]*` },
          SourceIdentity: { min: 2, max: 64, pattern: NAME },
          Policy: { min: 1 },
        });
        // Session policies and tags would narrow or label the session; refused rather than ignored,
        // so a session never holds more than its caller asked for.
        if (input.Policy !== undefined || params.structs('PolicyArns').length) {
          throw validationError('pglambda does not support session policies (Policy, PolicyArns).');
        }
        if (params.structs('Tags').length) throw validationError('pglambda does not support session tags.');
        if (!ARN.test(input.RoleArn)) throw validationError(`${input.RoleArn} is invalid`);
        const session = await assumer.assumeRole(await identities.callerOf(caller), {
          roleArn: input.RoleArn,
          sessionName: input.RoleSessionName,
          durationSeconds: input.DurationSeconds,
          externalId: input.ExternalId,
        });
        return { ...session, SourceIdentity: input.SourceIdentity };
      },
    },
  });
}
