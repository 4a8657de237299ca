import { AccountConfig, BaselineConfig } from './config/schema';
import { Naming } from './naming';
import type { NotificationTopic } from '../constructs/notification-topic';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue';
import type { ManagedInstanceRole } from '../constructs/managed-instance-role';

/** What every capability of one account-region stack receives. */
export interface StackContext {
  readonly config: BaselineConfig;
  readonly account: AccountConfig;
  readonly region: string;
  readonly accountId: string;
  readonly partition: 'aws';
  readonly naming: Naming;
  /** Shared notification topic (e-mail subscriptions from config). */
  readonly topic: NotificationTopic;
  /** Shared dead-letter queue for undeliverable events and failed invocations. */
  readonly dlq: DeadLetterQueue;
  /** Role and instance profile that users attach to managed EC2 instances. */
  readonly instanceRole: ManagedInstanceRole;
}

/** ARN helper for resources of this account-region. */
export function arn(ctx: Pick<StackContext, 'partition' | 'region' | 'accountId'>, service: string, resource: string, opts: { global?: boolean } = {}): string {
  return `arn:${ctx.partition}:${service}:${opts.global ? '' : ctx.region}:${ctx.accountId}:${resource}`;
}
