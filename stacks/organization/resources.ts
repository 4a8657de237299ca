import type { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import type { AccountConfig } from '../platform/config/schema';
import type { NotifierPlacement } from '../platform/shared';
import type { HubNames } from './names';

/** What the hub's parts share: where it runs, its names, its topic, queue and bus. */
export interface HubResources extends NotifierPlacement {
  readonly names: HubNames;
  readonly account: AccountConfig;
  readonly region: string;
  readonly bus: CloudwatchEventBus;
}
