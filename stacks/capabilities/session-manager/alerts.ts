/**
 * Login alerts: every StartSession / ResumeSession that CloudTrail records (failed
 * attempts included, when configured) becomes an e-mail that says who, where, which
 * session, from which address and when. Needs a trail logging management events in
 * the account (the `cloudTrail` config section, shared with the AMI alerts).
 */
import { Construct } from 'constructs';
import { NotifierPlacement, SharedResources, eventRuleBase, notifierFunctionBase } from '../../platform/shared';
import { LOGIN_ALERTS_ENVIRONMENT } from './env';
import { SessionManagerConfig } from './config';
import { NotifierFunction } from '../../constructs/notifier-function';
import { EventRule } from '../../constructs/event-rule';
import type { SpokeRead } from '../../platform/shared';

/** The CloudTrail API calls that open a shell. TerminateSession and the reads are not logins. */
export const LOGIN_EVENT_NAMES = ['StartSession', 'ResumeSession'] as const;

/** The rule's pattern: Session Manager logins, and failed attempts unless switched off. */
export function loginEventPattern(cfg: SessionManagerConfig['loginAlerts']): Record<string, unknown> {
  return {
    source: ['aws.ssm'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ssm.amazonaws.com'],
      eventName: [...LOGIN_EVENT_NAMES],
      // A failed call is recorded with errorCode (and no session id).
      ...(cfg.failedAttempts ? {} : { errorCode: [{ exists: false }] }),
    },
  };
}

export interface LoginAlertsProps {
  /** The `sessionManager.loginAlerts` section of the configuration. */
  readonly config: SessionManagerConfig['loginAlerts'];
  readonly shared: SharedResources;
  readonly transcriptBucket: string;
  readonly transcriptPrefix: string;
  /** @default - no CloudWatch Logs */
  readonly logGroupName?: string;
}

/**
 * A notifier Lambda rather than an input transformer straight to the topic: SNS
 * mails from EventBridge all carry the subject "AWS Notification Message", a
 * transformer cannot flag failures in the subject or leave out what a record lacks
 * (failed calls have no session id, ResumeSession no target), and it cannot look up
 * the target of a resumed session. Delivery still retries and dead-letters.
 */
export class LoginAlerts extends Construct {
  /** @default - none with a hub: the hub's notifier mails the forwarded logins */
  readonly notifier?: NotifierFunction;
  readonly rule: EventRule;

  constructor(scope: Construct, id: string, props: LoginAlertsProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    // With a hub, the rule forwards the logins there and the hub's notifier mails them.
    const notifier = shared.hub
      ? undefined
      : loginAlertsNotifier(this, shared, {
          transcriptBucket: props.transcriptBucket,
          transcriptPrefix: props.transcriptPrefix,
          logGroupName: props.logGroupName,
        });
    this.notifier = notifier;

    this.rule = new EventRule(this, 'rule', {
      ...eventRuleBase(shared, 'session-login'),
      description: `Session Manager logins${cfg.failedAttempts ? ' and failed attempts' : ''} (CloudTrail StartSession / ResumeSession)`,
      eventPattern: loginEventPattern(cfg),
      target: notifier ? { kind: 'lambda', fn: notifier } : shared.hub!.forwardTarget,
    });
  }
}

/**
 * The login notifier: in each account-region, or once in the hub (`shared` is then the
 * hub's, and the transcript location absent: each spoke has its own).
 */
export function loginAlertsNotifier(
  scope: Construct,
  shared: NotifierPlacement,
  where: { transcriptBucket?: string; transcriptPrefix?: string; logGroupName?: string },
  /** In the hub: the spokes' read role and the grant to assume it. @default - none: reads its own account */
  spokeRead?: SpokeRead,
): NotifierFunction {
  return new NotifierFunction(scope, 'notifier', {
    ...notifierFunctionBase(shared, 'session-login-notifier'),
    bundle: 'session-manager',
    description: 'Turns Session Manager logins into readable e-mails',
    environment: LOGIN_ALERTS_ENVIRONMENT.write({
      accountName: shared.accountName,
      topicArn: shared.topic.topicArn,
      transcriptBucket: where.transcriptBucket,
      transcriptPrefix: where.transcriptPrefix,
      sessionLogGroup: where.logGroupName,
      readRoleName: spokeRead?.roleName,
    }),
    statements: [
      ...shared.topic.publishGrant(),
      // ResumeSession records only the session id; the target comes from
      // DescribeSessions, which has no resource-level permissions.
      { sid: 'FindResumedSessionTarget', actions: ['ssm:DescribeSessions'], resources: ['*'] },
      ...(spokeRead ? [spokeRead.statement] : []),
    ],
  });
}
