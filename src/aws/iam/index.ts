/**
 * The IAM service: global (one view per account, whatever the region signed for), spoken over the
 * query protocol under the signing name `iam`. One file per resource.
 */
import type { IamStore } from '../../iam/store/iam-store.js';
import type { IdentityPolicyDeps } from '../identity-policies.js';
import { queryService } from '../protocols/query-xml.js';
import type { AwsService } from '../request.js';
import { attachmentActions } from './attachments.js';
import { iamAuthorizer } from './authorize.js';
import { inlinePolicyActions } from './inline-policies.js';
import { policyActions } from './policies.js';
import { policyVersionActions } from './policy-versions.js';
import { roleActions } from './roles.js';
import { iamTimestamp } from './shapes.js';

/** `access`: who may call, and IAM's say on them; none when IAM is off (`--no-enforce-iam`). */
export function iamService(store: IamStore, access: IdentityPolicyDeps | undefined): AwsService {
  const actions = {
    ...policyActions(store),
    ...policyVersionActions(store),
    ...roleActions(store),
    ...attachmentActions(store),
    ...inlinePolicyActions(store),
  };
  return queryService({
    signingName: 'iam',
    apiVersion: '2010-05-08',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    missing: 'ValidationError',
    timestamp: iamTimestamp,
    actions,
    authorize: access && iamAuthorizer(access, store, Object.keys(actions)),
  });
}
