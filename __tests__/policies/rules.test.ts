import { evaluate } from '../../policies/engine';
import { TerraformJson, stackFromSynth } from '../../policies/model';
import { RULES } from '../../policies/rules';
import type { Finding, Report, Rule } from '../../policies/types';
import { intrinsicCalls } from '../../policies/rules/states/machine';
import { ACCOUNT, REGION, broken, brokenMachine, compliantStack, statementsOf } from './fixtures';

const NOW = new Date('2026-11-22T00:00:00Z');

async function run(stacks: TerraformJson | TerraformJson[]): Promise<Report> {
  const list = Array.isArray(stacks) ? stacks : [stacks];
  return evaluate(
    list.map((s, i) => stackFromSynth(s, (s['//'] as any)?.metadata?.stackName ?? `stack-${i}`, `fixture-${i}/cdk.tf.json`)),
    { now: NOW },
  );
}

interface Failing {
  /** What is broken, for the test name. */
  readonly what: string;
  readonly fixture: () => TerraformJson | TerraformJson[];
  /** Address the rule must report. */
  readonly address: string;
  readonly message?: RegExp;
}

const topicArn = '${aws_sns_topic.topic.arn}';

/**
 * The compliant stack with its bastion launched from a launch template, as the real
 * bastion is: image, disk and metadata service on the template, network on the instance.
 */
function fromTemplate(mutate: (s: any) => void = () => undefined): TerraformJson {
  return broken((s) => {
    const instance = s.resource.aws_instance.bastion;
    s.resource.aws_launch_template = {
      bastion_lt: {
        name: 'ssmb-bastion',
        image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        metadata_options: instance.metadata_options,
        block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_type: 'gp3' } }],
      },
    };
    delete instance.ami;
    delete instance.metadata_options;
    delete instance.root_block_device;
    instance.launch_template = { id: '${aws_launch_template.bastion_lt.id}', version: '${aws_launch_template.bastion_lt.latest_version}' };
    mutate(s);
  });
}

/** One or more failing fixtures per rule; the keys must be exactly the rule ids (checked below). */
const FAILING: Record<string, Failing[]> = {
  'SSMB-IAM-001': [
    {
      what: 'an Allow of s3:*',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['s3:*'], resources: ['${aws_s3_bucket.logs.arn}/*'] }),
        ),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /allows "s3:\*"/,
    },
    {
      what: 'an Allow with NotAction',
      fixture: () => broken((s) => statementsOf(s, 'notifier_doc').push({ effect: 'Allow', not_actions: ['iam:*'], resources: ['*'] })),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /NotAction/,
    },
    {
      what: 'kms:* in a key policy to a principal other than the account root',
      fixture: () =>
        broken((s) => {
          statementsOf(s, 'topic_key_doc')[0].principals = [{ type: 'AWS', identifiers: [`arn:aws:iam::${ACCOUNT}:role/admin`] }];
        }),
      address: 'aws_kms_key.topic_key',
      message: /allows "kms:\*"/,
    },
  ],
  'SSMB-IAM-002': [
    {
      what: 'a misspelled action',
      fixture: () => broken((s) => (statementsOf(s, 'notifier_doc')[2].actions = ['sns:Publsh'])),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /no sns action matches "sns:Publsh"/,
    },
    {
      what: 'an unknown service prefix in a Deny',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'logs_policy_doc').push({
            effect: 'Deny',
            actions: ['s4:GetObject'],
            resources: ['*'],
            principals: [{ type: '*', identifiers: ['*'] }],
          }),
        ),
      address: 'aws_s3_bucket_policy.logs_policy',
      message: /service prefix "s4"/,
    },
  ],
  'SSMB-IAM-003': [
    {
      what: 's3:PutObject on *',
      fixture: () => broken((s) => statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['s3:PutObject'], resources: ['*'] })),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /s3:PutObject on "\*"/,
    },
    {
      what: 'ssm:DescribeInstancePatches on * (it supports instance ARNs)',
      fixture: () =>
        broken((s) => statementsOf(s, 'machine_doc').push({ effect: 'Allow', actions: ['ssm:DescribeInstancePatches'], resources: ['*'] })),
      address: 'aws_iam_role_policy.machine_policy',
      message: /ssm:DescribeInstancePatches/,
    },
  ],
  'SSMB-IAM-004': [
    {
      what: 'iam:PassRole on *',
      fixture: () => broken((s) => (statementsOf(s, 'passer_doc')[0].resources = ['*'])),
      address: 'aws_iam_role_policy.passer_policy',
      message: /other than named ones/,
    },
    {
      what: 'iam:PassRole without iam:PassedToService',
      fixture: () => broken((s) => delete statementsOf(s, 'passer_doc')[0].condition),
      address: 'aws_iam_role_policy.passer_policy',
      message: /without an iam:PassedToService/,
    },
  ],
  'SSMB-IAM-005': [
    {
      what: 'a Scheduler trust scoped to a schedule instead of its group',
      fixture: () =>
        broken(
          (s) =>
            (statementsOf(s, 'scheduler_trust')[0].condition[1].values = [
              `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/ssmb-patch-history`,
            ]),
        ),
      address: 'aws_iam_role.scheduler',
      message: /without aws:SourceArn = a schedule-group ARN/,
    },
    {
      what: 'a Config trust without aws:SourceAccount',
      fixture: () => broken((s) => delete statementsOf(s, 'recorder_trust')[0].condition),
      address: 'aws_iam_role.recorder',
      message: /config.amazonaws.com assume the role without aws:SourceAccount/,
    },
    {
      what: 'a Step Functions trust with another account',
      fixture: () => broken((s) => (statementsOf(s, 'machine_trust')[0].condition[0].values = ['999999999999'])),
      address: 'aws_iam_role.machine',
      message: /has 999999999999/,
    },
  ],
  'SSMB-IAM-006': [
    {
      what: 'AmazonS3FullAccess attached',
      fixture: () =>
        broken(
          (s) =>
            (s.resource.aws_iam_role_policy_attachment.s3_full = {
              role: '${aws_iam_role.instance.name}',
              policy_arn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
            }),
        ),
      address: 'aws_iam_role_policy_attachment.s3_full',
      message: /AmazonS3FullAccess/,
    },
  ],
  'SSMB-IAM-007': [
    {
      what: 'kms:Decrypt on *',
      fixture: () => broken((s) => (statementsOf(s, 'notifier_doc')[3].resources = ['*'])),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /kms:Decrypt on \*/,
    },
  ],
  'SSMB-IAM-008': [
    {
      what: 'an identity Allow with NotResource',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'notifier_doc').push({
            effect: 'Allow',
            actions: ['sqs:SendMessage'],
            not_resources: ['${aws_sqs_queue.dlq.arn}'],
          }),
        ),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /on NotResource \[\$\{aws_sqs_queue\.dlq\.arn\}\]: every other resource/,
    },
  ],
  'SSMB-S3-001': [
    {
      what: 'restrict_public_buckets off',
      fixture: () => broken((s) => (s.resource.aws_s3_bucket_public_access_block.logs_pab.restrict_public_buckets = false)),
      address: 'aws_s3_bucket_public_access_block.logs_pab',
      message: /restrict_public_buckets/,
    },
    {
      what: 'no public access block',
      fixture: () => broken((s) => delete s.resource.aws_s3_bucket_public_access_block),
      address: 'aws_s3_bucket.logs',
    },
  ],
  'SSMB-S3-002': [
    {
      what: 'ObjectWriter ownership',
      fixture: () => broken((s) => (s.resource.aws_s3_bucket_ownership_controls.logs_ownership.rule.object_ownership = 'ObjectWriter')),
      address: 'aws_s3_bucket_ownership_controls.logs_ownership',
    },
    {
      what: 'an ACL resource',
      fixture: () => broken((s) => (s.resource.aws_s3_bucket_acl = { logs_acl: { bucket: '${aws_s3_bucket.logs.id}', acl: 'private' } })),
      address: 'aws_s3_bucket_acl.logs_acl',
    },
  ],
  'SSMB-S3-003': [
    {
      what: 'no encryption configuration',
      fixture: () => broken((s) => delete s.resource.aws_s3_bucket_server_side_encryption_configuration),
      address: 'aws_s3_bucket.logs',
    },
  ],
  'SSMB-S3-004': [
    {
      what: 'versioning suspended',
      fixture: () => broken((s) => (s.resource.aws_s3_bucket_versioning.logs_versioning.versioning_configuration.status = 'Suspended')),
      address: 'aws_s3_bucket.logs',
    },
  ],
  'SSMB-S3-005': [
    {
      what: 'lifecycle rule disabled',
      fixture: () => broken((s) => (s.resource.aws_s3_bucket_lifecycle_configuration.logs_lifecycle.rule[0].status = 'Disabled')),
      address: 'aws_s3_bucket.logs',
    },
  ],
  'SSMB-S3-006': [
    { what: 'no TLS deny', fixture: () => broken((s) => statementsOf(s, 'logs_policy_doc').shift()), address: 'aws_s3_bucket.logs' },
    {
      what: 'a TLS deny that misses the objects',
      fixture: () => broken((s) => (statementsOf(s, 'logs_policy_doc')[0].resources = ['${aws_s3_bucket.logs.arn}'])),
      address: 'aws_s3_bucket.logs',
    },
    {
      what: 'a TLS deny that misses the bucket itself (only "<bucket ARN>/*")',
      fixture: () => broken((s) => (statementsOf(s, 'logs_policy_doc')[0].resources = ['${aws_s3_bucket.logs.arn}/*'])),
      address: 'aws_s3_bucket.logs',
    },
  ],
  'SSMB-S3-007': [
    {
      what: 'an Allow to * (even conditioned)',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'logs_policy_doc').push({
            sid: 'Everyone',
            effect: 'Allow',
            actions: ['s3:GetObject'],
            resources: ['${aws_s3_bucket.logs.arn}/*'],
            principals: [{ type: 'AWS', identifiers: ['*'] }],
            condition: [{ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-abc'] }],
          }),
        ),
      address: 'aws_s3_bucket_policy.logs_policy',
      message: /statement Everyone/,
    },
  ],
  'SSMB-SNS-001': [
    {
      what: 'the AWS-managed SNS key',
      fixture: () => broken((s) => (s.resource.aws_sns_topic.topic.kms_master_key_id = 'alias/aws/sns')),
      address: 'aws_sns_topic.topic',
    },
    {
      what: 'no encryption',
      fixture: () => broken((s) => delete s.resource.aws_sns_topic.topic.kms_master_key_id),
      address: 'aws_sns_topic.topic',
    },
  ],
  'SSMB-SNS-002': [
    {
      what: 'EventBridge publishing without source conditions',
      fixture: () => broken((s) => delete statementsOf(s, 'topic_policy_doc')[1].condition),
      address: 'aws_sns_topic_policy.topic_policy',
      message: /events.amazonaws.com publish without/,
    },
  ],
  'SSMB-SNS-003': [
    {
      what: 'a public publish grant',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'topic_policy_doc').push({
            effect: 'Allow',
            actions: ['sns:Publish'],
            resources: [topicArn],
            principals: [{ type: '*', identifiers: ['*'] }],
          }),
        ),
      address: 'aws_sns_topic_policy.topic_policy',
      message: /to anyone/,
    },
  ],
  'SSMB-KMS-001': [
    {
      what: 'rotation off',
      fixture: () => broken((s) => (s.resource.aws_kms_key.topic_key.enable_key_rotation = false)),
      address: 'aws_kms_key.topic_key',
    },
  ],
  'SSMB-KMS-002': [
    {
      what: 'no root delegation',
      fixture: () => broken((s) => statementsOf(s, 'topic_key_doc').shift()),
      address: 'aws_kms_key.topic_key',
      message: /arn:aws:iam::111111111111:root/,
    },
  ],
  'SSMB-KMS-003': [
    {
      what: 'Decrypt for *',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'topic_key_doc').push({
            effect: 'Allow',
            actions: ['kms:Decrypt'],
            resources: ['*'],
            principals: [{ type: 'AWS', identifiers: ['*'] }],
          }),
        ),
      address: 'aws_kms_key.topic_key',
    },
  ],
  'SSMB-LAMBDA-001': [
    {
      what: 'nodejs18.x',
      fixture: () => broken((s) => (s.resource.aws_lambda_function.notifier.runtime = 'nodejs18.x')),
      address: 'aws_lambda_function.notifier',
      message: /deprecated since 2025-09-01/,
    },
    {
      what: 'nodejs20.x after April 2026',
      fixture: () => broken((s) => (s.resource.aws_lambda_function.notifier.runtime = 'nodejs20.x')),
      address: 'aws_lambda_function.notifier',
    },
    {
      what: 'an unknown runtime',
      fixture: () => broken((s) => (s.resource.aws_lambda_function.notifier.runtime = 'nodejs99.x')),
      address: 'aws_lambda_function.notifier',
      message: /does not know/,
    },
  ],
  'SSMB-LAMBDA-002': [
    {
      what: 'no managed log group',
      fixture: () =>
        broken((s) => {
          delete s.resource.aws_cloudwatch_log_group.notifier_logs;
          delete s.resource.aws_lambda_function.notifier.logging_config;
        }),
      address: 'aws_lambda_function.notifier',
      message: /\/aws\/lambda\/ssmb-notifier/,
    },
  ],
  'SSMB-LAMBDA-003': [
    {
      what: 'no on-failure destination',
      fixture: () => broken((s) => delete s.resource.aws_lambda_function_event_invoke_config),
      address: 'aws_lambda_function.notifier',
    },
  ],
  'SSMB-LAMBDA-004': [
    {
      what: 'a permission without source_arn',
      fixture: () => broken((s) => delete s.resource.aws_lambda_permission.notifier_allow_rule.source_arn),
      address: 'aws_lambda_permission.notifier_allow_rule',
    },
  ],
  'SSMB-EVENTS-001': [
    {
      what: 'no dead-letter queue',
      fixture: () => broken((s) => delete s.resource.aws_cloudwatch_event_target.rule_target.dead_letter_config),
      address: 'aws_cloudwatch_event_target.rule_target',
    },
    {
      what: 'no retry policy',
      fixture: () => broken((s) => delete s.resource.aws_cloudwatch_event_target.rule_target.retry_policy),
      address: 'aws_cloudwatch_event_target.rule_target',
    },
  ],
  'SSMB-EVENTS-002': [
    {
      what: 'a role on an SNS target',
      fixture: () => broken((s) => (s.resource.aws_cloudwatch_event_target.rule_target.role_arn = '${aws_iam_role.notifier.arn}')),
      address: 'aws_cloudwatch_event_target.rule_target',
      message: /SNS topic/,
    },
  ],
  'SSMB-LOGS-001': [
    {
      what: 'no retention',
      fixture: () => broken((s) => delete s.resource.aws_cloudwatch_log_group.notifier_logs.retention_in_days),
      address: 'aws_cloudwatch_log_group.notifier_logs',
    },
  ],
  'SSMB-LOGS-002': [
    {
      what: 'session transcripts without KMS',
      fixture: () => broken((s) => delete s.resource.aws_cloudwatch_log_group.sessions.kms_key_id),
      address: 'aws_cloudwatch_log_group.sessions',
      message: /Session Manager transcripts/,
    },
    {
      what: 'a group tagged sensitive without KMS',
      fixture: () => broken((s) => (s.resource.aws_cloudwatch_log_group.notifier_logs.tags = { DataClassification: 'Sensitive' })),
      address: 'aws_cloudwatch_log_group.notifier_logs',
    },
  ],
  'SSMB-EC2-001': [
    {
      what: 'IMDSv1 allowed',
      fixture: () => broken((s) => (s.resource.aws_instance.bastion.metadata_options.http_tokens = 'optional')),
      address: 'aws_instance.bastion',
    },
    {
      what: 'an instance inheriting IMDSv1 from its launch template',
      fixture: () => fromTemplate((s) => (s.resource.aws_launch_template.bastion_lt.metadata_options.http_tokens = 'optional')),
      address: 'aws_instance.bastion',
      message: /http_tokens = optional\) \(from launch template aws_launch_template\.bastion_lt\)$/,
    },
    {
      what: 'an instance whose launch template leaves IMDS unset',
      fixture: () => fromTemplate((s) => delete s.resource.aws_launch_template.bastion_lt.metadata_options),
      address: 'aws_instance.bastion',
      message: /http_tokens = unset/,
    },
  ],
  'SSMB-EC2-002': [
    {
      what: 'an unencrypted root volume',
      fixture: () => broken((s) => (s.resource.aws_instance.bastion.root_block_device.encrypted = false)),
      address: 'aws_instance.bastion',
    },
    {
      what: 'a root volume from a launch template mapping without encryption',
      fixture: () => fromTemplate((s) => (s.resource.aws_launch_template.bastion_lt.block_device_mappings[0].ebs.encrypted = 'false')),
      address: 'aws_instance.bastion',
      message: /root volume is not encrypted \(launch template aws_launch_template\.bastion_lt, \/dev\/xvda\)/,
    },
    {
      what: 'a launch template that maps only a data volume, leaving the root to the image',
      fixture: () => fromTemplate((s) => (s.resource.aws_launch_template.bastion_lt.block_device_mappings[0].device_name = '/dev/sdf')),
      address: 'aws_instance.bastion',
      message: /maps no root device/,
    },
    {
      what: 'an unencrypted EBS volume',
      fixture: () => broken((s) => (s.resource.aws_ebs_volume = { data: { availability_zone: `${REGION}a`, size: 8 } })),
      address: 'aws_ebs_volume.data',
    },
  ],
  'SSMB-EC2-003': [
    {
      what: 'public IP left to the subnet',
      fixture: () => broken((s) => delete s.resource.aws_instance.bastion.associate_public_ip_address),
      address: 'aws_instance.bastion',
    },
    {
      what: "a public IP from the launch template's network interface",
      fixture: () =>
        fromTemplate((s) => {
          const instance = s.resource.aws_instance.bastion;
          delete instance.subnet_id;
          delete instance.associate_public_ip_address;
          s.resource.aws_launch_template.bastion_lt.network_interfaces = [
            { device_index: 0, subnet_id: 'subnet-0123456789abcdef0', associate_public_ip_address: 'true' },
          ];
        }),
      address: 'aws_instance.bastion',
      message: /associate_public_ip_address is true \(from launch template aws_launch_template\.bastion_lt\)/,
    },
  ],
  'SSMB-EC2-004': [
    {
      what: 'a key pair',
      fixture: () => broken((s) => (s.resource.aws_instance.bastion.key_name = 'ops')),
      address: 'aws_instance.bastion',
    },
    {
      what: 'a key pair from the launch template',
      fixture: () => fromTemplate((s) => (s.resource.aws_launch_template.bastion_lt.key_name = 'ops')),
      address: 'aws_instance.bastion',
      message: /uses key pair ops \(from launch template aws_launch_template\.bastion_lt\)/,
    },
  ],
  'SSMB-EC2-005': [
    {
      what: 'an SSH ingress block',
      fixture: () =>
        broken(
          (s) =>
            (s.resource.aws_security_group.bastion_sg.ingress = [
              { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'] },
            ]),
        ),
      address: 'aws_security_group.bastion_sg',
    },
    {
      what: 'an ingress rule resource',
      fixture: () =>
        broken(
          (s) =>
            (s.resource.aws_vpc_security_group_ingress_rule = {
              ssh: {
                security_group_id: '${aws_security_group.bastion_sg.id}',
                from_port: 22,
                to_port: 22,
                ip_protocol: 'tcp',
                cidr_ipv4: '10.0.0.0/8',
              },
            }),
        ),
      address: 'aws_vpc_security_group_ingress_rule.ssh',
    },
  ],
  'SSMB-BACKEND-001': [
    { what: 'encrypt off', fixture: () => broken((s) => (s.terraform!.backend.s3.encrypt = false)), address: 'terraform.backend.s3' },
  ],
  'SSMB-BACKEND-002': [
    { what: 'no use_lockfile', fixture: () => broken((s) => delete s.terraform!.backend.s3.use_lockfile), address: 'terraform.backend.s3' },
  ],
  'SSMB-BACKEND-003': [
    {
      what: 'a DynamoDB lock table',
      fixture: () => broken((s) => (s.terraform!.backend.s3.dynamodb_table = 'tf-locks')),
      address: 'terraform.backend.s3',
    },
  ],
  'SSMB-BACKEND-004': [
    {
      what: 'two stacks on one state key',
      fixture: () => [compliantStack(), broken((s) => ((s['//'] as any).metadata.stackName = `prod-us-east-1`))],
      address: 'terraform.backend.s3',
      message: /shares s3:\/\/ssmb-tfstate-111111111111\/ssm-baseline\/111111111111\/ap-northeast-1\/terraform.tfstate with prod-/,
    },
  ],
  'SSMB-POL-001': [
    {
      what: 'an HCL jsonencode policy',
      fixture: () => broken((s) => (s.resource.aws_iam_role_policy.notifier_policy.policy = '${jsonencode({"Statement" = []})}')),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /Terraform expression/,
    },
    {
      what: 'malformed JSON',
      fixture: () => broken((s) => (s.resource.aws_iam_role_policy.notifier_policy.policy = '{"Version": "2012-10-17", "Statement": [')),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /not JSON/,
    },
  ],
  'SSMB-STATES-001': [
    {
      what: 'a partition formatted from three nested date splits in one field (13 calls)',
      fixture: () =>
        brokenMachine((d) => {
          const part = (i: number) =>
            `States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0), '-'), ${i})`;
          d.States.Start.Parameters['partition.$'] = `States.Format('year={}/month={}/day={}', ${part(0)}, ${part(1)}, ${part(2)})`;
        }),
      address: 'aws_sfn_state_machine.machine',
      message: /state Start field Parameters\.partition\.\$ holds 13 intrinsic function calls/,
    },
    {
      what: '11 calls in a field inside a Map iteration',
      fixture: () =>
        brokenMachine((d) => {
          const sum = Array.from({ length: 10 }).reduce<string>((acc) => `States.MathAdd(${acc}, 1)`, '$.n');
          d.States.EachInstance.ItemProcessor.States.Write.Parameters['Key.$'] = `States.Format('p/{}.json', ${sum})`;
        }),
      address: 'aws_sfn_state_machine.machine',
      message: /EachInstance\/Write field Parameters\.Key\.\$ holds 11/,
    },
  ],
  'SSMB-STATES-002': [
    {
      what: 'an SDK action the service does not have',
      fixture: () => brokenMachine((d) => (d.States.List.Resource = 'arn:aws:states:::aws-sdk:ec2:describeInstanzes')),
      address: 'aws_sfn_state_machine.machine',
      message: /calls ec2:describeInstanzes, which the service does not have/,
    },
    {
      what: 'an SDK service IAM does not know',
      fixture: () =>
        brokenMachine(
          (d) => (d.States.EachInstance.ItemProcessor.States.Describe.Resource = 'arn:aws:states:::aws-sdk:smm:describeInstancePatches'),
        ),
      address: 'aws_sfn_state_machine.machine',
      message: /service "smm"/,
    },
    {
      what: 'an optimized integration that is not documented',
      fixture: () => brokenMachine((d) => (d.States.Summary.Resource = 'arn:aws:states:::sns:publishBatch')),
      address: 'aws_sfn_state_machine.machine',
      message: /no SDK integration, documented optimized integration/,
    },
  ],
  'SSMB-STATES-003': [
    {
      what: 'a Task inside a Map iteration without a Catch',
      fixture: () => brokenMachine((d) => delete d.States.EachInstance.ItemProcessor.States.Describe.Catch),
      address: 'aws_sfn_state_machine.machine',
      message: /Task EachInstance\/Describe runs inside an iteration without a Catch/,
    },
    {
      what: 'a top-level Task without a Catch or a "Fails the run:" comment',
      fixture: () => brokenMachine((d) => delete d.States.List.Comment),
      address: 'aws_sfn_state_machine.machine',
      message: /Task List has no Catch/,
    },
    {
      what: 'a Map with an empty Catch',
      fixture: () => brokenMachine((d) => (d.States.EachInstance.Catch = [])),
      address: 'aws_sfn_state_machine.machine',
      message: /Map EachInstance has no Catch/,
    },
  ],
  'SSMB-STATES-004': [
    {
      what: 'DescribeInstancePatches without MaxResults',
      fixture: () => brokenMachine((d) => delete d.States.EachInstance.ItemProcessor.States.Describe.Parameters.MaxResults),
      address: 'aws_sfn_state_machine.machine',
      message: /EachInstance\/Describe \(ssm:describeInstancePatches\) sets no MaxResults/,
    },
    {
      what: 'DescribeInstances with MaxResults over the API maximum',
      fixture: () => brokenMachine((d) => (d.States.List.Parameters.MaxResults = 2000)),
      address: 'aws_sfn_state_machine.machine',
      message: /sets MaxResults 2000, outside 5-1000/,
    },
    {
      what: 'a definition without TimeoutSeconds',
      fixture: () => brokenMachine((d) => delete d.TimeoutSeconds),
      address: 'aws_sfn_state_machine.machine',
      message: /sets no TimeoutSeconds/,
    },
  ],
  'SSMB-POL-003': [
    {
      what: 'a role anyone can assume (Principal {"AWS": "*"})',
      fixture: () =>
        broken((s) =>
          statementsOf(s, 'notifier_trust').push({
            effect: 'Allow',
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'AWS', identifiers: ['*'] }],
          }),
        ),
      address: 'aws_iam_role.notifier',
      message: /allows sts:AssumeRole to anyone/,
    },
    {
      what: 'a public queue policy',
      fixture: () =>
        broken(
          (s) =>
            (s.resource.aws_sqs_queue_policy = {
              dlq_policy: {
                queue_url: '${aws_sqs_queue.dlq.id}',
                policy: JSON.stringify({
                  Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.dlq.arn}' }],
                }),
              },
            }),
        ),
      address: 'aws_sqs_queue_policy.dlq_policy',
    },
  ],
  'SSMB-POL-002': [
    {
      what: 'a suppression with a short reason',
      fixture: () =>
        broken(
          (s) => (s.resource.aws_iam_role_policy.notifier_policy['//'] = { ssmb_suppressions: [{ rule: 'SSMB-IAM-003', reason: 'ok' }] }),
        ),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /shorter than 10 characters/,
    },
    {
      what: 'a suppression of a rule that does not exist',
      fixture: () =>
        broken(
          (s) =>
            (s.resource.aws_iam_role_policy.notifier_policy['//'] = {
              ssmb_suppressions: [{ rule: 'SSMB-IAM-999', reason: 'a long enough reason' }],
            }),
        ),
      address: 'aws_iam_role_policy.notifier_policy',
      message: /does not exist/,
    },
  ],
};

describe('policy rules', () => {
  it('every rule has failing fixtures (and no fixture names a rule that does not exist)', () => {
    expect(Object.keys(FAILING).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it('rule ids are unique, and each rule file is named after the rule', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect(require(`../../policies/rules/${r.service}/${r.name}`)[r.name]).toBe(r);
  });

  it('Compliance: the compliant stack passes every rule', async () => {
    const report = await run(compliantStack());
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ findings: 0, unsuppressed: 0, rules: RULES.length });
  });

  describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    it.each(FAILING[id].map((f, i) => [`Noncompliance ${i + 1}: ${f.what}`, f] as const))('%s', async (_, f) => {
      const report = await run(f.fixture());
      const hits = report.findings.filter((x) => x.rule === id);
      expect(hits.map((h) => h.address)).toContain(f.address);
      const hit = hits.find((h) => h.address === f.address)!;
      if (f.message) expect(hit.message).toMatch(f.message);
      expect(hit).toMatchObject({ severity: rule.severity, fix: rule.fix });
      expect(hit.suppressed).toBeUndefined();
    });
  });
});

/**
 * Values a rule needs but cannot read (Terraform expressions naming no resource): the
 * rule reports "could not tell" (outcome unknown), never a pass.
 */
const UNKNOWN: Array<{ rule: string; what: string; fixture: () => TerraformJson; address: string; message: RegExp }> = [
  {
    rule: 'SSMB-IAM-001',
    what: 'an Allow of an action held in a variable',
    fixture: () =>
      broken((s) =>
        statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['${var.action}'], resources: ['${aws_s3_bucket.logs.arn}/*'] }),
      ),
    address: 'aws_iam_role_policy.notifier_policy',
    message: /\$\{var\.action\}.*may be a wildcard/,
  },
  {
    rule: 'SSMB-IAM-002',
    what: 'an action held in a variable',
    fixture: () =>
      broken((s) =>
        statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['${var.action}'], resources: ['${aws_s3_bucket.logs.arn}/*'] }),
      ),
    address: 'aws_iam_role_policy.notifier_policy',
    message: /"\$\{var\.action\}" is a Terraform expression/,
  },
  {
    rule: 'SSMB-IAM-004',
    what: 'a PassRole grant without a condition whose action is a variable',
    fixture: () =>
      broken((s) => {
        statementsOf(s, 'passer_doc')[0].actions = ['${var.pass}'];
        delete statementsOf(s, 'passer_doc')[0].condition;
      }),
    address: 'aws_iam_role_policy.passer_policy',
    message: /without an iam:PassedToService condition, if \$\{var\.pass\} \(known only at apply\) include iam:PassRole/,
  },
  {
    rule: 'SSMB-IAM-005',
    what: 'a Config trust whose aws:SourceAccount is a variable',
    fixture: () => broken((s) => (statementsOf(s, 'recorder_trust')[0].condition[0].values = ['${var.account_id}'])),
    address: 'aws_iam_role.recorder',
    message: /aws:SourceAccount = \$\{var\.account_id\}, known only at apply/,
  },
  {
    rule: 'SSMB-IAM-006',
    what: 'a policy ARN held in a variable',
    fixture: () => broken((s) => (s.resource.aws_iam_role_policy_attachment.instance_core.policy_arn = '${var.policy_arn}')),
    address: 'aws_iam_role_policy_attachment.instance_core',
    message: /may be an AWS-managed policy/,
  },
  {
    rule: 'SSMB-IAM-007',
    what: 'kms:Decrypt on a key ARN held in a variable',
    fixture: () => broken((s) => (statementsOf(s, 'notifier_doc')[3].resources = ['${var.key_arn}'])),
    address: 'aws_iam_role_policy.notifier_policy',
    message: /may be every key/,
  },
  {
    rule: 'SSMB-SNS-001',
    what: 'a topic key held in a variable',
    fixture: () => broken((s) => (s.resource.aws_sns_topic.topic.kms_master_key_id = '${var.key}')),
    address: 'aws_sns_topic.topic',
    message: /known only at apply/,
  },
  {
    rule: 'SSMB-SNS-002',
    what: 'an unconditioned EventBridge grant whose action is a variable',
    fixture: () =>
      broken((s) => {
        statementsOf(s, 'topic_policy_doc')[1].actions = ['${var.publish}'];
        delete statementsOf(s, 'topic_policy_doc')[1].condition;
      }),
    address: 'aws_sns_topic_policy.topic_policy',
    message: /include sns:Publish/,
  },
  {
    rule: 'SSMB-SNS-003',
    what: 'a publish grant to a principal held in a variable',
    fixture: () =>
      broken((s) =>
        statementsOf(s, 'topic_policy_doc').push({
          effect: 'Allow',
          actions: ['sns:Publish'],
          resources: [topicArn],
          principals: [{ type: 'AWS', identifiers: ['${var.who}'] }],
        }),
      ),
    address: 'aws_sns_topic_policy.topic_policy',
    message: /\$\{var\.who\}, known only at apply/,
  },
  {
    rule: 'SSMB-S3-007',
    what: 'a bucket grant to a principal held in a variable',
    fixture: () =>
      broken((s) =>
        statementsOf(s, 'logs_policy_doc').push({
          effect: 'Allow',
          actions: ['s3:GetObject'],
          resources: ['${aws_s3_bucket.logs.arn}/*'],
          principals: [{ type: 'AWS', identifiers: ['${var.who}'] }],
        }),
      ),
    address: 'aws_s3_bucket_policy.logs_policy',
    message: /it may be "\*"/,
  },
  {
    rule: 'SSMB-KMS-002',
    what: 'a key policy the checks cannot read',
    fixture: () => broken((s) => (s.resource.aws_kms_key.topic_key.policy = '${jsonencode({"Statement" = []})}')),
    address: 'aws_kms_key.topic_key',
    message: /key policy cannot be read/,
  },
  {
    rule: 'SSMB-KMS-003',
    what: 'a key grant to a principal held in a variable',
    fixture: () =>
      broken((s) =>
        statementsOf(s, 'topic_key_doc').push({
          effect: 'Allow',
          actions: ['kms:Decrypt'],
          resources: ['*'],
          principals: [{ type: 'AWS', identifiers: ['${var.who}'] }],
        }),
      ),
    address: 'aws_kms_key.topic_key',
    message: /without an account condition/,
  },
  {
    rule: 'SSMB-LAMBDA-001',
    what: 'a runtime held in a variable',
    fixture: () => broken((s) => (s.resource.aws_lambda_function.notifier.runtime = '${var.runtime}')),
    address: 'aws_lambda_function.notifier',
    message: /runtime \$\{var\.runtime\}, known only at apply/,
  },
  {
    rule: 'SSMB-LAMBDA-004',
    what: 'a permission for a principal held in a variable',
    fixture: () => broken((s) => (s.resource.aws_lambda_permission.notifier_allow_rule.principal = '${var.principal}')),
    address: 'aws_lambda_permission.notifier_allow_rule',
    message: /\$\{var\.principal\}, known only at apply/,
  },
  {
    rule: 'SSMB-EVENTS-002',
    what: 'a role on a target held in a variable',
    fixture: () =>
      broken((s) => {
        const t = s.resource.aws_cloudwatch_event_target.rule_target;
        t.arn = '${var.target_arn}';
        t.role_arn = '${aws_iam_role.notifier.arn}';
      }),
    address: 'aws_cloudwatch_event_target.rule_target',
    message: /may be an SNS topic or a Lambda function/,
  },
  {
    rule: 'SSMB-STATES-001',
    what: 'a definition held in a Terraform expression',
    fixture: () => broken((s) => (s.resource.aws_sfn_state_machine.machine.definition = '${templatefile("machine.json", {})}')),
    address: 'aws_sfn_state_machine.machine',
    message: /definition is a Terraform expression the checks cannot read/,
  },
  ...['SSMB-STATES-002', 'SSMB-STATES-003', 'SSMB-STATES-004'].map((rule) => ({
    rule,
    what: 'a definition held in a variable',
    fixture: () => broken((s) => (s.resource.aws_sfn_state_machine.machine.definition = '${var.definition}')),
    address: 'aws_sfn_state_machine.machine',
    message: /definition is a Terraform expression the checks cannot read: \$\{var\.definition\}/,
  })),
  {
    rule: 'SSMB-STATES-002',
    what: 'a Task resource held in a variable',
    fixture: () => brokenMachine((d) => (d.States.Summary.Resource = '${var.integration}')),
    address: 'aws_sfn_state_machine.machine',
    message: /Task Summary has Resource \$\{var\.integration\}, known only at apply/,
  },
  {
    rule: 'SSMB-STATES-004',
    what: 'a page size taken from the state',
    fixture: () =>
      brokenMachine((d) => {
        delete d.States.List.Parameters.MaxResults;
        d.States.List.Parameters['MaxResults.$'] = '$.pageSize';
      }),
    address: 'aws_sfn_state_machine.machine',
    message: /takes MaxResults from the state \(\$\.pageSize\), known only at run time/,
  },
];

describe.each(UNKNOWN.map((u) => [`${u.rule}: could not tell ${u.what}`, u] as const))('%s', (_, u) => {
  it('reports the finding as unknown, unsuppressed, and counts it in the summary', async () => {
    const report = await run(u.fixture());
    const hit = report.findings.find((f) => f.rule === u.rule && f.address === u.address && f.outcome === 'unknown');
    expect(hit).toBeDefined();
    expect(hit!.message).toMatch(u.message);
    expect(hit!.suppressed).toBeUndefined();
    expect(report.summary.unknown).toBeGreaterThanOrEqual(1);
    expect(report.summary.unsuppressed).toBeGreaterThanOrEqual(report.summary.unknown);
  });
});

describe('policy rules: references to resources are read structurally, not unknown', () => {
  it("a trust whose aws:SourceAccount is the caller identity's account id passes", async () => {
    const s = broken(
      (x) => (statementsOf(x, 'recorder_trust')[0].condition[0].values = ['${data.aws_caller_identity.current.account_id}']),
    );
    expect((await run(s)).findings).toEqual([]);
  });

  it('a statement whose expression actions sit beside a literal match is judged as covering', async () => {
    const s = broken((x) => {
      statementsOf(x, 'passer_doc')[0].actions.push('${var.more}');
      delete statementsOf(x, 'passer_doc')[0].condition;
    });
    const hits = (await run(s)).findings.filter((f) => f.rule === 'SSMB-IAM-004');
    expect(hits.map((f) => f.outcome)).toEqual(['non-compliant']);
  });

  it('an expression action that cannot matter (the statement is scoped anyway) is no finding', async () => {
    const s = broken((x) => (statementsOf(x, 'topic_policy_doc')[1].actions = ['${var.publish}']));
    expect((await run(s)).findings.filter((f) => f.rule === 'SSMB-SNS-002')).toEqual([]);
  });
});

describe('SupportedRuntime: warns ahead of the deprecation date, fails from it', () => {
  // nodejs22.x (the compliant stack's runtime) is deprecated on 2027-04-30.
  const at = async (day: string) => {
    const stack = stackFromSynth(compliantStack(), 'prod', 'fixture/cdk.tf.json');
    const report = await evaluate([stack], { now: new Date(`${day}T12:00:00Z`) });
    const pick = (list: Finding[]) => list.filter((f) => f.rule === 'SSMB-LAMBDA-001').map((f) => [f.outcome, f.message]);
    return { findings: pick(report.findings), warnings: pick(report.warnings), summary: report.summary };
  };

  it('Compliance: more than 180 days ahead, nothing', async () => {
    expect(await at('2026-10-31')).toMatchObject({ findings: [], warnings: [], summary: { warnings: 0 } });
  });

  it('within 180 days, a warning with the date that does not count as unsuppressed', async () => {
    const first = await at('2026-11-01');
    expect(first.warnings).toEqual([
      ['warning', 'uses runtime nodejs22.x, deprecated on 2027-04-30 (in 180 days); the rule fails from that date'],
    ]);
    const last = await at('2027-04-29');
    expect(last).toMatchObject({ findings: [], summary: { unsuppressed: 0, warnings: 1 } });
    expect(last.warnings[0][1]).toMatch(/\(in 1 days\)/);
  });

  it('Noncompliance: on and after the date, a failing finding', async () => {
    for (const day of ['2027-04-30', '2027-06-01']) {
      const { findings, warnings, summary } = await at(day);
      expect(findings).toEqual([['non-compliant', 'uses runtime nodejs22.x, deprecated since 2027-04-30']]);
      expect(warnings).toEqual([]);
      expect(summary).toMatchObject({ unsuppressed: 1, warnings: 0 });
    }
  });
});

describe('policy rules: accepted patterns', () => {
  const findingsOf = async (s: TerraformJson, rule: string) => (await run(s)).findings.filter((f) => f.rule === rule);

  it('Deny statements may use service:* (TLS-only denies)', async () => {
    // The compliant stack's bucket policy denies s3:* without TLS.
    expect(await findingsOf(compliantStack(), 'SSMB-IAM-001')).toEqual([]);
  });

  it('wildcard-only actions may use Resource "*", patterns of them too', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_doc').push({
        effect: 'Allow',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ssm:DescribeInstanceInformation'],
        resources: ['*'],
      }),
    );
    expect(await findingsOf(s, 'SSMB-IAM-003')).toEqual([]);
  });

  it('names the offending actions of a pattern that mixes scoped and wildcard-only actions', async () => {
    const s = broken((x) =>
      statementsOf(x, 'notifier_doc').push({ effect: 'Allow', actions: ['ssm:DescribeInstance*'], resources: ['*'] }),
    );
    const [f] = await findingsOf(s, 'SSMB-IAM-003');
    expect(f.message).toMatch(/ssm:DescribeInstance\* \(.*ssm:DescribeInstancePatches/);
  });

  it('kms:Decrypt on "*" inside a key policy means the key itself', async () => {
    expect(await findingsOf(compliantStack(), 'SSMB-IAM-007')).toEqual([]);
  });

  it("a key without a policy gets AWS's default policy, which delegates to the root", async () => {
    const s = broken((x) => delete x.resource.aws_kms_key.topic_key.policy);
    expect(await findingsOf(s, 'SSMB-KMS-002')).toEqual([]);
  });

  it('plain JSON policy strings are read like policy documents', async () => {
    const s = broken((x) => {
      x.resource.aws_iam_role_policy.notifier_policy.policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }],
      });
    });
    const [f] = await findingsOf(s, 'SSMB-IAM-003');
    expect(f.address).toBe('aws_iam_role_policy.notifier_policy');
  });

  it('source_policy_documents are merged into the document that uses them', async () => {
    const s = broken((x) => {
      x.data.aws_iam_policy_document.extra = {
        statement: [{ effect: 'Allow', actions: ['s3:*'], resources: ['${aws_s3_bucket.logs.arn}'] }],
      };
      x.data.aws_iam_policy_document.notifier_doc.source_policy_documents = ['${data.aws_iam_policy_document.extra.json}'];
    });
    expect((await findingsOf(s, 'SSMB-IAM-001')).map((f) => f.address)).toEqual(['aws_iam_role_policy.notifier_policy']);
  });

  it('an instance launched from a compliant launch template (by id or by name) passes the EC2 rules', async () => {
    const ec2 = async (s: TerraformJson) => (await run(s)).findings.filter((f) => f.rule.startsWith('SSMB-EC2'));
    expect(await ec2(fromTemplate())).toEqual([]);
    expect(
      await ec2(fromTemplate((s) => (s.resource.aws_instance.bastion.launch_template = { name: 'ssmb-bastion', version: '$Latest' }))),
    ).toEqual([]);
    // Settings on the instance override the template's, both ways.
    const overridden = await ec2(fromTemplate((s) => (s.resource.aws_instance.bastion.metadata_options = { http_tokens: 'optional' })));
    expect(overridden.map((f) => [f.rule, f.address])).toEqual([['SSMB-EC2-001', 'aws_instance.bastion']]);
    expect(
      await ec2(
        fromTemplate((s) => {
          s.resource.aws_launch_template.bastion_lt.block_device_mappings = [];
          s.resource.aws_instance.bastion.root_block_device = { encrypted: true };
        }),
      ),
    ).toEqual([]);
  });

  it('a launch template the stack does not declare gives the instance nothing', async () => {
    const s = fromTemplate((x) => (x.resource.aws_instance.bastion.launch_template = { id: 'lt-0123456789abcdef0' }));
    const hits = (await run(s)).findings.filter((f) => f.address === 'aws_instance.bastion').map((f) => f.rule);
    expect(hits.sort()).toEqual(['SSMB-EC2-001', 'SSMB-EC2-002']);
  });

  it("with a subnet on the instance, the template's network interface does not decide the public IP", async () => {
    const s = fromTemplate((x) => {
      delete x.resource.aws_instance.bastion.associate_public_ip_address;
      x.resource.aws_launch_template.bastion_lt.network_interfaces = [{ device_index: 0, associate_public_ip_address: 'false' }];
    });
    const [f] = (await run(s)).findings.filter((x) => x.rule === 'SSMB-EC2-003');
    expect(f).toMatchObject({ address: 'aws_instance.bastion', message: 'associate_public_ip_address is unset (the subnet decides)' });
  });

  it("local backends (the state-bucket bootstrap) are out of the backend rules' scope", async () => {
    const s = broken((x) => (x.terraform!.backend = { local: { path: 'bootstrap.tfstate' } }));
    const report = await run(s);
    expect(report.findings.filter((f) => f.rule.startsWith('SSMB-BACKEND'))).toEqual([]);
  });
});

describe('policy suppressions', () => {
  const withSuppression = (suppressions: unknown[]) =>
    broken((s) => {
      statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['s3:PutObject', 'ssm:DescribeInstancePatches'], resources: ['*'] });
      s.resource.aws_iam_role_policy.notifier_policy['//'] = {
        metadata: { path: 'prod/notifier/role-policy' },
        ssmb_suppressions: suppressions,
      };
    });

  it('a suppression with a reason covers the finding, which stays in the report and the summary', async () => {
    const report = await run(
      withSuppression([{ rule: 'SSMB-IAM-003', reason: 'accepted for the test: the bucket is created at run time' }]),
    );
    const hits = report.findings.filter((f) => f.rule === 'SSMB-IAM-003');
    expect(hits).toHaveLength(2);
    expect(hits.every((h) => h.suppressed?.reason === 'accepted for the test: the bucket is created at run time')).toBe(true);
    expect(hits[0].constructPath).toBe('prod/notifier/role-policy');
    expect(report.summary).toMatchObject({ findings: 2, suppressed: 2, unsuppressed: 0 });
  });

  it('appliesTo limits a suppression to the subjects it names', async () => {
    const report = await run(
      withSuppression([{ rule: 'SSMB-IAM-003', reason: 'PutObject prefix is chosen at run time', appliesTo: ['s3:PutObject'] }]),
    );
    const hits = report.findings.filter((f) => f.rule === 'SSMB-IAM-003');
    expect(hits.map((h) => [h.subject, !!h.suppressed])).toEqual(
      expect.arrayContaining([
        ['s3:PutObject', true],
        ['ssm:DescribeInstancePatches', false],
      ]),
    );
    expect(report.summary.unsuppressed).toBe(1);
  });

  it('a suppression without a reason suppresses nothing and is itself a finding', async () => {
    const report = await run(withSuppression([{ rule: 'SSMB-IAM-003', reason: '' }]));
    expect(report.findings.filter((f) => f.rule === 'SSMB-IAM-003' && !f.suppressed)).toHaveLength(2);
    expect(report.findings.filter((f) => f.rule === 'SSMB-POL-002').map((f) => f.message)).toEqual([
      'suppression 1 (SSMB-IAM-003) has no reason; it suppresses nothing',
    ]);
  });

  it('a rule marked suppressible: false reports through any suppression of it', async () => {
    const flagsPolicy: Rule = {
      id: 'TEST-UNSUPPRESSIBLE',
      name: 'FlagsPolicy',
      service: 'test',
      title: 'flags the notifier policy',
      severity: 'low',
      rationale: 'test rule',
      fix: 'none',
      suppressible: false,
      check: () => [{ address: 'aws_iam_role_policy.notifier_policy', message: 'flagged' }],
    };
    const s = broken(
      (x) =>
        (x.resource.aws_iam_role_policy.notifier_policy['//'] = {
          ssmb_suppressions: [{ rule: flagsPolicy.id, reason: 'suppressed for the test' }],
        }),
    );
    const stack = stackFromSynth(s, 'prod', 'fixture/cdk.tf.json');
    const [finding] = (await evaluate([stack], { rules: [flagsPolicy], now: NOW })).findings;
    expect(finding).toMatchObject({ rule: flagsPolicy.id, message: 'flagged' });
    expect(finding.suppressed).toBeUndefined();
    // The same rule, suppressible, is covered.
    const [covered] = (await evaluate([stack], { rules: [{ ...flagsPolicy, suppressible: undefined }], now: NOW })).findings;
    expect(covered.suppressed?.reason).toBe('suppressed for the test');
  });

  it('stack-level suppressions cover backend findings', async () => {
    const s = broken((x) => {
      x.terraform!.backend.s3.dynamodb_table = 'tf-locks';
      (x['//'] as any).ssmb_suppressions = [{ rule: 'SSMB-BACKEND-003', reason: 'migrating to use_lockfile next quarter' }];
    });
    const report = await run(s);
    expect(report.findings.filter((f) => f.rule === 'SSMB-BACKEND-003').map((f) => f.suppressed?.reason)).toEqual([
      'migrating to use_lockfile next quarter',
    ]);
  });
});

describe('state machine rules: accepted patterns', () => {
  const statesFindings = async (s: TerraformJson) => (await run(s)).findings.filter((f) => f.rule.startsWith('SSMB-STATES-'));

  it('counts nested intrinsic calls but not text inside quoted literals', () => {
    expect(intrinsicCalls("States.Format('States.Array(x) {}', States.ArrayGetItem(States.StringSplit($.a, '-'), 0))")).toBe(3);
    expect(intrinsicCalls("States.Format('it\\'s States.Hash( {}', $.a)")).toBe(1);
    expect(intrinsicCalls('$.States.Array')).toBe(0);
  });

  it('exactly 10 calls in a field pass', async () => {
    const s = brokenMachine((d) => {
      const sum = Array.from({ length: 9 }).reduce<string>((acc) => `States.MathAdd(${acc}, 1)`, '$.n');
      d.States.EachInstance.ItemProcessor.States.Write.Parameters['Key.$'] = `States.Format('p/{}.json', ${sum})`;
    });
    expect(await statesFindings(s)).toEqual([]);
  });

  it('Lambda function, activity and referenced Lambda ARNs, SDK actions whose IAM name differs, and .waitForTaskToken pass', async () => {
    const s = brokenMachine((d) => {
      d.States.Summary.Resource = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ssmb-notifier:live`;
      d.States.EachInstance.ItemProcessor.States.Write.Resource = '${aws_lambda_function.notifier.arn}';
      d.States.EachInstance.ItemProcessor.States.Describe.Resource = `arn:aws:states:${REGION}:${ACCOUNT}:activity:review`;
      d.States.List.Resource = 'arn:aws:states:::aws-sdk:s3:listObjectsV2';
      d.States.List.Parameters = { Bucket: 'b', MaxKeys: 1000 };
      d.States.Start = {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sfn:describeExecution.waitForTaskToken',
        Comment: 'Fails the run: test.',
        Next: 'List',
      };
    });
    expect(await statesFindings(s)).toEqual([]);
  });

  it('an SDK action in PascalCase is reported (Step Functions expects camelCase)', async () => {
    const s = brokenMachine((d) => (d.States.List.Resource = 'arn:aws:states:::aws-sdk:ec2:DescribeInstances'));
    expect((await statesFindings(s)).map((f) => f.message)).toEqual([expect.stringMatching(/camelCase/)]);
  });
});
