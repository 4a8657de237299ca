/**
 * The spoke side of the hub: the role EventBridge assumes to put this account-region's
 * events on the hub bus. Each capability's rule takes it as its target in place of its
 * notifier (SharedResources.hub), so the forwarded events are exactly the ones the
 * capabilities match, with the capabilities' own patterns.
 */
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { PolicyDocument, serviceTrust } from '../constructs/policy-document';
import { EventRule } from '../constructs/event-rule';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue';
import type { Naming } from '../platform/naming';
import type { HubNames } from './names';
import type { HubForwardTarget } from '../platform/shared';

/**
 * The baseline's alarms going into ALARM: CloudWatch sends a "CloudWatch Alarm State
 * Change" event for every alarm, whatever its actions, and guarantees its delivery to
 * EventBridge. Only ALARM, as the alarms' own actions mail only that transition. Pure data.
 */
export function baselineAlarmPattern(namePrefix: string): Record<string, unknown> {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { alarmName: [{ prefix: `${namePrefix}-` }], state: { value: ['ALARM'] } },
  };
}

/**
 * The spoke rule's pattern: the baseline's alarms of this account-region, except, where
 * the hub itself runs, the hub's own (`<prefix>-hub-*`): their actions already mail the
 * hub topic, and forwarding them would mail each twice. EventBridge ANDs fields but ORs
 * the matchers of one field, so the exclusion goes on the alarm ARN in `resources`.
 */
export function spokeAlarmPattern(namePrefix: string, place: { accountId: string; region: string }, names: HubNames) {
  const pattern = baselineAlarmPattern(namePrefix);
  if (place.accountId !== names.accountId || place.region !== names.region) return pattern;
  return {
    ...pattern,
    resources: [{ 'anything-but': { prefix: `arn:aws:cloudwatch:${place.region}:${place.accountId}:alarm:${names.namePrefix}-` } }],
  };
}

export interface HubForwardingProps {
  readonly names: HubNames;
  /** The spoke account and region. */
  readonly accountId: string;
  readonly region: string;
  /** Name prefix of the baseline's rules here; only they may use the role. */
  readonly rulePrefix: string;
  /**
   * Forward the baseline's alarms (dead letters, failed runs) too: their topic here has
   * no subscribers with a hub. @default - alarms are not forwarded
   */
  readonly alarms?: { readonly naming: Naming; readonly deadLetterQueue: DeadLetterQueue };
}

export class HubForwarding extends Construct {
  readonly role: IamRole;
  /** What the capabilities' rules target: the hub bus, through this role. */
  readonly target: HubForwardTarget;
  /** The rule forwarding the baseline's alarm state changes. @default - none (no `alarms` prop) */
  readonly alarmRule?: EventRule;

  constructor(scope: Construct, id: string, props: HubForwardingProps) {
    super(scope, id);
    const { names, accountId, region } = props;
    // EventBridge passes the rule's account and ARN when it assumes a target role: only
    // the baseline's own rules in this account-region may use it (confused deputy).
    const trust = new PolicyDocument(this, 'trust', [
      serviceTrust('events.amazonaws.com', [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:aws:events:${region}:${accountId}:rule/${props.rulePrefix}-*`] },
      ]),
    ]);
    this.role = new IamRole(this, 'role', {
      name: names.forwardRoleName(region),
      description: `Puts the baseline's events on the hub bus ${names.busArn}`,
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'policy', [
      { sid: 'PutEventsOnHubBus', actions: ['events:PutEvents'], resources: [names.busArn] },
    ]);
    const grant = new IamRolePolicy(this, 'role-policy', { name: 'hub-forward', role: this.role.id, policy: policy.json });
    this.target = { kind: 'eventBus', busArn: names.busArn, roleArn: this.role.arn, grant };
    if (props.alarms) {
      this.alarmRule = new EventRule(this, 'alarms', {
        ruleName: props.alarms.naming.regional('alarms-to-hub', 'eventRule'),
        purpose: 'alarms-to-hub',
        description: "The baseline's alarms going into ALARM, mailed by the hub",
        eventPattern: spokeAlarmPattern(props.rulePrefix, { accountId, region }, names),
        target: this.target,
        deadLetterQueue: props.alarms.deadLetterQueue,
      });
    }
  }
}
