import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SchedulerScheduleGroup } from '@cdktf/provider-aws/lib/scheduler-schedule-group';
import { SharedResources, arn } from '../../platform/shared';
import { PolicyDocument, serviceTrust } from '../../constructs/policy-document';
import { TARGET_RETRY } from '../../constructs/event-rule';
import type { PatchHistoryConfig } from './config';

export interface SnapshotScheduleProps {
  /** The `patchHistory` section of the configuration. */
  readonly config: PatchHistoryConfig;
  readonly shared: SharedResources;
  readonly stateMachineArn: string;
}

/**
 * EventBridge Scheduler starting the snapshot machine on the configured schedule.
 * A dedicated schedule group gives the role's trust policy an `aws:SourceArn` that
 * admits only these schedules. A start that keeps failing is retried for a day and
 * then dead-lettered to the shared queue (whose alarm mails the topic).
 */
export class SnapshotSchedule extends Construct {
  readonly group: SchedulerScheduleGroup;
  readonly schedule: SchedulerSchedule;
  readonly role: IamRole;
  readonly groupArn: string;

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    const { config: cfg, shared } = props;
    const groupName = shared.naming.regional('patch-history', 'schedule');
    // Scheduler's confused-deputy guard: the source ARN is the schedule group's.
    this.groupArn = arn(shared, 'scheduler', `schedule-group/${groupName}`);

    this.group = new SchedulerScheduleGroup(this, 'group', { name: groupName });

    const trust = new PolicyDocument(this, 'trust', [
      serviceTrust('scheduler.amazonaws.com', [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [shared.accountId] },
        { test: 'ArnEquals', variable: 'aws:SourceArn', values: [this.groupArn] },
      ]),
    ]);
    this.role = new IamRole(this, 'role', {
      name: shared.naming.iam('patch-history-schedule'),
      description: 'EventBridge Scheduler: start the patch-history state machine, dead-letter failed starts',
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'policy', [
      { sid: 'StartSnapshot', actions: ['states:StartExecution'], resources: [props.stateMachineArn] },
      // Scheduler sends dead letters with the schedule's role.
      shared.deadLetterQueue.sendGrant(),
    ]);
    const rolePolicy = new IamRolePolicy(this, 'role-policy', { name: 'start-patch-snapshot', role: this.role.id, policy: policy.json });

    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: shared.naming.regional('patch-history', 'schedule'),
      groupName: this.group.name,
      description: 'Take a patch-compliance snapshot (ssm-baseline)',
      state: 'ENABLED',
      scheduleExpression: cfg.schedule,
      scheduleExpressionTimezone: cfg.scheduleTimezone,
      flexibleTimeWindow:
        cfg.flexibleWindowMinutes === 0 ? { mode: 'OFF' } : { mode: 'FLEXIBLE', maximumWindowInMinutes: cfg.flexibleWindowMinutes },
      target: {
        arn: props.stateMachineArn,
        roleArn: this.role.arn,
        // The machine reads nothing from its input: bucket and prefix are part of the definition.
        input: '{}',
        retryPolicy: {
          maximumEventAgeInSeconds: TARGET_RETRY.maximumEventAgeInSeconds,
          maximumRetryAttempts: TARGET_RETRY.maximumRetryAttempts,
        },
        deadLetterConfig: { arn: shared.deadLetterQueue.queueArn },
      },
      dependsOn: [rolePolicy],
    });
  }
}
