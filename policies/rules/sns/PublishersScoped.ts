// Topic policies let AWS services publish only for named sources (`aws:SourceArn` / `aws:SourceAccount`).
import { Rule, Violation } from '../../types';
import { allowsCovering, ifCovering, conditionValues, pinsRequest, servicePrincipals, statementLabel } from '../../statements';

export const PublishersScoped: Rule = {
  id: 'SSMB-SNS-002',
  name: 'PublishersScoped',
  service: 'sns',
  title: 'Service publishers restricted by `aws:SourceArn` / `aws:SourceAccount`',
  severity: 'high',
  rationale:
    'A topic policy that lets events.amazonaws.com or cloudwatch.amazonaws.com publish without a source condition admits every rule and alarm of every account, ' +
    "so anyone could send mail that looks like the baseline's.",
  fix: 'Add `ArnEquals aws:SourceArn = [rule or alarm ARNs]` and `StringEquals aws:SourceAccount = <account>` (NotificationTopic.allowEventBridgeRule does).',
  check(stack) {
    const out: Violation[] = [];
    const topicPolicies = stack.policies().uses.filter((u) => u.guards === 'aws_sns_topic');
    for (const at of allowsCovering(topicPolicies, 'sns:Publish')) {
      const { use, statement: st, index: i } = at;
      // A wildcard value (`arn:*`, `*`) names no source.
      const scoped = ['aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOwner'].some((k) =>
        conditionValues(st, k).some((v) => pinsRequest(k, v)),
      );
      if (scoped) continue;
      const found = servicePrincipals(st).map((service): Violation => ({
        address: use.resource.address,
        subject: service,
        message: `statement ${statementLabel(st, i)} lets ${service} publish without aws:SourceArn or aws:SourceAccount`,
      }));
      out.push(...ifCovering(at, 'sns:Publish', found));
    }
    return out;
  },
};
