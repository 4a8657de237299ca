import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SchedulerScheduleGroup } from '@cdktf/provider-aws/lib/scheduler-schedule-group';
import { NotifierPlacement, StackPlacement, arn, notifierFunctionBase } from '../../platform/shared';
import type { SpokeRead } from '../../platform/shared';
import { NotifierFunction } from '../../constructs/notifier-function';
import { PolicyDocument, serviceTrust } from '../../constructs/policy-document';
import { TARGET_RETRY } from '../../constructs/event-rule';
import { AGENT_UPDATE_DIGEST_ENVIRONMENT, DigestRequest, HubDigestRequest } from './env';

/**
 * How often the digest function checks the association's runs. A run's end is known only
 * from DescribeAssociationExecutions (events are best-effort), so the check polls: a run
 * is mailed within the hour after its last target reports, at one cheap invocation an hour.
 */
export const DIGEST_CHECK_SCHEDULE = 'rate(1 hour)';

/** Room for 10,000 targets: 200 pages of results and 200 of managed nodes, with SDK retries on throttling. */
export const DIGEST_TIMEOUT_SECONDS = 300;

/**
 * Spoke account-regions per hub schedule (one invocation each): a check of a spoke with
 * nothing new is an AssumeRole and two SSM calls, so 25 take seconds, and a mailed run
 * over 10,000 targets takes at most a few of the five minutes. 1,000 account-regions
 * make 40 schedules.
 */
export const DIGEST_SPOKES_PER_SCHEDULE = 25;

/** Where the digest runs: an account-region stack's SharedResources, or the hub's. */
export type DigestPlacement = NotifierPlacement & Pick<StackPlacement, 'accountId' | 'region' | 'partition'>;

/** The hub's digest: every spoke's association, read through the spokes' read role. */
export interface HubDigestProps {
  /** The association's deterministic name (the same in every spoke). */
  readonly associationName: string;
  /** The spoke account-regions to check. */
  readonly spokes: readonly { readonly account: string; readonly region: string }[];
  readonly spokeRead: SpokeRead;
}

export interface AgentUpdateDigestProps {
  readonly shared: DigestPlacement;
  /** The association whose runs are mailed (its own account-region). @default - none: `hub` must be set */
  readonly associationId?: string;
  /** Run in the hub for every spoke instead. @default - no hub: the association `associationId` here */
  readonly hub?: HubDigestProps;
  /** Bucket of the association output, linked from the mail. @default - no output link */
  readonly outputBucket?: string;
  /** Key prefix of the output in that bucket. @default - no output link */
  readonly outputPrefix?: string;
}

/**
 * One mail per run of the agent-update association, reconciled from the SSM API
 * (lambda/agent-update/digest): an hourly EventBridge Scheduler schedule invokes the
 * digest function with the association's account, region and id; the function mails
 * each finished run once, remembered in a DynamoDB table (conditional put per run, TTL).
 * The function is a NotifierFunction: failed invocations retry twice, then dead-letter.
 */
export class AgentUpdateDigest extends Construct {
  readonly runs: DynamodbTable;
  readonly function: NotifierFunction;
  readonly group: SchedulerScheduleGroup;
  /** The first (in an account-region, the only) schedule. */
  readonly schedule: SchedulerSchedule;
  /** Every schedule: one per DIGEST_SPOKES_PER_SCHEDULE spokes in the hub. */
  readonly schedules: SchedulerSchedule[] = [];
  readonly scheduleRole: IamRole;
  /** ARN of the association, the only one whose runs the function may read. @default - none in the hub (it reads through the spokes' role) */
  readonly associationArn?: string;

  constructor(scope: Construct, id: string, props: AgentUpdateDigestProps) {
    super(scope, id);
    const { shared, hub } = props;
    if (!hub && props.associationId === undefined) throw new Error('AgentUpdateDigest needs associationId or hub');
    const associationArn = hub ? undefined : arn(shared, 'ssm', `association/${props.associationId}`);
    this.associationArn = associationArn;

    this.runs = new DynamodbTable(this, 'runs', {
      name: shared.naming.regional('agent-update-digests', 'dynamodbTable'),
      // One write per run (every 14 days by default): on-demand costs nothing worth counting.
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'runKey',
      attribute: [{ name: 'runKey', type: 'S' }],
      // The handler writes the expiry (35 days, lambda/agent-update/digest/ledger.ts).
      ttl: { attributeName: 'expiresAt', enabled: true },
      // Encrypted at rest with the AWS owned key: the items are run ids and SNS message
      // ids, which ssm:DescribeAssociationExecutions shows anyway; a customer key would
      // add a key policy and a failure mode to a ledger whose loss costs one repeated mail.
      deletionProtectionEnabled: false,
    });

    this.function = new NotifierFunction(this, 'function', {
      ...notifierFunctionBase(shared, 'agent-update-digest'),
      bundle: 'agent-update/digest',
      description: 'Mails one digest per SSM Agent update run: succeeded, failed and never-reported targets',
      timeoutSeconds: DIGEST_TIMEOUT_SECONDS,
      environment: AGENT_UPDATE_DIGEST_ENVIRONMENT.write({
        accountName: shared.accountName,
        accountId: shared.accountId,
        topicArn: shared.topic.topicArn,
        runsTable: this.runs.name,
        outputBucket: props.outputBucket,
        outputPrefix: props.outputPrefix,
        readRoleName: hub?.spokeRead.roleName,
      }),
      statements: [
        ...shared.topic.publishGrant(),
        // In the hub every read goes through a spoke's read role, the hub account's own too.
        ...(associationArn
          ? [
              {
                sid: 'ReadOwnAssociationRuns',
                actions: ['ssm:DescribeAssociationExecutions', 'ssm:DescribeAssociationExecutionTargets'],
                resources: [associationArn],
              },
              // Neither has resource-level permissions: the association's targets (ListAssociations
              // returns them, never parameters) and the managed nodes they select.
              { sid: 'ListTargets', actions: ['ssm:ListAssociations', 'ssm:DescribeInstanceInformation'], resources: ['*'] },
            ]
          : [hub!.spokeRead.statement]),
        { sid: 'RememberRuns', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resources: [this.runs.arn] },
      ],
    });

    const groupName = shared.naming.regional('agent-update-digest', 'schedule');
    // Scheduler's confused-deputy guard: the source ARN is the schedule group's.
    const groupArn = arn(shared, 'scheduler', `schedule-group/${groupName}`);
    this.group = new SchedulerScheduleGroup(this, 'group', { name: groupName });
    const trust = new PolicyDocument(this, 'schedule-trust', [
      serviceTrust('scheduler.amazonaws.com', [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [shared.accountId] },
        { test: 'ArnEquals', variable: 'aws:SourceArn', values: [groupArn] },
      ]),
    ]);
    this.scheduleRole = new IamRole(this, 'schedule-role', {
      name: shared.naming.iam('agent-update-digest-schedule'),
      description: 'EventBridge Scheduler: invoke the agent-update digest function, dead-letter failed invocations',
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'schedule-policy', [
      { sid: 'InvokeDigest', actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] },
      // Scheduler sends dead letters with the schedule's role.
      shared.deadLetterQueue.sendGrant(),
    ]);
    const rolePolicy = new IamRolePolicy(this, 'schedule-role-policy', {
      name: 'invoke-agent-update-digest',
      role: this.scheduleRole.id,
      policy: policy.json,
    });

    const requests: Array<DigestRequest | HubDigestRequest> = hub
      ? Array.from({ length: Math.ceil(hub.spokes.length / DIGEST_SPOKES_PER_SCHEDULE) }, (_, i) => ({
          associationName: hub.associationName,
          spokes: hub.spokes.slice(i * DIGEST_SPOKES_PER_SCHEDULE, (i + 1) * DIGEST_SPOKES_PER_SCHEDULE),
        }))
      : [{ account: shared.accountId, region: shared.region, associationId: props.associationId! }];
    requests.forEach((request, i) => {
      this.schedules.push(
        new SchedulerSchedule(this, i === 0 ? 'schedule' : `schedule-${i + 1}`, {
          name: i === 0 ? groupName : `${groupName}-${i + 1}`,
          groupName: this.group.name,
          description: hub
            ? `Mail the finished runs of the agent-update associations of ${'spokes' in request ? request.spokes.length : 0} account-regions (ssm-baseline)`
            : 'Mail the finished runs of the agent-update association (ssm-baseline)',
          state: 'ENABLED',
          scheduleExpression: DIGEST_CHECK_SCHEDULE,
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: this.function.functionArn,
            roleArn: this.scheduleRole.arn,
            input: JSON.stringify(request),
            retryPolicy: {
              maximumEventAgeInSeconds: TARGET_RETRY.maximumEventAgeInSeconds,
              maximumRetryAttempts: TARGET_RETRY.maximumRetryAttempts,
            },
            deadLetterConfig: { arn: shared.deadLetterQueue.queueArn },
          },
          dependsOn: [rolePolicy],
        }),
      );
    });
    this.schedule = this.schedules[0];
  }
}
