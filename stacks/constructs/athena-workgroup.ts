import { Construct } from 'constructs';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { SecureBucket } from './secure-bucket';

export interface QueryWorkgroupProps {
  /** The workgroup name. */
  readonly name: string;
  /** What the console shows for it. */
  readonly description: string;
  /** The results bucket's name. */
  readonly resultsBucketName: string;
  /** Days query results are kept. */
  readonly resultRetentionDays: number;
  /** The account that must own the results bucket (Athena refuses to write elsewhere). */
  readonly expectedBucketOwner: string;
  /** A query scanning more is cancelled, in bytes. */
  readonly bytesScannedCutoffPerQuery: number;
  /** Whether `terraform destroy` deletes the workgroup with its named queries and history. */
  readonly forceDestroy: boolean;
}

/** A saved query of the workgroup: `id` is part of the construct id (API). */
export interface WorkgroupQuery {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly query: string;
}

/**
 * An Athena workgroup and its results bucket, created directly in `scope` (ids `results`
 * and `workgroup`, so the resource addresses are the caller's): results only SSE-S3 in
 * that bucket (`enforceWorkgroupConfiguration`: clients cannot redirect them to an
 * unencrypted or foreign location), CloudWatch metrics on.
 */
export function queryWorkgroup(scope: Construct, props: QueryWorkgroupProps): { resultsBucket: SecureBucket; workgroup: AthenaWorkgroup } {
  const resultsBucket = new SecureBucket(scope, 'results', {
    bucketName: props.resultsBucketName,
    expirationDays: props.resultRetentionDays,
    noncurrentVersionExpirationDays: 1,
  });
  const workgroup = new AthenaWorkgroup(scope, 'workgroup', {
    name: props.name,
    description: props.description,
    state: 'ENABLED',
    forceDestroy: props.forceDestroy,
    configuration: {
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
      resultConfiguration: {
        outputLocation: `s3://${resultsBucket.bucketName}/results/`,
        encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        expectedBucketOwner: props.expectedBucketOwner,
      },
    },
  });
  return { resultsBucket, workgroup };
}

/** The saved queries of a workgroup over one database, created in `scope` as `query-<id>`. */
export function workgroupQueries(scope: Construct, workgroup: AthenaWorkgroup, database: string, queries: readonly WorkgroupQuery[]): void {
  for (const q of queries) {
    new AthenaNamedQuery(scope, `query-${q.id}`, {
      name: q.name,
      description: q.description,
      workgroup: workgroup.id,
      database,
      query: q.query,
    });
  }
}
