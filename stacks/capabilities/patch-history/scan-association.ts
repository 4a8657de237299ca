import { Construct } from 'constructs';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { StackContext } from '../../platform/shared';
import { effectiveScanTargets } from './config';
import { associationTargets } from '../../constructs/association-targets';

/** The AWS-owned document that scans (or installs) against the instance's patch baseline. */
export const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';

/**
 * The scan that produces the data a snapshot reads: `AWS-RunPatchBaseline` with
 * Operation=Scan on the configured targets. Scan only reports compliance; it never
 * installs a patch or reboots.
 */
export function scanAssociation(scope: Construct, id: string, ctx: StackContext): SsmAssociation {
  const cfg = ctx.config.patchHistory;
  return new SsmAssociation(scope, id, {
    name: PATCH_DOCUMENT,
    associationName: ctx.naming.regional('patch-scan', 'ssmAssociation'),
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
