/**
 * Which function, in which region and account, a call names: the name forms Lambda accepts, the
 * region from the ARN vs the `region` argument vs the cluster's region, and the qualifier from the
 * name vs the `qualifier` argument. Conflicts are refused as Aurora refuses them.
 */
import { functionArn } from '../lambda/model.js';
import { InvalidArgument } from './errors.js';

export interface ClusterScope {
  accountId: string;
  region: string;
}

export interface Target {
  region: string;
  accountId: string;
  name: string;
  qualifier?: string;
  /** The unqualified ARN, as Aurora's error details name the function. */
  arn: string;
}

const REGION = String.raw`[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d`;
const REGION_ONLY = new RegExp(`^${REGION}$`);
// As Lambda reads them: a full ARN's `function:` is optional, so one that stops after the account
// names a function called "function".
const FORMS = new RegExp(
  String.raw`^(?:arn:aws[a-zA-Z-]*:lambda:(${REGION}):(\d{12}):(?:function:)?|(?:(${REGION}):)?(?:(\d{12}):)?(?:function:)?)([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$`,
);

/**
 * Whose functions a plain name means: the cluster's account, as on Aurora; for a cluster bound to
 * AWS, the account of the role it invokes as (pglambda's own account numbers mean nothing there).
 */
export function functionScope(cluster: ClusterScope & { aws?: { roleArn: string } }): ClusterScope {
  return cluster.aws ? { accountId: cluster.aws.roleArn.split(':')[4]!, region: cluster.region } : cluster;
}

export function resolveTarget(
  functionName: string,
  regionArg: string | undefined,
  qualifierArg: string | undefined,
  cluster: ClusterScope,
): Target {
  const m = FORMS.exec(functionName);
  if (!m) {
    throw new InvalidArgument(
      `invalid function_name "${functionName}"`,
      'Use a function name, name:qualifier, a partial ARN (123456789012:function:name) or a full ARN.',
    );
  }
  const arnRegion = m[1] ?? m[3];
  if (arnRegion && regionArg && arnRegion !== regionArg) {
    throw new InvalidArgument(`region "${regionArg}" conflicts with the region "${arnRegion}" in function_name "${functionName}"`);
  }
  const derived = m[6];
  if (derived !== undefined && qualifierArg !== undefined && derived !== qualifierArg) {
    throw new InvalidArgument(`qualifier "${qualifierArg}" conflicts with the qualifier "${derived}" in function_name "${functionName}"`);
  }
  if (qualifierArg !== undefined && !/^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/.test(qualifierArg)) {
    throw new InvalidArgument(`invalid qualifier "${qualifierArg}"`);
  }
  const region = arnRegion ?? regionArg ?? cluster.region;
  if (!REGION_ONLY.test(region)) throw new InvalidArgument(`invalid region "${region}"`);
  const accountId = m[2] ?? m[4] ?? cluster.accountId;
  const name = m[5]!;
  return { region, accountId, name, qualifier: derived ?? qualifierArg, arn: functionArn({ region, accountId, name }) };
}
