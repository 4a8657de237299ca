import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { Testing } from 'cdktf';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { EVENT_BUS_POLICY_MAX_LENGTH, busPolicy } from '../../stacks/organization/bus-policy';
import { HubStack } from '../../stacks/organization/hub-stack';
import { HUB_NOTIFIER_PURPOSES, hubNamesOf } from '../../stacks/organization/names';
import { ROOT, StackJson, configProblems, organizationInput, readStacks, resourcesOf, synthToDir } from '../helpers/synth';
import { iamSim } from '../helpers/iam-sim';
import { matchesPattern } from '../helpers/event-pattern';

const fixture = (cap: string, name: string) => JSON.parse(readFileSync(join(ROOT, '__tests__', cap, 'fixtures', `${name}.json`), 'utf8'));
const BUS = 'arn:aws:events:eu-west-1:333333333333:event-bus/ssmb-hub';

describe('hub configuration', () => {
  it('accepts the example organization and derives every hub name from it', () => {
    const names = hubNamesOf(parseConfig(organizationInput(), 'example'))!;
    expect(names).toMatchObject({ stackName: 'security-hub', busName: 'ssmb-hub', busArn: BUS, topicName: 'ssmb-hub-notifications' });
    expect(names.forwardRoleName('us-east-1')).toBe('ssmb-hub-forward-us-east-1');
    expect(names.spokeReadRoleArn('111111111111')).toBe('arn:aws:iam::111111111111:role/ssmb-hub-read');
  });

  it.each([
    [{ account: '444444444444', region: 'eu-west-1' }, /hub\.account: must be one of accounts\[\]\.id .*"444444444444"/],
    [{ account: '33333333333', region: 'eu-west-1' }, /hub\.account: must be 12 digits/],
    [{ account: '333333333333', region: 'eu-west-9' }, /hub\.region: must be an AWS region/],
    [{ account: '333333333333', region: 'eu-west-1', organizationId: 'o-short' }, /hub\.organizationId: must be an AWS Organizations id/],
    [{ account: '333333333333', region: 'eu-west-1', extra: 1 }, /hub\.extra: unknown field/],
  ])('refuses %j with a field-named error', (hub, message) => {
    expect(configProblems({ ...organizationInput(), hub })).toMatch(message);
  });

  const accounts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: String(100000000000 + i), name: `a${i}`, regions: ['eu-west-1'] }));
  it('refuses an account list the bus policy cannot hold, naming the organization id as the way out', () => {
    const input = { ...organizationInput(), accounts: accounts(1000), hub: { account: '100000000000', region: 'eu-west-1' } };
    expect(configProblems(input)).toMatch(
      /hub\.organizationId: is required for 1000 accounts: listing them makes the hub event bus policy \d+ characters, over EventBridge's 10240/,
    );
    // 600 accounts fit the bus policy; the archive bucket policy's own limit is checked in hub-archive.test.ts.
    expect(configProblems({ ...input, accounts: accounts(600) })).not.toMatch(/event bus policy/);
    expect(configProblems({ ...input, hub: { ...input.hub, organizationId: 'o-a1b2c3d4e5' } })).toBe('');
  });
});

describe('hub and spokes: the example organization', () => {
  let stacks: Record<string, StackJson>;
  let outdir: string;
  beforeAll(() => {
    outdir = synthToDir(parseConfig(organizationInput(), 'example'));
    stacks = readStacks(outdir);
  });
  const spokes = () => Object.entries(stacks).filter(([n]) => !n.endsWith('-bootstrap') && n !== 'security-hub');

  it('orders deploys: bootstrap of the hub account, the hub, then every region stack', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    expect(Object.fromEntries(Object.entries(manifest.stacks).map(([n, s]) => [n, s.dependencies]))).toEqual({
      'security-bootstrap': [],
      'security-hub': ['security-bootstrap'],
      'security-eu-west-1': ['security-bootstrap', 'security-hub'],
      'prod-bootstrap': [],
      'prod-eu-west-1': ['prod-bootstrap', 'security-hub'],
      'prod-us-east-1': ['prod-bootstrap', 'security-hub'],
      'staging-bootstrap': [],
      'staging-eu-west-1': ['staging-bootstrap', 'security-hub'],
    });
  });

  it('keeps the hub state beside the hub account region stacks, never on one of them', () => {
    expect(stacks['security-hub'].terraform!.backend.s3.key).toBe('ssm-baseline/333333333333/hub/eu-west-1/terraform.tfstate');
    expect(stacks['security-eu-west-1'].terraform!.backend.s3.key).toBe('ssm-baseline/333333333333/eu-west-1/terraform.tfstate');
  });

  it('holds the one topic and the one set of subscriptions in the hub; spokes subscribe nobody and run no notifier', () => {
    const hub = stacks['security-hub'];
    expect(Object.values(resourcesOf(hub, 'aws_sns_topic_subscription')).map((s) => s.endpoint)).toEqual(['ops@example.com']);
    expect(Object.values(resourcesOf(hub, 'aws_sns_topic')).map((t) => t.name)).toEqual(['ssmb-hub-notifications']);
    for (const [name, s] of spokes()) {
      expect([name, Object.keys(resourcesOf(s, 'aws_sns_topic_subscription'))]).toEqual([name, []]);
      expect([name, Object.keys(resourcesOf(s, 'aws_lambda_function'))]).toEqual([name, []]);
    }
  });

  it('names the hub notifier roles as the names module does (the spoke read roles trust those names)', () => {
    const names = hubNamesOf(parseConfig(organizationInput(), 'example'))!;
    // Besides the notifiers' roles the hub has the digest schedule's role (EventBridge Scheduler
    // assumes it) and AWS Config's for the organization aggregator.
    const roles = Object.values(resourcesOf(stacks['security-hub'], 'aws_iam_role'))
      .map((r) => r.name)
      .filter((n) => n !== 'ssmb-config-aggregator-eu-west-1');
    expect(roles.sort()).toEqual(
      [...HUB_NOTIFIER_PURPOSES.map((p) => names.notifierRoleName(p)), 'ssmb-hub-agent-update-digest-schedule-eu-west-1'].sort(),
    );
  });

  it('forwards every rule of a spoke to the hub bus with its forwarding role, dead-lettered', () => {
    for (const [name, s] of spokes()) {
      const targets = Object.values(resourcesOf(s, 'aws_cloudwatch_event_target'));
      expect(targets.length).toBeGreaterThan(3);
      for (const t of targets) {
        expect([name, t.arn, t.role_arn, t.target_id]).toEqual([
          name,
          BUS,
          expect.stringMatching(/^\$\{aws_iam_role\.shared_hub-forwarding_role_/),
          'hub',
        ]);
        expect(t.dead_letter_config.arn).toMatch(/aws_sqs_queue\.shared_dead-letters_queue/);
      }
    }
  });

  it('lets a member account forward onto the hub bus, only there, and denies a non-member', async () => {
    const bus = Object.values(resourcesOf(stacks['security-hub'], 'aws_cloudwatch_event_bus_policy'))[0];
    const busPolicy = JSON.parse(bus.policy);
    const spoke = iamSim(stacks['prod-us-east-1']);
    const role = 'ssmb-hub-forward-us-east-1';
    const inOrg = { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' };
    expect(await spoke.canRole(role, 'events:PutEvents', BUS, inOrg, { resourcePolicy: busPolicy })).toBe('Allowed');
    expect(
      await spoke.canRole(role, 'events:PutEvents', BUS, { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' }, { resourcePolicy: busPolicy }),
    ).toBe('ImplicitlyDenied');
    expect(await spoke.canRole(role, 'events:PutEvents', 'arn:aws:events:us-east-1:111111111111:event-bus/default', inOrg)).toBe(
      'ImplicitlyDenied',
    );
    expect(await spoke.canRole(role, 'events:PutEvents', 'arn:aws:events:eu-west-1:333333333333:event-bus/default', inOrg)).toBe(
      'ImplicitlyDenied',
    );
    // Only EventBridge, for this account's baseline rules, may use the forwarding role.
    const rule = 'arn:aws:events:us-east-1:111111111111:rule/ssmb-agent-update-result';
    expect(
      await spoke.trustTable(role, {
        allowed: [['events.amazonaws.com', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': rule }]],
        denied: [
          ['events.amazonaws.com', { 'aws:SourceAccount': '444444444444', 'aws:SourceArn': rule.replace('111111111111', '444444444444') }],
          ['events.amazonaws.com', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': rule.replace('ssmb-', 'other-') }],
          ['arn:aws:iam::111111111111:role/someone', { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': rule }],
        ],
      }),
    ).toEqual([]);
  });

  it("gives each spoke account one read role with exactly the hub notifiers' reads", () => {
    const roles = (n: string) => Object.values(resourcesOf(stacks[n], 'aws_iam_role')).filter((r) => r.name === 'ssmb-hub-read');
    expect(roles('prod-eu-west-1')).toHaveLength(1);
    expect(roles('prod-us-east-1')).toHaveLength(0);
    const policy = Object.values(resourcesOf(stacks['prod-eu-west-1'], 'aws_iam_role_policy')).find((p) => p.name === 'hub-read')!;
    const doc = iamSim(stacks['prod-eu-west-1']).resolve(policy.policy) as string;
    expect(JSON.parse(doc).Statement.map((x: { Action: string[]; Resource: string | string[] }) => [x.Action, x.Resource])).toEqual([
      [['ec2:DescribeImages', 'ssm:DescribeInstanceInformation', 'ssm:DescribeSessions', 'ssm:ListAssociations'], ['*']],
      // The digest's reads of association runs: this account's associations, in its regions only.
      [
        ['ssm:DescribeAssociationExecutionTargets', 'ssm:DescribeAssociationExecutions'],
        ['arn:aws:ssm:eu-west-1:111111111111:association/*', 'arn:aws:ssm:us-east-1:111111111111:association/*'],
      ],
    ]);
  });

  it('lets the hub notifiers, and nobody else, assume a spoke read role; the notifiers assume nothing else', async () => {
    const spoke = iamSim(stacks['prod-eu-west-1']);
    const readRole = Object.values(resourcesOf(stacks['prod-eu-west-1'], 'aws_iam_role')).find((r) => r.name === 'ssmb-hub-read')!;
    const trust = JSON.parse(spoke.resolve(readRole.assume_role_policy as string));
    const READ = 'arn:aws:iam::111111111111:role/ssmb-hub-read';
    // The trust policy's answer for a principal whose own policies would allow any assume.
    const trusts = async (principal: string) => {
      const result = await runSimulation(
        {
          request: {
            principal,
            action: 'sts:AssumeRole',
            resource: { resource: READ, accountId: '111111111111' },
            contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': principal.split(':')[4] },
          },
          identityPolicies: [
            { name: 'any', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } },
          ],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: trust,
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return [principal, result.overallResult];
    };
    const notifiers = HUB_NOTIFIER_PURPOSES.map((p) => `arn:aws:iam::333333333333:role/ssmb-hub-${p}-eu-west-1`);
    for (const n of notifiers) expect(await trusts(n)).toEqual([n, 'Allowed']);
    for (const n of [
      'arn:aws:iam::333333333333:role/ssm-baseline-deploy',
      'arn:aws:iam::111111111111:role/ssmb-hub-session-login-notifier-eu-west-1',
      'arn:aws:iam::444444444444:role/ssmb-hub-session-login-notifier-eu-west-1',
      'arn:aws:iam::111111111111:role/ssmb-hub-forward-eu-west-1',
    ])
      expect(await trusts(n)).toEqual([n, 'ImplicitlyDenied']);
    const hub = iamSim(stacks['security-hub']);
    const inOrg = { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' };
    const notifier = 'ssmb-hub-session-login-notifier-eu-west-1';
    const withTrust = { resourcePolicy: trust };
    // Both sides: the notifier's own grant and the spoke's trust policy.
    const ctx = { ...inOrg, 'aws:PrincipalArn': `arn:aws:iam::333333333333:role/${notifier}` };
    expect(
      await hub.roleTable(
        notifier,
        {
          allowed: [['sts:AssumeRole', READ, ctx]],
          denied: [
            ['sts:AssumeRole', 'arn:aws:iam::111111111111:role/ssm-baseline-deploy', ctx],
            ['sts:AssumeRole', READ, { ...ctx, 'aws:ResourceOrgID': 'o-zzzzzzzzzz' }],
            ['sts:AssumeRole', 'arn:aws:iam::111111111111:role/ssmb-hub-forward-eu-west-1', ctx],
            ['ssm:SendCommand', 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0', ctx],
          ],
        },
        withTrust,
      ),
    ).toEqual([]);
  });

  it('matches the real events on the spoke rule and again on the hub rule', () => {
    const pattern = (s: StackJson, name: string) =>
      JSON.parse(Object.values(resourcesOf(s, 'aws_cloudwatch_event_rule')).find((r) => r.name === name)!.event_pattern);
    const cases: Array<[string, string, unknown]> = [
      ['ssmb-agent-update-result', 'ssmb-hub-agent-update-result', fixture('agent-update', 'failed')],
      ['ssmb-session-login', 'ssmb-hub-session-login', fixture('session-manager', 'start-session-assumed-role')],
      ['ssmb-ami-alerts-create-image', 'ssmb-hub-ami-alerts-createImage', fixture('ami-alerts', 'create-image-tagged')],
      ['ssmb-ami-alerts-state-change', 'ssmb-hub-ami-alerts-stateChange', fixture('ami-alerts', 'ami-available')],
    ];
    const spoke = stacks['prod-eu-west-1'];
    const hub = stacks['security-hub'];
    for (const [spokeRule, hubRule, event] of cases) {
      expect([spokeRule, matchesPattern(pattern(spoke, spokeRule), event)]).toEqual([spokeRule, true]);
      // EventBridge delivers the event to the other bus unchanged (same account, source, detail).
      expect([hubRule, matchesPattern(pattern(hub, hubRule), event)]).toEqual([hubRule, true]);
    }
    expect(matchesPattern(pattern(hub, 'ssmb-hub-agent-update-result'), fixture('agent-update', 'other-document'))).toBe(false);
  });
});

describe('hub bus policy with the account list', () => {
  const policy = busPolicy({ busArn: BUS, accountIds: ['111111111111', '222222222222', '333333333333'] });
  const forwardGrant = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS }] };
  const put = async (account: string) => {
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${account}:role/ssmb-hub-forward-us-east-1`,
          action: 'events:PutEvents',
          resource: { resource: BUS, accountId: '333333333333' },
          contextVariables: { 'aws:PrincipalAccount': account },
        },
        identityPolicies: [{ name: 'hub-forward', policy: forwardGrant }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy,
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };

  it('admits a configured account and denies any other, even with the same grant', async () => {
    expect(await put('111111111111')).toBe('Allowed');
    expect(await put('444444444444')).toBe('ImplicitlyDenied');
  });
});

describe('hub at 1,000 accounts', () => {
  it('keeps the hub bus policy under the EventBridge quota with the organization id', () => {
    const accounts = Array.from({ length: 1000 }, (_, i) => ({ id: String(100000000000 + i), name: `a${i}`, regions: ['eu-west-1'] }));
    const config = parseConfig(
      { ...organizationInput(), accounts, hub: { account: '100000000000', region: 'eu-west-1', organizationId: 'o-a1b2c3d4e5' } },
      'big',
    );
    // The hub stack alone: a spoke's size does not depend on the account count.
    const json = JSON.parse(Testing.synth(new HubStack(Testing.app(), { config }))) as StackJson;
    const policy = Object.values(resourcesOf(json, 'aws_cloudwatch_event_bus_policy'))[0].policy as string;
    expect(policy.length).toBeLessThanOrEqual(EVENT_BUS_POLICY_MAX_LENGTH);
    expect(JSON.parse(policy).Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });
});
