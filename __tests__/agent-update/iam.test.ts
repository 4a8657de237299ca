import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { IamSim, iamSim } from '../helpers/iam-sim';
import { StackJson, synthStack, testConfig } from '../helpers/synth';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const NOTIFIER_ROLE = `ssmb-agent-update-notifier-${REGION}`;
const INSTANCE_ROLE = `ssmb-managed-instance-${REGION}`;
const OUTPUT_BUCKET = `ssmb-${ACCOUNT}-${REGION}-agent-update`;
const OTHER_BUCKET = 'arn:aws:s3:::someone-elses-bucket';
const INSTANCE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;

describe('agent update: least privilege (IAM simulation)', () => {
  let s: StackJson;
  let sim: IamSim;
  let topic: string;
  let key: string;
  let dlq: string;
  let logGroup: string;
  let bucket: string;
  let fn: string;
  let ruleArn: string;
  beforeAll(() => {
    s = synthStack(testConfig());
    sim = iamSim(s);
    topic = sim.arn('aws_sns_topic', 'ssmb-notifications');
    // The topic's own key (other capabilities may add keys of their own).
    const topicBody = s.resource!.aws_sns_topic[sim.logicalId('aws_sns_topic', 'ssmb-notifications')] as { kms_master_key_id: string };
    key = sim.resolveString(topicBody.kms_master_key_id);
    dlq = sim.arn('aws_sqs_queue', 'ssmb-dead-letters');
    logGroup = sim.arn('aws_cloudwatch_log_group', '/aws/lambda/ssmb-agent-update-notifier');
    bucket = sim.arn('aws_s3_bucket', OUTPUT_BUCKET);
    fn = sim.arn('aws_lambda_function', 'ssmb-agent-update-notifier');
    ruleArn = sim.arn('aws_cloudwatch_event_rule', 'ssmb-agent-update-result');
  });

  it('notifier role: publishes, enriches, logs and dead-letters, nothing else', async () => {
    const miss = await sim.roleTable(NOTIFIER_ROLE, {
      allowed: [
        ['sns:Publish', topic],
        ['kms:GenerateDataKey', key],
        ['kms:Decrypt', key],
        ['ssm:DescribeInstanceInformation', '*'],
        // Its own association's id, by name (the action has no resource-level permissions).
        ['ssm:ListAssociations', '*'],
        ['logs:CreateLogStream', `${logGroup}:log-stream:2025/03/04/[$LATEST]abc`],
        ['logs:PutLogEvents', `${logGroup}:log-stream:2025/03/04/[$LATEST]abc`],
        ['sqs:SendMessage', dlq],
      ],
      denied: [
        ['sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`],
        ['sns:Subscribe', topic],
        ['kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`],
        ['ssm:SendCommand', INSTANCE_ARN],
        ['ssm:DescribeInstanceProperties', '*'],
        // Nothing that reads parameters or changes an association.
        ['ssm:DescribeAssociation', `arn:aws:ssm:${REGION}:${ACCOUNT}:association/5c5a31f6-6dae-46f9-944c-0123456789ab`],
        ['ssm:ListAssociationVersions', `arn:aws:ssm:${REGION}:${ACCOUNT}:association/5c5a31f6-6dae-46f9-944c-0123456789ab`],
        ['ssm:UpdateAssociation', `arn:aws:ssm:${REGION}:${ACCOUNT}:association/5c5a31f6-6dae-46f9-944c-0123456789ab`],
        ['ssm:DeleteAssociation', `arn:aws:ssm:${REGION}:${ACCOUNT}:association/5c5a31f6-6dae-46f9-944c-0123456789ab`],
        ['ssm:StartAssociationsOnce', `arn:aws:ssm:${REGION}:${ACCOUNT}:association/5c5a31f6-6dae-46f9-944c-0123456789ab`],
        ['ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/secret`],
        ['s3:GetObject', `${bucket}/agent-update/i-0123456789abcdef0/stdout`],
        ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`],
        ['logs:CreateLogGroup', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/other`],
        ['sqs:ReceiveMessage', dlq],
        ['sqs:SendMessage', `arn:aws:sqs:${REGION}:${ACCOUNT}:another-queue`],
      ],
    });
    expect(miss).toEqual([]);
  });

  it('notifier: only the agent-update rule may invoke it', async () => {
    const miss = await sim.resourceTable(fn, {
      allowed: [['events.amazonaws.com', 'lambda:InvokeFunction', fn, { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT }]],
      denied: [
        [
          'events.amazonaws.com',
          'lambda:InvokeFunction',
          fn,
          { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/other`, 'aws:SourceAccount': ACCOUNT },
        ],
        [
          'events.amazonaws.com',
          'lambda:InvokeFunction',
          fn,
          { 'aws:SourceArn': `arn:aws:events:${REGION}:222222222222:rule/ssmb-agent-update-result` },
        ],
        ['sns.amazonaws.com', 'lambda:InvokeFunction', fn, { 'aws:SourceArn': topic }],
        [`arn:aws:iam::${ACCOUNT}:role/anyone`, 'lambda:InvokeFunction', fn],
      ],
    });
    expect(miss).toEqual([]);
  });

  it("dead-letter queue admits this rule's undeliverable events", async () => {
    const miss = await sim.resourceTable(dlq, {
      allowed: [['events.amazonaws.com', 'sqs:SendMessage', dlq, { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT }]],
      denied: [
        [
          'events.amazonaws.com',
          'sqs:SendMessage',
          dlq,
          { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT, 'aws:SecureTransport': 'false' },
        ],
        [
          'events.amazonaws.com',
          'sqs:SendMessage',
          dlq,
          { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/other`, 'aws:SourceAccount': ACCOUNT },
        ],
        ['events.amazonaws.com', 'sqs:ReceiveMessage', dlq, { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT }],
      ],
    });
    expect(miss).toEqual([]);
  });

  it('instance role: writes association output under its prefix only', async () => {
    const miss = await sim.roleTable(INSTANCE_ROLE, {
      allowed: [
        ['s3:PutObject', `${bucket}/agent-update/i-0123456789abcdef0/5c5a31f6-6dae-46f9-944c-0123456789ab/stdout`],
        ['s3:GetEncryptionConfiguration', bucket],
      ],
      denied: [
        // The bucket policy refuses plain HTTP even for the role.
        ['s3:PutObject', `${bucket}/agent-update/i-0123456789abcdef0/stdout`, { 'aws:SecureTransport': 'false' }],
        ['s3:PutObject', `${bucket}/elsewhere/stdout`],
        ['s3:PutObject', `${bucket}/agent-updates/stdout`],
        ['s3:GetObject', `${bucket}/agent-update/i-0123456789abcdef0/stdout`],
        ['s3:DeleteObject', `${bucket}/agent-update/i-0123456789abcdef0/stdout`],
        ['s3:ListBucket', bucket],
        ['s3:PutBucketPolicy', bucket],
        ['s3:PutObject', `${OTHER_BUCKET}/agent-update/stdout`],
        ['s3:GetEncryptionConfiguration', OTHER_BUCKET],
      ],
    });
    expect(miss).toEqual([]);
  });

  it('instance role: trusted by EC2 only, unless Default Host Management is on', async () => {
    expect(
      await sim.trustTable(INSTANCE_ROLE, {
        allowed: [['ec2.amazonaws.com']],
        denied: [['ssm.amazonaws.com'], ['lambda.amazonaws.com'], [`arn:aws:iam::${ACCOUNT}:root`]],
      }),
    ).toEqual([]);
    const dhmc = iamSim(synthStack(testConfig({ agentUpdate: { defaultHostManagement: true } } as Partial<BaselineConfigInput>)));
    expect(
      await dhmc.trustTable(INSTANCE_ROLE, {
        allowed: [['ec2.amazonaws.com'], ['ssm.amazonaws.com']],
        denied: [['lambda.amazonaws.com'], ['events.amazonaws.com'], [`arn:aws:iam::222222222222:root`]],
      }),
    ).toEqual([]);
  });
});
