/** The IAM documents the start writes through its own IAM API, as a user would type them. */

export const policyDocument = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A trust policy letting an AWS service (`lambda.amazonaws.com`, `rds.amazonaws.com`) assume the role. */
export const trustsService = (service: string) =>
  policyDocument({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
