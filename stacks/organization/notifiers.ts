/**
 * The hub's notifiers: the capabilities' own notifier constructs, once, with their rules
 * on the hub bus and the capabilities' own patterns (so the hub matches exactly what the
 * spokes forward). Each may assume the read-only role of the spoke an event came from.
 */
import { Construct } from 'constructs';
import type { BaselineConfig } from '../platform/config/schema';
import { Naming } from '../platform/naming';
import { eventRuleBase } from '../platform/shared';
import { EventRule } from '../constructs/event-rule';
import type { NotifierFunction } from '../constructs/notifier-function';
import type { PolicyStatement } from '../constructs/policy-document';
import { agentUpdateNotifier } from '../capabilities/agent-update/agent-update';
import { associationResultPattern } from '../capabilities/agent-update/patterns';
import { amiAlertsNotifier } from '../capabilities/ami-alerts/ami-alerts';
import { amiAlertPatterns } from '../capabilities/ami-alerts/patterns';
import { loginAlertsNotifier, loginEventPattern } from '../capabilities/session-manager/alerts';
import { AgentUpdateDigest } from '../capabilities/agent-update/digest';
import { baselineAlarmPattern } from './forwarding';
import type { HubResources } from './resources';
import { hubNotifierReads } from './reads';

/**
 * The mail of a forwarded alarm: EventBridge fills the placeholders from the event and,
 * the template being one JSON string, sends plain text (SNS e-mail shows it as is).
 */
export const ALARM_MAIL = {
  inputPaths: {
    alarm: '$.detail.alarmName',
    account: '$.account',
    region: '$.region',
    time: '$.time',
    description: '$.detail.configuration.description',
    reason: '$.detail.state.reason',
  },
  inputTemplate:
    '"Alarm <alarm> went into ALARM in account <account>, region <region>, at <time>.\\n\\n<description>\\n\\nReason: <reason>"',
} as const;

export interface HubNotifiersProps {
  readonly config: BaselineConfig;
  readonly hub: HubResources;
}

export class HubNotifiers extends Construct {
  /** Every notifier function of the hub, by capability. */
  readonly functions: Record<string, NotifierFunction> = {};
  readonly rules: EventRule[] = [];
  /** The agent-update digest of every spoke. @default - none when agentUpdate is off or notify is "perInstance" */
  readonly digest?: AgentUpdateDigest;

  constructor(scope: Construct, id: string, props: HubNotifiersProps) {
    super(scope, id);
    const { config, hub } = props;
    // The spoke read role's name is the same in every account; its trust policy names
    // this function's role, so "*" for the account admits only the baseline's read roles.
    // An organization id narrows it further.
    const readSpokes: PolicyStatement = {
      sid: 'ReadSpokes',
      actions: ['sts:AssumeRole'],
      resources: [`arn:aws:iam::*:role/${hub.names.spokeReadRoleName}`],
      ...(config.hub?.organizationId
        ? { conditions: [{ test: 'StringEquals', variable: 'aws:ResourceOrgID', values: [config.hub.organizationId] }] }
        : {}),
    };
    const spokeRead = { roleName: hub.names.spokeReadRoleName, statement: readSpokes };
    const rule = (scope: Construct, purpose: string, description: string, eventPattern: Record<string, unknown>, fn: NotifierFunction) => {
      const r = new EventRule(scope, purpose, {
        ...eventRuleBase(hub, purpose),
        description,
        eventPattern,
        eventBusName: hub.bus.name,
        target: { kind: 'lambda', fn },
      });
      this.rules.push(r);
    };

    // The spokes' association name: Naming.regional does not depend on the account.
    const spokeNaming = new Naming(config.namePrefix, hub.account, hub.region);

    // The spokes' alarms (dead letters, failed patch-history runs), forwarded as their state changes.
    const alarms = new EventRule(this, 'alarms', {
      ...eventRuleBase(hub, 'alarms'),
      description: "The spokes' baseline alarms going into ALARM",
      eventPattern: baselineAlarmPattern(config.namePrefix),
      eventBusName: hub.bus.name,
      target: { kind: 'topic', topic: hub.topic, ...ALARM_MAIL },
    });
    this.rules.push(alarms);

    const reads = hubNotifierReads(config);
    const runs = new Set(reads.map((r) => r.capability));
    if (runs.has('agent-update-digest')) {
      const spokes = config.accounts.flatMap((a) => a.regions.map((region) => ({ account: a.id, region })));
      this.digest = new AgentUpdateDigest(this, 'agent-update-digest', {
        shared: { ...hub, accountId: hub.account.id, partition: 'aws' },
        hub: { associationName: spokeNaming.regional('agent-update', 'ssmAssociation'), spokes, spokeRead },
      });
    }
    if (runs.has('agent-update')) {
      const c = new Construct(this, 'agent-update');
      const associationName = spokeNaming.regional('agent-update', 'ssmAssociation');
      const fn = agentUpdateNotifier(c, hub, associationName, undefined, spokeRead);
      this.functions['agent-update'] = fn;
      rule(
        c,
        'agent-update-result',
        `Forwarded results of the ${associationName} associations`,
        associationResultPattern(config.agentUpdate.notifyStatuses),
        fn,
      );
    }

    const amiPatterns = amiAlertPatterns(config.amiAlerts.tags, config.amiAlerts.watch);
    if (runs.has('ami-alerts')) {
      const c = new Construct(this, 'ami-alerts');
      const { notifier } = amiAlertsNotifier(c, config.amiAlerts, hub, spokeRead);
      this.functions['ami-alerts'] = notifier;
      for (const [kind, pattern] of Object.entries(amiPatterns)) {
        rule(c, `ami-alerts-${kind}`, `Forwarded AMI events (${kind})`, pattern!, notifier);
      }
    }

    const login = config.sessionManager.loginAlerts;
    if (runs.has('session-login')) {
      const c = new Construct(this, 'session-login');
      const fn = loginAlertsNotifier(c, hub, {}, spokeRead);
      this.functions['session-login'] = fn;
      rule(c, 'session-login', 'Forwarded Session Manager logins', loginEventPattern(login), fn);
    }
  }
}
