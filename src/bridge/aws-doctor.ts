/**
 * `pglambda doctor`: for a cluster bound to AWS, what the bridge would do, step by step and with the
 * bridge's own credentials, saying in plain words what is missing: its credentials, who AWS says it
 * is, the AssumeRole into the cluster's role, and a DryRun invoke of one function as that role.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Cluster } from '../rds/store/cluster-registry.js';
import type { AwsBinding } from '../rds/store/cluster-store.js';
import { functionScope, resolveTarget } from './target.js';

export interface Finding {
  check: 'binding' | 'credentials' | 'identity' | 'assume-role' | 'invoke';
  ok: boolean;
  says: string;
}

type AwsError = Error & { name: string };

/** The trust statement the bridge's principal needs in the role's trust policy. */
export function trustStatement(principalArn: string, externalId: string | undefined): object {
  return {
    Effect: 'Allow',
    Principal: { AWS: principalArn },
    Action: 'sts:AssumeRole',
    ...(externalId && { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }),
  };
}

export async function diagnose(cluster: Cluster, functionName: string): Promise<Finding[]> {
  if (!cluster.aws) {
    return [
      {
        check: 'binding',
        ok: true,
        says: `${cluster.identifier} invokes pglambda's own Lambda; bind it to AWS with \`pglambda install --aws-role-arn ARN\`.`,
      },
    ];
  }
  const findings: Finding[] = [
    {
      check: 'binding',
      ok: true,
      says: `${cluster.identifier} invokes AWS Lambda as ${cluster.aws.roleArn}${cluster.aws.externalId ? ` (external id "${cluster.aws.externalId}")` : ''}.`,
    },
  ];
  const sts = new STSClient({ region: cluster.region });
  try {
    return findings.concat(await steps(sts, { ...cluster, aws: cluster.aws }, functionName));
  } finally {
    sts.destroy();
  }
}

async function steps(sts: STSClient, cluster: Cluster & { aws: AwsBinding }, functionName: string): Promise<Finding[]> {
  const out: Finding[] = [];
  try {
    await sts.config.credentials();
  } catch (err) {
    out.push({
      check: 'credentials',
      ok: false,
      says: `The bridge has no AWS credentials (${(err as Error).message}). Give its process some: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with a shared config or SSO profile, web identity (EKS), an ECS task role or an EC2 instance profile.`,
    });
    return out;
  }
  out.push({ check: 'credentials', ok: true, says: 'The bridge found AWS credentials through the SDK provider chain.' });

  let caller: string;
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    caller = id.Arn!;
    out.push({ check: 'identity', ok: true, says: `AWS says the bridge is ${caller} (account ${id.Account}).` });
  } catch (err) {
    const e = err as AwsError;
    const why =
      e.name === 'SignatureDoesNotMatch'
        ? 'the secret does not match the access key'
        : e.name === 'InvalidClientTokenId'
          ? 'AWS does not know the access key (or the session token)'
          : e.name === 'ExpiredToken'
            ? 'the session has expired'
            : e.message;
    out.push({ check: 'identity', ok: false, says: `AWS refused the bridge's credentials: ${why} (${e.name}: ${e.message}).` });
    return out;
  }

  const { roleArn, externalId } = cluster.aws;
  let credentials;
  try {
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: cluster.identifier, ExternalId: externalId }),
    );
    const c = assumed.Credentials!;
    credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    out.push({ check: 'assume-role', ok: true, says: `Assumed ${roleArn} as ${assumed.AssumedRoleUser!.Arn}.` });
  } catch (err) {
    const e = err as AwsError;
    const fix =
      e.name === 'AccessDenied'
        ? ` The role must exist and its trust policy must allow the bridge, e.g. this statement: ${JSON.stringify(trustStatement(caller, externalId))}; and the bridge's own policies must allow sts:AssumeRole on ${roleArn}.`
        : '';
    out.push({ check: 'assume-role', ok: false, says: `Could not assume ${roleArn}: ${e.message}.${fix}` });
    return out;
  }

  let target;
  try {
    target = resolveTarget(functionName, undefined, undefined, functionScope(cluster));
  } catch (err) {
    out.push({ check: 'invoke', ok: false, says: (err as Error).message });
    return out;
  }
  const name = target.qualifier ? `${target.arn}:${target.qualifier}` : target.arn;
  const lambda = new LambdaClient({ region: target.region, credentials, maxAttempts: 1 });
  try {
    await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun' }));
    out.push({ check: 'invoke', ok: true, says: `The role may invoke ${name} (a DryRun invoke answered 204).` });
  } catch (err) {
    const e = err as AwsError;
    const says =
      e.name === 'ResourceNotFoundException'
        ? `No function ${name} in ${target.region}${target.region === cluster.region ? ` (the cluster's region)` : ''}: ${e.message}. If it lives in another region, name it by its full ARN (or pass region => '…' in SQL).`
        : e.name === 'AccessDeniedException'
          ? `The role may not invoke ${name}: ${e.message}. Give ${roleArn} lambda:InvokeFunction on ${target.arn} (and ${target.arn}:* for versions and aliases).`
          : `The DryRun invoke of ${name} failed: ${e.name}: ${e.message}.`;
    out.push({ check: 'invoke', ok: false, says });
  } finally {
    lambda.destroy();
  }
  return out;
}
