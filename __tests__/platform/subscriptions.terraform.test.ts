import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import {
  StateResource,
  handWrittenState,
  listStacks,
  planAgainstState,
  prepareOffline,
  terraformEnv,
} from '../../scripts/terraform-harness';
import { readStackJson } from '../../tooling/synth-output';
import { ROOT, StackJson, findResource, synthStack, synthToDir, testConfig } from '../helpers/synth';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:ssmb-notifications`;
const [ALICE, BOB, CAROL, DAVE] = ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com'];

interface Deployed {
  readonly json: StackJson;
  readonly work: string;
}

/** A stack of the given recipients, initialized offline: its JSON and offline folder. */
async function deployedStack(emails: string[], env: NodeJS.ProcessEnv): Promise<Deployed> {
  // Patch history is off: it plays no part here, and a smaller stack plans faster.
  const config = testConfig({ notifications: { emails }, patchHistory: { enabled: false } } as Partial<BaselineConfigInput>);
  const stack = listStacks(synthToDir(config)).find((s) => s.name === `prod-${REGION}`)!;
  return { json: readStackJson(stack.dir) as StackJson, work: await prepareOffline(stack, env) };
}

/** The topic and confirmed subscriptions as AWS returns them, at the given logical ids. */
function deployed(topicId: string, subscriptions: Array<[logicalId: string, address: string]>): StateResource[] {
  return [
    {
      type: 'aws_sns_topic',
      name: topicId,
      attributes: {
        id: TOPIC_ARN,
        arn: TOPIC_ARN,
        name: 'ssmb-notifications',
        owner: ACCOUNT,
        fifo_topic: false,
        content_based_deduplication: false,
        tags: {},
        tags_all: {},
      },
    },
    ...subscriptions.map(([name, address], i) => {
      const arn = `${TOPIC_ARN}:0a1b2c3d-4e5f-4a6b-8c7d-${String(i).padStart(12, '0')}`;
      return {
        type: 'aws_sns_topic_subscription',
        name,
        attributes: {
          id: arn,
          arn,
          topic_arn: TOPIC_ARN,
          protocol: 'email',
          endpoint: address,
          owner_id: ACCOUNT,
          pending_confirmation: false,
          confirmation_timeout_in_minutes: 1,
          endpoint_auto_confirms: false,
          confirmation_was_authenticated: false,
          raw_message_delivery: false,
        },
      };
    }),
  ];
}

const subscriptionChanges = (plan: Awaited<ReturnType<typeof planAgainstState>>) =>
  (plan.plan?.resource_changes ?? []).filter((c) => c.type === 'aws_sns_topic_subscription');

describe('e-mail subscriptions are keyed by their address (offline plans against a deployed state)', () => {
  let env: NodeJS.ProcessEnv;
  /** The stack now: Alice, Bob and Carol. */
  let now: Deployed;
  beforeAll(async () => {
    env = await terraformEnv(join(ROOT, '.tmp'));
    now = await deployedStack([ALICE, BOB, CAROL], env);
  }, 300_000);

  it('adding an address creates its subscription, removing one deletes its own, and no other is touched', async () => {
    const { json, work } = now;
    const [topicId] = findResource(json, 'aws_sns_topic');
    const id = (address: string, stack: StackJson = json) =>
      findResource(stack, 'aws_sns_topic_subscription', (b) => b.endpoint === address)[0];
    // Deployed when the list was Alice, Carol and Dave.
    const before = synthStack(testConfig({ notifications: { emails: [ALICE, CAROL, DAVE] } } as Partial<BaselineConfigInput>));
    const plan = await planAgainstState(
      work,
      env,
      handWrittenState(
        deployed(
          topicId,
          [ALICE, CAROL, DAVE].map((a) => [id(a, before), a]),
        ),
      ),
    );
    if (!plan.ok) throw new Error(plan.output);
    const byAddress = Object.fromEntries(
      subscriptionChanges(plan).map((c) => [c.change.after?.endpoint ?? c.change.before?.endpoint, c.change.actions]),
    );
    expect(byAddress).toEqual({ [ALICE]: ['no-op'], [BOB]: ['create'], [CAROL]: ['no-op'], [DAVE]: ['delete'] });
  }, 300_000);

  it('a stack deployed when subscriptions were keyed by position moves them, re-creating none', async () => {
    // Where earlier versions put the subscriptions: `email-<position in the sorted list>`
    // under the stack's shared/notifications, as cdktf names such a construct.
    const app = Testing.app();
    const notifications = new Construct(new Construct(new TerraformStack(app, `prod-${REGION}`), 'shared'), 'notifications');
    const formerId = (i: number) =>
      new SnsTopicSubscription(notifications, `email-${i}`, { topicArn: 'x', protocol: 'email', endpoint: 'x' }).friendlyUniqueId;
    const { json, work } = now;
    const [topicId] = findResource(json, 'aws_sns_topic');
    const plan = await planAgainstState(
      work,
      env,
      handWrittenState(
        deployed(
          topicId,
          [ALICE, BOB, CAROL].map((a, i) => [formerId(i), a]),
        ),
      ),
    );
    if (!plan.ok) throw new Error(plan.output);
    const changes = subscriptionChanges(plan);
    expect(changes.map((c) => c.change.actions)).toEqual([['no-op'], ['no-op'], ['no-op']]);
    expect(plan.output).toMatch(/has moved to aws_sns_topic_subscription\.shared_notifications_email-[0-9a-f]{16}_/);
  }, 300_000);
});
