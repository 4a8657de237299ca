import { SsmAssociationTargets } from '@cdktf/provider-aws/lib/ssm-association';
import { Targets } from '../platform/config/common';

/**
 * The `targets` of a State Manager association: every managed instance
 * (`InstanceIds = *`), instances with a tag key, or instances with given tag values.
 */
export function associationTargets(t: Targets = {}): SsmAssociationTargets[] {
  if (t.tagKey === undefined) return [{ key: 'InstanceIds', values: ['*'] }];
  if (t.tagValues === undefined) return [{ key: 'tag-key', values: [t.tagKey] }];
  return [{ key: `tag:${t.tagKey}`, values: [...t.tagValues] }];
}
