import type { ITerraformDependable } from 'cdktf';
import type { Naming } from './naming';
import type { NotificationTopic } from '../constructs/notification-topic';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue';
import type { ManagedInstanceRole } from '../constructs/managed-instance-role';
import type { EventRuleTarget } from '../constructs/event-rule';
import type { PolicyStatement } from '../constructs/policy-document';
import type { ArchiveLocation } from '../organization/archive-names';

/** The hub bus as a rule target, with the grant that must exist before events flow. */
export type HubForwardTarget = Extract<EventRuleTarget, { kind: 'eventBus' }> & {
  /** The forwarding role's policy: a first association run must wait for it. */
  readonly grant: ITerraformDependable;
};

/** Where a stack deploys: the account-region and the facts capabilities derive names and scopes from. */
export interface StackPlacement {
  readonly accountId: string;
  /** The account's short name from the configuration (stack names, mail subjects). */
  readonly accountName: string;
  readonly region: string;
  readonly partition: 'aws';
  /** `<account name>-<region>`. */
  readonly stackName: string;
  /** The account's first region, where account-global resources (a service-linked role, a multi-region trail) live. */
  readonly isHomeRegion: boolean;
  /** The role Terraform deploys this account with. @default - the caller's credentials */
  readonly deployRoleArn?: string;
}

/**
 * What every capability of an account-region stack receives besides its own config
 * section: where it deploys, physical names, and the resources the stack shares.
 */
export interface SharedResources extends StackPlacement {
  readonly naming: Naming;
  /** The notification topic (e-mail subscriptions from the configuration). */
  readonly topic: NotificationTopic;
  /** Where undeliverable events and failed invocations land. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** Role and instance profile that users attach to managed EC2 instances. */
  readonly instanceRole: ManagedInstanceRole;
  /** Retention of the log groups the capabilities create (days). */
  readonly logRetentionDays: number;
  /**
   * Set in the account-regions of a configuration with a hub: the capabilities' rules
   * forward their events to the hub bus instead of invoking a notifier here, and no
   * notifier, topic subscription or notifier state is created here.
   * @default - no hub: every notifier runs in this account-region
   */
  readonly hub?: {
    readonly forwardTarget: HubForwardTarget;
    /** Where the hub's fleet archive is: capabilities that keep records write them there. */
    readonly archive: ArchiveLocation;
  };
}

/** ARN of a resource in this account-region (`global` leaves the region out, as IAM's do). */
export function arn(
  place: Pick<StackPlacement, 'partition' | 'region' | 'accountId'>,
  service: string,
  resource: string,
  opts: { global?: boolean } = {},
): string {
  return `arn:${place.partition}:${service}:${opts.global ? '' : place.region}:${place.accountId}:${resource}`;
}

/** A hub notifier's access to the spokes: the read role's name and the grant to assume it. */
export interface SpokeRead {
  readonly roleName: string;
  readonly statement: PolicyStatement;
}

/**
 * What a notifier needs from where it runs: an account-region stack's SharedResources,
 * or the hub's (which has no managed instances and serves every account).
 */
export type NotifierPlacement = Pick<SharedResources, 'naming' | 'topic' | 'deadLetterQueue' | 'logRetentionDays' | 'accountName'>;

/**
 * The props of a notifier function that follow from the stack: physical names from
 * `purpose`, log retention, dead-letter queue.
 */
export function notifierFunctionBase(shared: NotifierPlacement, purpose: string) {
  return {
    functionName: shared.naming.regional(purpose, 'lambda'),
    roleName: shared.naming.iam(purpose),
    policyName: purpose,
    logRetentionDays: shared.logRetentionDays,
    deadLetterQueue: shared.deadLetterQueue,
  };
}

/** The props of an event rule that follow from the stack: its physical name from `purpose`, dead-letter queue. */
export function eventRuleBase(shared: Pick<SharedResources, 'naming' | 'deadLetterQueue'>, purpose: string) {
  return { ruleName: shared.naming.regional(purpose, 'eventRule'), purpose, deadLetterQueue: shared.deadLetterQueue };
}
