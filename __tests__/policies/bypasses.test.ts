// Policies written to slip past the rules: each must end in a finding (non-compliant or
// could not tell), never a pass and never a crash; the compliant cases next to them keep
// the rules from over-reaching.
import { evaluate } from '../../policies/engine';
import { TerraformJson, stackFromSynth } from '../../policies/model';
import { conditionValues, isRestricted } from '../../policies/statements';
import { normalizePolicy } from '../../policies/document';
import type { Finding } from '../../policies/types';
import { ACCOUNT, REGION, broken, compliantStack, statementsOf } from './fixtures';

const NOW = new Date('2026-06-01T00:00:00Z');
const topicArn = '${aws_sns_topic.topic.arn}';
const queueArn = '${aws_sqs_queue.dlq.arn}';

async function findings(json: TerraformJson, rule?: string): Promise<Finding[]> {
  const report = await evaluate([stackFromSynth(json, 'prod', 'fixture/cdk.tf.json')], { now: NOW });
  return report.findings.filter((f) => rule === undefined || f.rule === rule);
}

const hits = (list: Finding[]) => list.map((f) => [f.rule, f.address, f.outcome]);

/** The compliant stack plus a queue policy (a plain JSON string, as a hand-written one would be). */
function withQueuePolicy(statements: object[]): TerraformJson {
  return broken((s) => {
    s.resource.aws_sqs_queue_policy = {
      dlq_policy: { queue_url: '${aws_sqs_queue.dlq.id}', policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
    };
  });
}

describe('NoNotResource: Allow statements never use NotResource', () => {
  it('Noncompliance: an identity policy allowing everything but one bucket', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_doc').push({
        sid: 'AllButLogs',
        effect: 'Allow',
        actions: ['s3:GetObject'],
        not_resources: ['${aws_s3_bucket.logs.arn}/*'],
      }),
    );
    const [f] = await findings(s, 'SSMB-IAM-008');
    expect(f).toMatchObject({ address: 'aws_iam_role_policy.notifier_policy', outcome: 'non-compliant', subject: 'AllButLogs' });
    expect(f.message).toMatch(/statement AllButLogs allows s3:GetObject on NotResource \[/);
  });

  it('Noncompliance: a resource policy with NotResource', async () => {
    const s = withQueuePolicy([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` },
        Action: 'sqs:ReceiveMessage',
        NotResource: 'arn:aws:sqs:ap-northeast-1:111111111111:other',
      },
    ]);
    expect(hits(await findings(s, 'SSMB-IAM-008'))).toEqual([['SSMB-IAM-008', 'aws_sqs_queue_policy.dlq_policy', 'non-compliant']]);
  });

  it('Compliance: a Deny with NotResource (deny everything except) passes', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_doc').push({ effect: 'Deny', actions: ['s3:*'], not_resources: ['${aws_s3_bucket.logs.arn}/*'] }),
    );
    expect(await findings(s)).toEqual([]);
  });
});

describe('PublicResourcePolicy: no resource or trust policy lets anyone in', () => {
  it('Noncompliance: a trust policy with Principal {"AWS": "*"}', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_trust').push({
        sid: 'Anyone',
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
      }),
    );
    const [f] = await findings(s, 'SSMB-POL-003');
    expect(f).toMatchObject({ address: 'aws_iam_role.notifier', subject: 'Anyone', outcome: 'non-compliant', severity: 'critical' });
    expect(f.message).toBe('assume_role_policy statement Anyone allows sts:AssumeRole to anyone ("*")');
  });

  it('Noncompliance: a trust policy conditioned only on sts:ExternalId (not an account) is still public', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_trust').push({
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        condition: [{ test: 'StringEquals', variable: 'sts:ExternalId', values: ['2f1c0a'] }],
      }),
    );
    expect(hits(await findings(s, 'SSMB-POL-003'))).toEqual([['SSMB-POL-003', 'aws_iam_role.notifier', 'non-compliant']]);
  });

  it('Noncompliance: a public SQS queue policy', async () => {
    const s = withQueuePolicy([{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: queueArn }]);
    const [f] = await findings(s, 'SSMB-POL-003');
    expect(f).toMatchObject({ address: 'aws_sqs_queue_policy.dlq_policy', subject: 'Open' });
    expect(f.message).toBe('policy statement Open allows sqs:SendMessage to anyone ("*")');
  });

  it('Noncompliance: an Allow with NotPrincipal (everyone but the named ones)', async () => {
    const s = withQueuePolicy([
      { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/blocked` }, Action: 'sqs:SendMessage', Resource: queueArn },
    ]);
    const [f] = await findings(s, 'SSMB-POL-003');
    expect(f.message).toMatch(/allows sqs:SendMessage to anyone but arn:aws:iam::111111111111:role\/blocked \(NotPrincipal\)/);
  });

  it('Noncompliance: a queue restricted only by wildcard conditions', async () => {
    const s = withQueuePolicy([
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' }, StringLike: { 'aws:SourceAccount': '*' } },
      },
    ]);
    expect(hits(await findings(s, 'SSMB-POL-003'))).toEqual([['SSMB-POL-003', 'aws_sqs_queue_policy.dlq_policy', 'non-compliant']]);
  });

  it('Noncompliance: a principal held in a variable is "could not tell"', async () => {
    const s = withQueuePolicy([{ Effect: 'Allow', Principal: { AWS: '${var.who}' }, Action: 'sqs:SendMessage', Resource: queueArn }]);
    const [f] = await findings(s, 'SSMB-POL-003');
    expect(f).toMatchObject({ outcome: 'unknown' });
    expect(f.message).toMatch(/\$\{var\.who\}, known only at apply/);
  });

  it('Noncompliance: a public policy for a bucket the stack does not declare (SSMB-S3-007 reads only its own buckets)', async () => {
    const s = broken(
      (x) =>
        (x.resource.aws_s3_bucket_policy.shared_policy = {
          bucket: 'shared-artifacts-111111111111',
          policy: JSON.stringify({
            Statement: [
              { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-artifacts-111111111111/*' },
            ],
          }),
        }),
    );
    expect(hits(await findings(s))).toEqual([['SSMB-POL-003', 'aws_s3_bucket_policy.shared_policy', 'non-compliant']]);
  });

  it('Compliance: a public statement on a declared bucket is reported once, by SSMB-S3-007', async () => {
    const s = broken((x) =>
      statementsOf(x, 'logs_policy_doc').push({
        effect: 'Allow',
        actions: ['s3:GetObject'],
        resources: ['${aws_s3_bucket.logs.arn}/*'],
        principals: [{ type: '*', identifiers: ['*'] }],
      }),
    );
    expect(hits(await findings(s))).toEqual([['SSMB-S3-007', 'aws_s3_bucket_policy.logs_policy', 'non-compliant']]);
  });

  it('Compliance: "*" pinned to an account, an organization or a source passes', async () => {
    const conditioned = (Condition: object) => ({
      Effect: 'Allow',
      Principal: '*',
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition,
    });
    const s = withQueuePolicy([
      conditioned({ StringEquals: { 'aws:PrincipalAccount': ACCOUNT } }),
      conditioned({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }),
      conditioned({ ArnEquals: { 'aws:SourceArn': `arn:aws:sns:${REGION}:${ACCOUNT}:ssmb-notifications` } }),
      conditioned({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ssmb-*` } }),
      conditioned({ ArnEquals: { 'aws:SourceArn': '${aws_sns_topic.topic.arn}' } }),
      { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn },
    ]);
    expect(await findings(s)).toEqual([]);
  });

  it('Compliance: a Deny to "*" (TLS-only) and a trust of named roles pass', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_trust').push({
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${ACCOUNT}:role/ops`] }],
      }),
    );
    expect(await findings(s)).toEqual([]);
  });

  it('Compliance: a VPC endpoint policy open to "*" limits the endpoint and grants nothing', async () => {
    const s = broken((x) => {
      x.resource.aws_vpc_endpoint = {
        s3: {
          vpc_id: 'vpc-0123456789abcdef0',
          service_name: `com.amazonaws.${REGION}.s3`,
          policy: JSON.stringify({
            Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '${aws_s3_bucket.logs.arn}/*' }],
          }),
        },
      };
    });
    expect(await findings(s)).toEqual([]);
  });
});

describe('NotPublic: wildcard conditions and NotPrincipal do not restrict a topic', () => {
  const publicPublish = (condition: object[]) =>
    broken((s) =>
      statementsOf(s, 'topic_policy_doc').push({
        sid: 'Loose',
        effect: 'Allow',
        actions: ['sns:Publish'],
        resources: [topicArn],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition,
      }),
    );

  it.each([
    ['aws:SourceArn arn:*', [{ test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:*'] }]],
    ['aws:PrincipalArn arn:aws:iam::*:*', [{ test: 'ArnLike', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::*:*'] }]],
    [
      'aws:PrincipalArn of a role name in any account',
      [{ test: 'ArnLike', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::*:role/admin'] }],
    ],
    ['aws:SourceAccount "*" under StringEquals', [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['*'] }]],
    ['aws:PrincipalOrgID o-*', [{ test: 'StringLike', variable: 'aws:PrincipalOrgID', values: ['o-*'] }]],
    ['aws:SourceArn of any bucket', [{ test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:s3:::*'] }]],
    [
      'ForAllValues:StringEquals aws:SourceAccount (true for a request without the key)',
      [{ test: 'ForAllValues:StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
    ],
  ])('Noncompliance: restricted only by %s', async (_, condition) => {
    const [f] = await findings(publicPublish(condition), 'SSMB-SNS-003');
    expect(f).toMatchObject({ address: 'aws_sns_topic_policy.topic_policy', subject: 'Loose', outcome: 'non-compliant' });
  });

  it('Noncompliance: an Allow with NotPrincipal', async () => {
    const s = broken((x) =>
      statementsOf(x, 'topic_policy_doc').push({
        sid: 'AllButOne',
        effect: 'Allow',
        actions: ['sns:Subscribe'],
        resources: [topicArn],
        not_principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${ACCOUNT}:role/blocked`] }],
      }),
    );
    expect(hits(await findings(s, 'SSMB-SNS-003'))).toEqual([['SSMB-SNS-003', 'aws_sns_topic_policy.topic_policy', 'non-compliant']]);
  });

  it('Compliance: a concrete account, organization, source ARN or account-pinned ARN pattern passes', async () => {
    for (const condition of [
      [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
      [{ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-a1b2c3d4e5'] }],
      [{ test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/ssmb-*`] }],
      [{ test: 'ArnLike', variable: 'aws:PrincipalArn', values: [`arn:aws:iam::${ACCOUNT}:role/*`] }],
    ]) {
      expect(await findings(publicPublish(condition))).toEqual([]);
    }
  });
});

describe('PublishersScoped: a wildcard source is no source', () => {
  it('Noncompliance: EventBridge may publish for aws:SourceArn arn:*', async () => {
    const s = broken((x) => {
      const st = statementsOf(x, 'topic_policy_doc')[1];
      st.condition = [{ test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:*'] }];
    });
    const [f] = await findings(s, 'SSMB-SNS-002');
    expect(f).toMatchObject({ address: 'aws_sns_topic_policy.topic_policy', subject: 'events.amazonaws.com' });
  });

  it('Compliance: the concrete account alone passes', async () => {
    const s = broken((x) => statementsOf(x, 'topic_policy_doc')[1].condition.shift());
    expect(await findings(s)).toEqual([]);
  });
});

describe('NoPublicPrincipal and RootDelegation: aws_kms_key_policy is read like a key policy', () => {
  const keyPolicy = (statements: object[]) =>
    broken((s) => {
      s.resource.aws_kms_key.spare = { enable_key_rotation: true, deletion_window_in_days: 30 };
      s.resource.aws_kms_key_policy = {
        spare_policy: { key_id: '${aws_kms_key.spare.id}', policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
      };
    });
  const root = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

  it('Noncompliance: a key policy resource allowing kms:Decrypt to "*"', async () => {
    const s = keyPolicy([root, { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }]);
    expect(hits(await findings(s))).toEqual([['SSMB-KMS-003', 'aws_kms_key_policy.spare_policy', 'non-compliant']]);
  });

  it('Noncompliance: a key policy resource without the root delegation', async () => {
    const s = keyPolicy([
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, Action: 'kms:Decrypt', Resource: '*' },
    ]);
    expect(hits(await findings(s, 'SSMB-KMS-002'))).toEqual([['SSMB-KMS-002', 'aws_kms_key_policy.spare_policy', 'non-compliant']]);
  });

  it('Compliance: a key policy resource with the root delegation only', async () => {
    expect(await findings(keyPolicy([root]))).toEqual([]);
  });
});

describe('ActionsExist: a wildcard or unknown service is a finding, never a crash', () => {
  const withAction = (action: string, effect = 'Allow') =>
    broken((x) => statementsOf(x, 'notifier_doc').push({ sid: 'Odd', effect, actions: [action], resources: ['*'] }));

  it('Noncompliance: *:Get* in an Allow (every service) is reported by ActionsExist and NoWildcardActions', async () => {
    const list = await findings(withAction('*:Get*'));
    expect(hits(list)).toEqual([
      ['SSMB-IAM-001', 'aws_iam_role_policy.notifier_policy', 'non-compliant'],
      ['SSMB-IAM-002', 'aws_iam_role_policy.notifier_policy', 'non-compliant'],
    ]);
    expect(list[1].message).toBe('policy statement Odd: service prefix "*" in "*:Get*" is a wildcard, not a service');
  });

  it('Noncompliance: s?s:Publish and a wildcard service in a Deny', async () => {
    expect(hits(await findings(withAction('s?s:Publish')))).toContainEqual([
      'SSMB-IAM-002',
      'aws_iam_role_policy.notifier_policy',
      'non-compliant',
    ]);
    expect(hits(await findings(withAction('*:Delete*', 'Deny')))).toEqual([
      ['SSMB-IAM-002', 'aws_iam_role_policy.notifier_policy', 'non-compliant'],
    ]);
  });

  it.each(['foo:Bar', ':GetObject', 's3:', 'GetObject'])('Noncompliance: %s', async (action) => {
    const list = await findings(withAction(action));
    expect(list.map((f) => f.rule)).toContain('SSMB-IAM-002');
  });

  it('Compliance: "*" and "s3:Get*" are known shapes (other rules judge them)', async () => {
    const list = await findings(withAction('s3:Get*', 'Deny'));
    expect(list).toEqual([]);
  });
});

describe('policy statements: conditions that restrict', () => {
  const st = (Condition: object) => normalizePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:*', Condition }] })[0];

  it('ForAllValues operators are not restrictions (a request without the key satisfies them)', () => {
    expect(conditionValues(st({ 'ForAllValues:StringEquals': { 'aws:SourceAccount': ACCOUNT } }), 'aws:SourceAccount')).toEqual([]);
    expect(conditionValues(st({ 'ForAnyValue:StringEquals': { 'aws:SourceAccount': ACCOUNT } }), 'aws:SourceAccount')).toEqual([ACCOUNT]);
  });

  it.each([
    ['aws:SourceAccount', '*', false],
    ['aws:SourceAccount', '1111*', false],
    ['aws:SourceAccount', ACCOUNT, true],
    ['aws:SourceArn', 'arn:*', false],
    ['aws:SourceArn', '*:*', false],
    ['aws:SourceArn', 'arn:aws:sns:*:*:*', false],
    ['aws:SourceArn', `arn:aws:sns:*:${ACCOUNT}:*`, true],
    ['aws:SourceArn', 'arn:aws:s3:::ssmb-111111111111-logs', true],
    ['aws:SourceArn', 'arn:aws:s3:::ssmb-*', false],
    ['aws:PrincipalArn', 'arn:aws:iam::*:*', false],
    ['aws:PrincipalArn', `arn:aws:iam::${ACCOUNT}:role/ops`, true],
    ['aws:PrincipalOrgID', 'o-*', false],
    ['aws:PrincipalOrgID', 'o-a1b2c3d4e5', true],
    ['aws:SourceVpce', 'vpce-*', false],
    ['aws:SourceVpce', 'vpce-0123456789abcdef0', true],
    ['aws:SourceArn', '${aws_sns_topic.topic.arn}', true],
  ])('%s = %s restricts: %s', (key, value, restricts) => {
    expect(isRestricted(st({ StringLike: { [key]: value } }))).toBe(restricts);
  });
});

describe('policy rules: the compliant stack still passes', () => {
  it('Compliance: no finding', async () => {
    expect(await findings(compliantStack())).toEqual([]);
  });
});
