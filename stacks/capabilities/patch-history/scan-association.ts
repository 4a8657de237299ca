import { Construct } from 'constructs';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { SharedResources } from '../../platform/shared';
import { PatchHistoryConfig, effectiveScanTargets } from './config';
import { associationTargets } from '../../constructs/association-targets';

/** The AWS-owned document that scans (or installs) against the instance's patch baseline. */
export const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';

/**
 * The scan that produces the data a snapshot reads: `AWS-RunPatchBaseline` with
 * Operation=Scan on the configured targets. Scan only reports compliance; it never
 * installs a patch or reboots.
 */
export function scanAssociation(scope: Construct, id: string, cfg: PatchHistoryConfig, shared: SharedResources): SsmAssociation {
  return new SsmAssociation(scope, id, {
    name: PATCH_DOCUMENT,
    associationName: shared.naming.regional('patch-scan', 'ssmAssociation'),
    scheduleExpression: cfg.scanSchedule,
    // RebootOption is spelled out although Scan never reboots, so a later switch of
    // Operation cannot reboot instances by default.
    parameters: { Operation: 'Scan', RebootOption: 'NoReboot' },
    targets: associationTargets(effectiveScanTargets(cfg)),
    maxConcurrency: cfg.scanMaxConcurrency,
    maxErrors: cfg.scanMaxErrors,
    complianceSeverity: 'UNSPECIFIED',
  });
}
