// Trust policies that let AWS services assume a role carry `aws:SourceAccount`, and `aws:SourceArn` of the right resource where the service sends it.
import { Rule, Violation } from '../../types';
import { allowsCovering, arnOfKind, ifCovering, conditionValues, isUnresolved, servicePrincipals, statementLabel } from '../../statements';
import { isExpression } from '../../model';

interface ServiceKeys {
  /** `aws:SourceArn` is required and must name a resource of this kind. */
  readonly sourceArn?: { readonly pattern: RegExp; readonly resourceTypes: string[]; readonly what: string };
}

/**
 * Services that act on behalf of a resource in *some* account and send the source keys
 * when they assume a role; without the keys, another account's resource could make
 * the service assume ours (the confused deputy). Extend when a capability trusts a new one.
 */
export const SOURCE_KEY_SERVICES: Record<string, ServiceKeys> = {
  // EventBridge Scheduler sends the schedule *group* ARN, not the schedule's.
  'scheduler.amazonaws.com': {
    sourceArn: {
      pattern: /^arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule-group\/.+$/,
      resourceTypes: ['aws_scheduler_schedule_group'],
      what: 'schedule-group ARN',
    },
  },
  'states.amazonaws.com': {
    sourceArn: {
      pattern: /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:.+$/,
      resourceTypes: ['aws_sfn_state_machine'],
      what: 'state machine ARN',
    },
  },
  'config.amazonaws.com': {},
  'events.amazonaws.com': {},
};

export const ServiceTrustConfusedDeputy: Rule = {
  id: 'SSMB-IAM-005',
  name: 'ServiceTrustConfusedDeputy',
  service: 'iam',
  title: 'Service trust policies carry `aws:SourceAccount` (and `aws:SourceArn` where supported)',
  severity: 'high',
  rationale:
    'Without source conditions, a schedule, state machine or recorder in another account can make the service assume this role (confused deputy). ' +
    `Checked for ${Object.keys(SOURCE_KEY_SERVICES).join(', ')}; Scheduler must be scoped to the schedule-group ARN, Step Functions to the state machine ARN.`,
  fix: 'Add `StringEquals aws:SourceAccount = <account id>` and, where listed, `ArnEquals aws:SourceArn = <resource ARN>` to the trust statement.',
  check(stack) {
    const out: Violation[] = [];
    const trust = stack.policies().uses.filter((u) => u.kind === 'trust');
    for (const at of allowsCovering(trust, 'sts:AssumeRole')) {
      const { use, statement: st, index: i } = at;
      const found: Violation[] = [];
      const where = `trust statement ${statementLabel(st, i)}`;
      for (const service of servicePrincipals(st)) {
        const keys = SOURCE_KEY_SERVICES[service];
        if (!keys) continue;
        const accounts = conditionValues(st, 'aws:SourceAccount');
        // An expression naming a resource (the account id of a caller identity) is read as the stack's account; one naming none is unknown.
        const unresolved = accounts.filter(isUnresolved);
        const goodAccounts = accounts.filter(
          (a) => (isExpression(a) && !isUnresolved(a)) || (/^\d{12}$/.test(a) && (!stack.accountId || a === stack.accountId)),
        );
        if (unresolved.length && goodAccounts.length + unresolved.length === accounts.length) {
          found.push({
            address: use.resource.address,
            subject: service,
            outcome: 'unknown',
            message: `${where} lets ${service} assume the role with aws:SourceAccount = ${unresolved.join(', ')}, known only at apply`,
          });
        } else if (goodAccounts.length === 0 || goodAccounts.length !== accounts.length) {
          found.push({
            address: use.resource.address,
            subject: service,
            message: `${where} lets ${service} assume the role without aws:SourceAccount${stack.accountId ? ` = ${stack.accountId}` : ''}${accounts.length ? ` (has ${accounts.join(', ')})` : ''}`,
          });
        }
        if (keys.sourceArn) {
          const arns = conditionValues(st, 'aws:SourceArn');
          const good = arns.filter((a) => arnOfKind(a, keys.sourceArn!.pattern, keys.sourceArn!.resourceTypes));
          if (good.length === 0 || good.length !== arns.length) {
            found.push({
              address: use.resource.address,
              subject: service,
              message: `${where} lets ${service} assume the role without aws:SourceArn = a ${keys.sourceArn.what}${arns.length ? ` (has ${arns.join(', ')})` : ''}`,
            });
          }
        }
      }
      out.push(...ifCovering(at, 'sts:AssumeRole', found));
    }
    return out;
  },
};
