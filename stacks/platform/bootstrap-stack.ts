import { Construct } from 'constructs';
import { LocalBackend, TerraformOutput } from 'cdktf';
import { AppStack } from './app-stack';
import { AccountConfig, BaselineConfig } from './config/schema';
import { bootstrapStackName } from './naming';
import { awsProvider, stateBucketName, stateRegion } from './provider';
import { SecureBucket } from '../constructs/secure-bucket';

export interface BootstrapStackProps {
  readonly config: BaselineConfig;
  readonly account: AccountConfig;
  /**
   * Where the stack keeps its local state until the bucket exists, relative to the
   * stack's folder (`<outdir>/stacks/<name>`).
   * @default ../../../bootstrap-state/<name>.tfstate (beside the default cdktf.out)
   */
  readonly localStatePath?: string;
}

/**
 * Creates an account's state bucket. It keeps its own (tiny) state locally until
 * the bucket exists; README explains how to migrate it into the bucket.
 */
export class BootstrapStack extends AppStack {
  constructor(scope: Construct, props: BootstrapStackProps) {
    const name = bootstrapStackName(props.account);
    super(scope, name);
    const { config, account } = props;
    const region = stateRegion(config, account);
    awsProvider(this, config, account, region, name);
    // Beside the project, not in the synth output that every synth replaces.
    new LocalBackend(this, { path: props.localStatePath ?? `../../../bootstrap-state/${name}.tfstate` });

    const bucket = new SecureBucket(this, 'state', {
      bucketName: stateBucketName(config, account),
      preventDestroy: true,
      // Current versions are the live state: never expire them; old versions allow rollback.
      noncurrentVersionExpirationDays: 90,
      kmsKeyArn: config.state.kmsKeyId,
    });
    new TerraformOutput(this, 'state_bucket', { value: bucket.bucketName, description: 'Terraform state bucket of this account' });
  }
}
