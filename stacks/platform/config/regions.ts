// Commercial AWS regions (partition "aws") that offer Systems Manager, AWS Config,
// Step Functions and EventBridge Scheduler. A typo here must fail synth, not plan.
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

/** The longest region name, used to budget physical-name lengths. */
export const MAX_REGION_LENGTH = Math.max(...AWS_REGIONS.map((r) => r.length));

/**
 * Regions an account must enable before use (AWS Account Management, "Enable or
 * disable AWS Regions in your account": every region launched after 20 March 2019).
 * They are accepted, with a note at synth: a stack there fails at plan until the
 * account has opted in.
 */
export const OPT_IN_REGIONS: ReadonlySet<AwsRegion> = new Set<AwsRegion>([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);
