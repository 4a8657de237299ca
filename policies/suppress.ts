// How code marks a finding as accepted: a suppression written next to the resource,
// with a reason, stored in the resource's `//` comment in cdk.tf.json (Terraform
// ignores `//` keys in JSON configuration, so nothing reaches AWS or the plan).
//
//   suppress(role, 'SSMB-IAM-003', 'ec2:DescribeInstances has no resource-level permission', ['ec2:DescribeInstances']);
//
// renders as
//
//   "aws_iam_role_policy": { "x": { "//": { "metadata": {...}, "ssmb_suppressions": [
//     { "rule": "SSMB-IAM-003", "reason": "...", "appliesTo": ["ec2:DescribeInstances"] } ] }, ... } }
//
// The policy CLI reads it from cdk.tf.json, and from the cdk.tf.json beside a plan.json.
import type { TerraformElement, TerraformStack } from 'cdktf';
import { SUPPRESSIONS_KEY } from './model';
import type { Suppression } from './types';

export { MIN_REASON_LENGTH } from './suppressions';

const registered = new WeakMap<object, Suppression[]>();

/**
 * Suppress `rule` on a resource (or, given a stack, on stack-level findings such as the
 * backend). `appliesTo` limits it to the named subjects (actions, principals, Sids).
 * Several calls accumulate.
 */
export function suppress(element: TerraformElement | TerraformStack, rule: string, reason: string, appliesTo?: string[]): void {
  const list = registered.get(element) ?? [];
  list.push({ rule, reason, ...(appliesTo ? { appliesTo: [...appliesTo] } : {}) });
  registered.set(element, list);
  // An override replaces the whole list, so write every suppression registered so far.
  element.addOverride(
    `//.${SUPPRESSIONS_KEY}`,
    list.map((s) => ({ ...s })),
  );
}
