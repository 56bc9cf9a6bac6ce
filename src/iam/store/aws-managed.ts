/**
 * The AWS managed policies pglambda knows, as AWS publishes them (AWS Managed Policy reference:
 * ids, dates, descriptions and documents). They are seeded by migration `iam:2`; adding one is a
 * new migration, since released migrations never change.
 */
export interface AwsManagedPolicy {
  arn: string;
  name: string;
  path: string;
  policyId: string;
  description: string;
  createDate: string;
  document: string;
}

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaRole',
    name: 'AWSLambdaRole',
    path: '/service-role/',
    policyId: 'ANPAJX4DPCRGTC4NFDUXI',
    description: 'Default policy for AWS Lambda service role.',
    createDate: '2015-02-06T18:41:28Z',
    document: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "lambda:InvokeFunction"
      ],
      "Resource" : [
        "*"
      ]
    }
  ]
}`,
  },
  {
    arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    name: 'AWSLambdaBasicExecutionRole',
    path: '/service-role/',
    policyId: 'ANPAJNCQGXC42545SKXIK',
    description: 'Provides write permissions to CloudWatch Logs.',
    createDate: '2015-04-09T15:03:43Z',
    document: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource" : "*"
    }
  ]
}`,
  },
];
