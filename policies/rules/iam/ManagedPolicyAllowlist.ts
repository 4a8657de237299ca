// AWS-managed policies are attached only from an allowlist, each with the reason it is acceptable.
import { Rule, Violation } from '../../types';
import { Resource, StackModel, isExpression, references } from '../../model';

/** AWS-managed policies the baseline may attach, and why each is acceptable. */
export const MANAGED_POLICY_ALLOWLIST: Record<string, string> = {
  AmazonSSMManagedInstanceCore:
    "the SSM Agent's documented minimum (registration, State Manager, Run Command and Session Manager channels); " +
    "its actions have no resource-level permissions, so a hand-written copy could not be narrower and would miss AWS's updates",
};

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/;

/** Every [attachment resource, policy ARN] of the stack. */
function attachments(resources: Resource[]): Array<[Resource, string]> {
  const out: Array<[Resource, string]> = [];
  for (const r of resources) {
    if (
      [
        'aws_iam_role_policy_attachment',
        'aws_iam_user_policy_attachment',
        'aws_iam_group_policy_attachment',
        'aws_iam_policy_attachment',
      ].includes(r.type)
    ) {
      if (typeof r.values.policy_arn === 'string') out.push([r, r.values.policy_arn]);
    }
    if (r.type === 'aws_iam_role' || r.type === 'aws_iam_role_policy_attachments_exclusive') {
      for (const arn of (r.values.managed_policy_arns ?? r.values.policy_arns ?? []) as unknown[])
        if (typeof arn === 'string') out.push([r, arn]);
    }
  }
  return out;
}

/**
 * The ARN an attachment names: concrete values as they are; undefined for a reference to
 * an aws_iam_policy of the stack (customer-managed); the ARN of an aws_iam_policy data
 * source when it is written in the configuration; otherwise the expression itself.
 */
function resolvePolicyArn(stack: StackModel, value: string): string | undefined {
  if (!isExpression(value)) return value;
  const refs = references(value);
  if (refs.length && refs.every((ref) => ref.mode === 'managed' && ref.type === 'aws_iam_policy' && stack.get(ref.type, ref.name)))
    return undefined;
  const [ref] = refs;
  const data =
    refs.length === 1 && ref.mode === 'data' && ref.type === 'aws_iam_policy' && ref.attribute === 'arn'
      ? stack.get(ref.type, ref.name, 'data')
      : undefined;
  const arn = data?.values.arn;
  return typeof arn === 'string' && value === `\${${data!.address}.arn}` ? arn : value;
}

export const ManagedPolicyAllowlist: Rule = {
  id: 'SSMB-IAM-006',
  name: 'ManagedPolicyAllowlist',
  service: 'iam',
  title: 'AWS-managed policies only from the allowlist',
  severity: 'high',
  rationale:
    'AWS-managed policies are written for every customer, so most grant far more than one workload needs (AmazonS3FullAccess, ' +
    'AmazonEC2ReadOnlyAccess) and change without review. Allowed: ' +
    Object.keys(MANAGED_POLICY_ALLOWLIST).join(', ') +
    ' (reasons in policies/rules/iam/ManagedPolicyAllowlist.ts).',
  fix: 'Replace the managed policy with an inline or customer-managed policy naming exactly the actions and resources used; extend the allowlist only with a written reason.',
  check(stack) {
    const out: Violation[] = [];
    for (const [r, expression] of attachments(stack.resources.filter((x) => x.mode === 'managed'))) {
      const arn = resolvePolicyArn(stack, expression);
      if (arn === undefined) continue; // customer-managed: an aws_iam_policy of the stack
      if (isExpression(arn)) {
        out.push({
          address: r.address,
          subject: arn,
          outcome: 'unknown',
          message: `attaches ${arn}, a policy ARN known only at apply; it may be an AWS-managed policy off the allowlist`,
        });
        continue;
      }
      const m = AWS_MANAGED.exec(arn);
      if (m && !MANAGED_POLICY_ALLOWLIST[m[1]]) {
        out.push({ address: r.address, subject: m[1], message: `attaches the AWS-managed policy ${arn}, which is not on the allowlist` });
      }
    }
    return out;
  },
};
