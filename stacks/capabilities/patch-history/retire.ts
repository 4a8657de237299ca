import { Construct } from 'constructs';
import { TerraformResource, TerraformStack } from 'cdktf';
import { SharedResources } from '../../platform/shared';
import { SecureBucket } from '../../constructs/secure-bucket';
import { forgetResource } from '../../constructs/refactoring';
import type { PatchHistoryConfig } from './config';

/** Construct ids of the kept buckets, as PatchHistory and PatchHistoryQuery create them. */
export const HISTORY_BUCKET_PATH = ['history'] as const;
export const RESULTS_BUCKET_PATH = ['query', 'results'] as const;

/**
 * Terraform addresses of the history bucket and the query-results bucket with their
 * configuration resources (public access block, ownership, encryption, versioning,
 * lifecycle, policy), as the enabled capability `id` names them in this stack. The buckets
 * are built in a scratch stack that is never synthesized: a logical id depends only on the
 * construct path below the stack.
 */
export function patchHistoryBucketAddresses(
  id: string,
  config: PatchHistoryConfig,
  shared: SharedResources,
  which: 'history and results' | 'results' = 'history and results',
): string[] {
  // A bare root, not an App: an App creates its output folder on disk.
  const scratch = new TerraformStack(new Construct(undefined as unknown as Construct, ''), shared.stackName);
  const capability = new Construct(scratch, id);
  const history = new SecureBucket(capability, HISTORY_BUCKET_PATH[0], {
    bucketName: shared.naming.bucket('patch-history'),
    expirationDays: config.retentionDays,
  });
  const results = new SecureBucket(new Construct(capability, RESULTS_BUCKET_PATH[0]), RESULTS_BUCKET_PATH[1], {
    bucketName: shared.naming.bucket('patch-queries'),
    expirationDays: config.queryResultRetentionDays,
  });
  return (which === 'results' ? [results] : [history, results]).flatMap((b) =>
    b.node
      .findAll()
      .filter(TerraformResource.isTerraformResource)
      .map((r) => `${(r as TerraformResource).terraformResourceType}.${scratch.getLogicalId(r)}`),
  );
}

/**
 * The capability's retirement (`enabled: false`): the snapshots and the saved query
 * results stay in their buckets, with their lifecycle, encryption and public access
 * block; Terraform forgets them (`removed` blocks, destroy = false, Terraform >= 1.7)
 * instead of failing to delete a bucket that holds objects. Everything else is destroyed,
 * including the Athena workgroup with its named queries and query history
 * (force_destroy), the Glue tables (metadata only) and the state machine.
 */
export function forgetPatchHistoryData(scope: Construct, id: string, config: PatchHistoryConfig, shared: SharedResources): void {
  for (const address of patchHistoryBucketAddresses(id, config, shared)) forgetResource(scope, address);
}

/**
 * With a hub the records go to the archive and the hub's fleet tables answer the
 * questions, so this account-region's Glue tables, workgroup and saved queries are not
 * created: Terraform forgets the query-results bucket (its saved results stay) and
 * destroys the rest, as on retirement.
 */
export function forgetPatchQueryResults(scope: Construct, id: string, config: PatchHistoryConfig, shared: SharedResources): void {
  for (const address of patchHistoryBucketAddresses(id, config, shared, 'results')) forgetResource(scope, address);
}
