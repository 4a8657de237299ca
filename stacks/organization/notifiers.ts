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
import type { HubResources } from './resources';
import { hubNotifierReads } from './reads';

export interface HubNotifiersProps {
  readonly config: BaselineConfig;
  readonly hub: HubResources;
}

export class HubNotifiers extends Construct {
  /** Every notifier function of the hub, by capability. */
  readonly functions: Record<string, NotifierFunction> = {};
  readonly rules: EventRule[] = [];

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

    const runs = new Set(hubNotifierReads(config).map((r) => r.capability));
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
