import { Testing } from 'cdktf';
import { HubStack } from '../../stacks/organization/hub-stack';
import { parseConfig } from '../../stacks/platform/config/load';
import { DIGEST_CHECK_SCHEDULE, DIGEST_SPOKES_PER_SCHEDULE } from '../../stacks/capabilities/agent-update/digest';
import { parseHubDigestRequest } from '../../lambda/agent-update/digest/request';
import { StackJson, organizationInput, readStacks, resourcesOf, synthToDir } from '../helpers/synth';
import { iamSim } from '../helpers/iam-sim';

const DIGEST_ROLE = 'ssmb-hub-agent-update-digest-eu-west-1';
const READ = (account: string) => `arn:aws:iam::${account}:role/ssmb-hub-read`;
const IN_ORG = { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' };

const byName = (s: StackJson, type: string, key: string, name: string) =>
  Object.values(resourcesOf(s, type)).filter((r) => r[key] === name);

describe('agent-update digest with a hub (the example organization)', () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    stacks = readStacks(synthToDir(parseConfig(organizationInput(), 'example')));
  });
  const spokeNames = () => Object.keys(stacks).filter((n) => !n.endsWith('-bootstrap') && n !== 'security-hub');

  it('runs one digest in the hub, scheduled hourly for every spoke account-region, and none in the spokes', () => {
    const hub = stacks['security-hub'];
    const [fn] = byName(hub, 'aws_lambda_function', 'function_name', 'ssmb-hub-agent-update-digest');
    expect(fn.environment.variables).toMatchObject({
      ACCOUNT_ID: '333333333333',
      ACCOUNT_NAME: 'security',
      HUB_READ_ROLE_NAME: 'ssmb-hub-read',
      RUNS_TABLE: expect.stringMatching(/^\$\{aws_dynamodb_table\.notifiers_agent-update-digest_runs_[0-9A-F]+\.name\}$/),
    });
    expect(fn.environment.variables.TOPIC_ARN).toMatch(/^\$\{aws_sns_topic\.shared_notifications_topic_[0-9A-F]+\.arn\}$/);
    expect(byName(hub, 'aws_dynamodb_table', 'name', 'ssmb-hub-agent-update-digests')).toHaveLength(1);
    const schedules = Object.values(resourcesOf(hub, 'aws_scheduler_schedule'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0].schedule_expression).toBe(DIGEST_CHECK_SCHEDULE);
    expect(schedules[0].target[0]?.dead_letter_config ?? schedules[0].target.dead_letter_config).toEqual({
      arn: expect.stringMatching(/^\$\{aws_sqs_queue\.shared_dead-letters_queue_[0-9A-F]+\.arn\}$/),
    });
    const input = JSON.parse(schedules[0].target.input ?? schedules[0].target[0].input);
    expect(parseHubDigestRequest(input)).toEqual({
      associationName: 'ssmb-agent-update',
      spokes: [
        { account: '333333333333', region: 'eu-west-1' },
        { account: '111111111111', region: 'eu-west-1' },
        { account: '111111111111', region: 'us-east-1' },
        { account: '222222222222', region: 'eu-west-1' },
      ],
    });
    // The spokes' association keeps the name the hub looks it up by.
    for (const name of spokeNames()) {
      const s = stacks[name];
      const updates = Object.values(resourcesOf(s, 'aws_ssm_association')).filter((a) => a.name === 'AWS-UpdateSSMAgent');
      expect([name, updates.map((a) => a.association_name)]).toEqual([name, ['ssmb-agent-update']]);
      const digestParts = [
        ...Object.values(resourcesOf(s, 'aws_scheduler_schedule')).filter((r) => /agent-update/.test(r.name)),
        ...Object.values(resourcesOf(s, 'aws_dynamodb_table')).filter((r) => /agent-update/.test(r.name)),
      ];
      expect([name, digestParts]).toEqual([name, []]);
    }
  });

  it('lets the hub digest assume the spoke read roles and nothing else, and read no spoke directly', async () => {
    const hub = iamSim(stacks['security-hub']);
    // Both sides of a cross-account assume: the digest's own grant and the spoke's trust policy.
    const readRole = Object.values(resourcesOf(stacks['prod-eu-west-1'], 'aws_iam_role')).find((r) => r.name === 'ssmb-hub-read')!;
    const trust = JSON.parse(iamSim(stacks['prod-eu-west-1']).resolve(readRole.assume_role_policy as string));
    const ctx = { ...IN_ORG, 'aws:PrincipalArn': `arn:aws:iam::333333333333:role/${DIGEST_ROLE}` };
    expect(
      await hub.roleTable(
        DIGEST_ROLE,
        {
          allowed: [
            ['sts:AssumeRole', READ('111111111111'), ctx],
            ['sts:AssumeRole', READ('333333333333'), ctx],
            ['dynamodb:PutItem', 'arn:aws:dynamodb:eu-west-1:333333333333:table/ssmb-hub-agent-update-digests', ctx],
          ],
          denied: [
            ['sts:AssumeRole', 'arn:aws:iam::111111111111:role/ssm-baseline-deploy', ctx],
            ['sts:AssumeRole', READ('444444444444'), { ...ctx, 'aws:ResourceOrgID': 'o-zzzzzzzzzz' }],
            ['sts:AssumeRole', 'arn:aws:iam::111111111111:role/ssmb-hub-forward-eu-west-1', ctx],
            [
              'ssm:DescribeAssociationExecutions',
              'arn:aws:ssm:eu-west-1:111111111111:association/5c5a31f6-6dae-46f9-944c-0123456789ab',
              ctx,
            ],
            ['ssm:ListAssociations', '*', ctx],
            ['dynamodb:PutItem', 'arn:aws:dynamodb:eu-west-1:333333333333:table/other', ctx],
          ],
        },
        { resourcePolicy: trust },
      ),
    ).toEqual([]);
  });

  it("lets the read role make the digest's reads on its own account's associations only", async () => {
    const spoke = iamSim(stacks['prod-eu-west-1']);
    const own = (region: string) => `arn:aws:ssm:${region}:111111111111:association/5c5a31f6-6dae-46f9-944c-0123456789ab`;
    expect(
      await spoke.roleTable('ssmb-hub-read', {
        allowed: [
          ['ssm:DescribeAssociationExecutions', own('eu-west-1')],
          ['ssm:DescribeAssociationExecutionTargets', own('us-east-1')],
          ['ssm:ListAssociations', '*'],
          ['ssm:DescribeInstanceInformation', '*'],
        ],
        denied: [
          ['ssm:DescribeAssociationExecutions', own('eu-west-1').replace('111111111111', '222222222222')],
          // Not one of the account's baseline regions.
          ['ssm:DescribeAssociationExecutions', own('ap-southeast-2')],
          ['ssm:DescribeAssociation', own('eu-west-1')],
          ['ssm:UpdateAssociation', own('eu-west-1')],
          ['ssm:SendCommand', 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0'],
        ],
      }),
    ).toEqual([]);
    // And only the hub's roles may assume it: the digest's, no other of the hub account.
    const readRole = Object.values(resourcesOf(stacks['prod-eu-west-1'], 'aws_iam_role')).find((r) => r.name === 'ssmb-hub-read')!;
    const trust = JSON.parse(spoke.resolve(readRole.assume_role_policy as string));
    expect(trust.Statement[0].Condition.ArnEquals['aws:PrincipalArn']).toContain(`arn:aws:iam::333333333333:role/${DIGEST_ROLE}`);
  });
});

describe('hub digest schedules at 1,000 account-regions', () => {
  it(`splits the spokes into schedules of ${DIGEST_SPOKES_PER_SCHEDULE}, each input far under the target input limit`, () => {
    const accounts = Array.from({ length: 500 }, (_, i) => ({
      id: String(100000000000 + i),
      name: `a${i}`,
      regions: ['eu-west-1', 'us-east-1'],
    }));
    const config = parseConfig(
      { ...organizationInput(), accounts, hub: { account: '100000000000', region: 'eu-west-1', organizationId: 'o-a1b2c3d4e5' } },
      'big',
    );
    const json = JSON.parse(Testing.synth(new HubStack(Testing.app(), { config }))) as StackJson;
    const schedules = Object.values(resourcesOf(json, 'aws_scheduler_schedule'));
    expect(schedules).toHaveLength(1000 / DIGEST_SPOKES_PER_SCHEDULE);
    const inputs = schedules.map((s) => (s.target.input ?? s.target[0].input) as string);
    const spokes = inputs.flatMap((i) => parseHubDigestRequest(JSON.parse(i)).spokes.map((p) => `${p.account}/${p.region}`));
    expect(new Set(spokes).size).toBe(1000);
    // EventBridge's target Input limit (8,192), the tightest of the two services.
    expect(Math.max(...inputs.map((i) => i.length))).toBeLessThan(8192);
    expect(new Set(schedules.map((s) => s.name)).size).toBe(schedules.length);
  });
});
