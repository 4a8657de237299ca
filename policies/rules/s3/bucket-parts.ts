// Shared by the S3 rules: the resources that configure one bucket, and its policy statements.
import type { NormalStatement } from '../../document';
import type { Resource, StackModel } from '../../model';
import { attachedTo } from '../../statements';

/** Resources of `type` configuring `bucket` (through their `bucket` argument). */
export function bucketParts(stack: StackModel, bucket: Resource, type: string): Resource[] {
  return attachedTo(stack, bucket, type, 'bucket');
}

/** Statements of every policy guarding the bucket: aws_s3_bucket_policy resources and the legacy inline `policy`. */
export function bucketPolicyStatements(
  stack: StackModel,
  bucket: Resource,
): Array<{ resource: Resource; statement: NormalStatement; index: number }> {
  return stack
    .policies()
    .uses.filter(
      (u) =>
        u.guards === 'aws_s3_bucket' &&
        (u.resource === bucket || (u.resource.type === 'aws_s3_bucket_policy' && stack.refersTo(u.resource.values.bucket, bucket))),
    )
    .flatMap((u) => u.statements.map((statement, index) => ({ resource: u.resource, statement, index })));
}
