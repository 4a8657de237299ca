import type { Naming } from './naming';
import type { NotificationTopic } from '../constructs/notification-topic';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue';
import type { ManagedInstanceRole } from '../constructs/managed-instance-role';

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

/**
 * The props of a notifier function that follow from the stack: physical names from
 * `purpose`, log retention, dead-letter queue.
 */
export function notifierFunctionBase(shared: SharedResources, purpose: string) {
  return {
    functionName: shared.naming.regional(purpose, 'lambda'),
    roleName: shared.naming.iam(purpose),
    policyName: purpose,
    logRetentionDays: shared.logRetentionDays,
    deadLetterQueue: shared.deadLetterQueue,
  };
}

/** The props of an event rule that follow from the stack: its physical name from `purpose`, dead-letter queue. */
export function eventRuleBase(shared: SharedResources, purpose: string) {
  return { ruleName: shared.naming.regional(purpose, 'eventRule'), purpose, deadLetterQueue: shared.deadLetterQueue };
}
