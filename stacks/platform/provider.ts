import { Construct } from 'constructs';
import { S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AccountConfig, BaselineConfig } from './config/schema';

export const MANAGED_BY_TAG = { ManagedBy: 'ssm-baseline' } as const;

/** Region of an account's state bucket. */
export function stateRegion(config: BaselineConfig, account: AccountConfig): string {
  return config.state.region ?? account.regions[0];
}

/** Name of an account's state bucket. */
export function stateBucketName(config: BaselineConfig, account: AccountConfig): string {
  return account.stateBucket ?? `${config.namePrefix}-tfstate-${account.id}`;
}

/** Object key of a stack's state: unique per account-region. */
export function stateKey(config: BaselineConfig, account: AccountConfig, region: string): string {
  return `${config.state.keyPrefix}/${account.id}/${region}/terraform.tfstate`;
}

/**
 * The AWS provider of a stack. `allowed_account_ids` makes a plan or apply with
 * credentials of any other account fail before it changes anything.
 */
export function awsProvider(scope: Construct, config: BaselineConfig, account: AccountConfig, region: string, stack: string): AwsProvider {
  return new AwsProvider(scope, 'aws', {
    region,
    allowedAccountIds: [account.id],
    assumeRole: account.deployRoleArn ? [{ roleArn: account.deployRoleArn, sessionName: `ssm-baseline-${account.name}` }] : undefined,
    defaultTags: [{ tags: { ...config.tags, ...MANAGED_BY_TAG, SsmBaselineStack: stack } }],
  });
}

/**
 * Remote state in the account's own bucket: encrypted, native S3 locking
 * (`use_lockfile`, Terraform >= 1.11; no DynamoDB table), optionally through a role.
 */
export function s3Backend(stack: TerraformStack, config: BaselineConfig, account: AccountConfig, region: string): S3Backend {
  const roleArn = account.stateRoleArn ?? account.deployRoleArn;
  const backend = new S3Backend(stack, {
    bucket: stateBucketName(config, account),
    key: stateKey(config, account, region),
    region: stateRegion(config, account),
    encrypt: true,
    kmsKeyId: config.state.kmsKeyId,
    assumeRole: roleArn ? { roleArn, sessionName: `ssm-baseline-state-${account.name}` } : undefined,
  });
  // cdktf 0.21 has no typed prop for use_lockfile.
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
  return backend;
}
