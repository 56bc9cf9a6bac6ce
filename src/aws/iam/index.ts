/**
 * The IAM service: global (one view per account, whatever the region signed for), spoken over the
 * query protocol under the signing name `iam`. One file per resource.
 */
import type { IamStore } from '../../iam/store/iam-store.js';
import { queryService } from '../protocols/query-xml.js';
import type { AwsService } from '../request.js';
import { attachmentActions } from './attachments.js';
import { inlinePolicyActions } from './inline-policies.js';
import { policyActions } from './policies.js';
import { policyVersionActions } from './policy-versions.js';
import { roleActions } from './roles.js';
import { iamTimestamp } from './shapes.js';

export function iamService(store: IamStore): AwsService {
  return queryService({
    signingName: 'iam',
    apiVersion: '2010-05-08',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    missing: 'ValidationError',
    timestamp: iamTimestamp,
    actions: {
      ...policyActions(store),
      ...policyVersionActions(store),
      ...roleActions(store),
      ...attachmentActions(store),
      ...inlinePolicyActions(store),
    },
  });
}
