import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { PolicyDocument, PolicyStatement } from './policy-document';

export interface CustomerKeyProps {
  readonly accountId: string;
  readonly alias: string;
  readonly description: string;
  /** Service grants added to the key policy after the root delegation. @default - none */
  readonly statements?: PolicyStatement[];
  /** Days a scheduled deletion waits (7-30). @default 30, the longest: a deleted key makes its data unreadable */
  readonly deletionWindowInDays?: number;
}

/**
 * A customer-managed KMS key with rotation on and a key policy that delegates to
 * the account root (so IAM policies decide who else may use it), plus the
 * service grants the caller names.
 */
export class CustomerKey extends Construct {
  readonly key: KmsKey;
  readonly keyArn: string;
  private readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: CustomerKeyProps) {
    super(scope, id);
    this.policy = new PolicyDocument(this, 'policy', [
      {
        // The account root delegation of the default key policy: without it the key
        // becomes unmanageable. IAM policies still have to grant each use.
        sid: 'EnableIamPolicies',
        actions: ['kms:*'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${props.accountId}:root`] }],
      },
      ...(props.statements ?? []),
    ]);
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: this.policy.json,
    });
    this.keyArn = this.key.arn;
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
  }

  addToPolicy(...statements: PolicyStatement[]): void {
    this.policy.addStatements(...statements);
  }

  /** Statements computed at synth (e.g. grants for the services registered by then). */
  addStatementProducer(produce: () => PolicyStatement[]): void {
    this.policy.addStatementProducer(produce);
  }
}
