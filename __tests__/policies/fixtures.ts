// Hand-built synthesized stacks for the rule tests: `compliantStack()` holds one of
// everything the rules look at, built the way the platform's constructs build it, and
// passes every rule; each failing fixture is that stack with one thing broken.
// Building JSON directly keeps the rule tests fast (no synth per test).
import type { TerraformJson } from '../../policies/model';

export const ACCOUNT = '111111111111';
export const REGION = 'ap-northeast-1';

type Body = Record<string, any>;
type Group = Record<string, Record<string, Body>>;
export interface Part {
  resource?: Group;
  data?: Group;
}

const TLS_DENY = (resources: string[], actions = ['s3:*']) => ({
  sid: 'DenyInsecureTransport',
  effect: 'Deny',
  actions,
  resources,
  principals: [{ type: '*', identifiers: ['*'] }],
  condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
});

export const doc = (name: string, statement: Body[]): Part => ({ data: { aws_iam_policy_document: { [name]: { statement } } } });
export const docRef = (name: string) => `\${data.aws_iam_policy_document.${name}.json}`;

export function merge(...parts: Part[]): Part {
  const out: Required<Part> = { resource: {}, data: {} };
  for (const p of parts) {
    for (const key of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(p[key] ?? {})) out[key][type] = { ...(out[key][type] ?? {}), ...byName };
    }
  }
  return out;
}

/** A stack JSON with the platform's provider and S3 backend around the given parts. */
export function stackJson(part: Part, name = `prod-${REGION}`): TerraformJson {
  return {
    '//': { metadata: { stackName: name } },
    provider: { aws: [{ region: REGION, allowed_account_ids: [ACCOUNT] }] },
    terraform: {
      backend: {
        s3: {
          bucket: `ssmb-tfstate-${ACCOUNT}`,
          key: `ssm-baseline/${ACCOUNT}/${REGION}/terraform.tfstate`,
          region: REGION,
          encrypt: true,
          use_lockfile: true,
        },
      },
    },
    resource: part.resource ?? {},
    data: part.data ?? {},
  };
}

/** A SecureBucket: public access blocked, owner enforced, SSE, versioning, lifecycle, TLS-only policy. */
export function secureBucket(id: string, extraStatements: Body[] = []): Part {
  const ref = (attr: string) => `\${aws_s3_bucket.${id}.${attr}}`;
  return merge(
    {
      resource: {
        aws_s3_bucket: { [id]: { bucket: `ssmb-${ACCOUNT}-${REGION}-${id}`, force_destroy: false } },
        aws_s3_bucket_public_access_block: {
          [`${id}_pab`]: {
            bucket: ref('id'),
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
          },
        },
        aws_s3_bucket_ownership_controls: { [`${id}_ownership`]: { bucket: ref('id'), rule: { object_ownership: 'BucketOwnerEnforced' } } },
        aws_s3_bucket_server_side_encryption_configuration: {
          [`${id}_sse`]: { bucket: ref('id'), rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] },
        },
        aws_s3_bucket_versioning: { [`${id}_versioning`]: { bucket: ref('id'), versioning_configuration: { status: 'Enabled' } } },
        aws_s3_bucket_lifecycle_configuration: {
          [`${id}_lifecycle`]: {
            bucket: ref('id'),
            rule: [{ id: 'baseline-retention', status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 90 }] }],
          },
        },
        aws_s3_bucket_policy: { [`${id}_policy`]: { bucket: ref('id'), policy: docRef(`${id}_policy_doc`) } },
      },
    },
    doc(`${id}_policy_doc`, [TLS_DENY([ref('arn'), `${ref('arn')}/*`]), ...extraStatements]),
  );
}

/** A CustomerKey: rotation, root delegation, a grant for the publishing services. */
export function customerKey(id: string): Part {
  return merge(
    { resource: { aws_kms_key: { [id]: { enable_key_rotation: true, deletion_window_in_days: 30, policy: docRef(`${id}_doc`) } } } },
    doc(`${id}_doc`, [
      {
        sid: 'EnableIamPolicies',
        effect: 'Allow',
        actions: ['kms:*'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }],
      },
      {
        sid: 'AllowServicePublishersToEncrypt',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      },
    ]),
  );
}

/** A NotificationTopic with one EventBridge rule publishing to it (retry + DLQ, no role). */
export function notificationTopic(): Part {
  const topic = '${aws_sns_topic.topic.arn}';
  return merge(
    customerKey('topic_key'),
    {
      resource: {
        aws_sns_topic: { topic: { name: 'ssmb-notifications', kms_master_key_id: '${aws_kms_key.topic_key.arn}' } },
        aws_sns_topic_policy: { topic_policy: { arn: topic, policy: docRef('topic_policy_doc') } },
        aws_sqs_queue: { dlq: { name: 'ssmb-dead-letters', sqs_managed_sse_enabled: true } },
        aws_cloudwatch_event_rule: { rule: { name: 'ssmb-probe', event_pattern: '{"source":["aws.ssm"]}' } },
        aws_cloudwatch_event_target: {
          rule_target: {
            rule: '${aws_cloudwatch_event_rule.rule.name}',
            arn: topic,
            retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
            dead_letter_config: { arn: '${aws_sqs_queue.dlq.arn}' },
          },
        },
      },
    },
    doc('topic_policy_doc', [
      TLS_DENY([topic], ['sns:Publish']),
      {
        sid: 'AllowEventBridgeRules',
        effect: 'Allow',
        actions: ['sns:Publish'],
        resources: [topic],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: ['${aws_cloudwatch_event_rule.rule.arn}'] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
        ],
      },
    ]),
  );
}

/** A role trusted by `service`, with one inline policy. */
export function role(id: string, service: string, statements: Body[], trustConditions: Body[] = []): Part {
  return merge(
    {
      resource: {
        aws_iam_role: { [id]: { name: `ssmb-${id}-${REGION}`, assume_role_policy: docRef(`${id}_trust`) } },
        aws_iam_role_policy: { [`${id}_policy`]: { name: id, role: `\${aws_iam_role.${id}.id}`, policy: docRef(`${id}_doc`) } },
      },
    },
    doc(`${id}_trust`, [
      {
        sid: 'TrustService',
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
        ...(trustConditions.length ? { condition: trustConditions } : {}),
      },
    ]),
    doc(`${id}_doc`, statements),
  );
}

/** A NotifierFunction: log group with retention, role, nodejs22.x, async failures to the DLQ, permission for the rule. */
export function notifierFunction(): Part {
  return merge(
    role('notifier', 'lambda.amazonaws.com', [
      {
        sid: 'WriteOwnLogs',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: ['${aws_cloudwatch_log_group.notifier_logs.arn}:log-stream:*'],
      },
      { sid: 'SendDeadLetters', effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.dlq.arn}'] },
      { sid: 'PublishNotifications', effect: 'Allow', actions: ['sns:Publish'], resources: ['${aws_sns_topic.topic.arn}'] },
      {
        sid: 'EncryptNotifications',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['${aws_kms_key.topic_key.arn}'],
      },
      {
        sid: 'DescribeInstances',
        effect: 'Allow',
        actions: ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation'],
        resources: ['*'],
      },
    ]),
    {
      resource: {
        aws_cloudwatch_log_group: { notifier_logs: { name: '/aws/lambda/ssmb-notifier', retention_in_days: 365 } },
        aws_lambda_function: {
          notifier: {
            function_name: 'ssmb-notifier',
            role: '${aws_iam_role.notifier.arn}',
            runtime: 'nodejs22.x',
            handler: 'index.handler',
            filename: 'code.zip',
            logging_config: { log_format: 'JSON', log_group: '${aws_cloudwatch_log_group.notifier_logs.name}' },
          },
        },
        aws_lambda_function_event_invoke_config: {
          notifier_async: {
            function_name: '${aws_lambda_function.notifier.function_name}',
            maximum_retry_attempts: 2,
            destination_config: { on_failure: { destination: '${aws_sqs_queue.dlq.arn}' } },
          },
        },
        aws_lambda_permission: {
          notifier_allow_rule: {
            statement_id: 'AllowEventBridge-rule',
            action: 'lambda:InvokeFunction',
            function_name: '${aws_lambda_function.notifier.function_name}',
            principal: 'events.amazonaws.com',
            source_arn: '${aws_cloudwatch_event_rule.rule.arn}',
          },
        },
      },
    },
  );
}

/** A managed-instance role with the allowlisted AWS-managed policy. */
export function instanceRole(): Part {
  return merge(
    role('instance', 'ec2.amazonaws.com', [
      { sid: 'WriteLogs', effect: 'Allow', actions: ['s3:PutObject'], resources: ['${aws_s3_bucket.logs.arn}/sessions/*'] },
    ]),
    {
      resource: {
        aws_iam_role_policy_attachment: {
          instance_core: { role: '${aws_iam_role.instance.name}', policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' },
        },
      },
    },
  );
}

/** A Scheduler role scoped to its schedule group, and a Step Functions role scoped to its state machine. */
export function schedulerRoles(): Part {
  const account = { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] };
  return merge(
    { resource: { aws_scheduler_schedule_group: { group: { name: 'ssmb-patch-history' } } } },
    role(
      'scheduler',
      'scheduler.amazonaws.com',
      [
        {
          sid: 'Start',
          effect: 'Allow',
          actions: ['states:StartExecution'],
          resources: [`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ssmb-patch-history`],
        },
      ],
      [account, { test: 'ArnEquals', variable: 'aws:SourceArn', values: ['${aws_scheduler_schedule_group.group.arn}'] }],
    ),
    role(
      'machine',
      'states.amazonaws.com',
      [
        {
          sid: 'Patches',
          effect: 'Allow',
          actions: ['ssm:DescribeInstancePatches'],
          resources: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`],
        },
      ],
      [
        account,
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ssmb-patch-history`] },
      ],
    ),
    role(
      'recorder',
      'config.amazonaws.com',
      [{ sid: 'Deliver', effect: 'Allow', actions: ['s3:PutObject'], resources: ['${aws_s3_bucket.logs.arn}/config/*'] }],
      [account],
    ),
    role('passer', 'lambda.amazonaws.com', [
      {
        sid: 'PassMachineRole',
        effect: 'Allow',
        actions: ['iam:PassRole'],
        resources: ['${aws_iam_role.machine.arn}'],
        condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['states.amazonaws.com'] }],
      },
    ]),
  );
}

/** A bastion: IMDSv2, encrypted root volume, no public IP, no key pair, egress-only security group. */
export function bastion(): Part {
  return {
    resource: {
      aws_security_group: {
        bastion_sg: {
          name: 'ssmb-bastion',
          vpc_id: 'vpc-0123456789abcdef0',
          egress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }],
        },
      },
      aws_instance: {
        bastion: {
          ami: 'ami-0123456789abcdef0',
          instance_type: 't3.micro',
          subnet_id: 'subnet-0123456789abcdef0',
          associate_public_ip_address: false,
          vpc_security_group_ids: ['${aws_security_group.bastion_sg.id}'],
          metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
          root_block_device: { encrypted: true, volume_type: 'gp3' },
        },
      },
      aws_cloudwatch_log_group: {
        sessions: { name: '/ssmb/sessions', retention_in_days: 365, kms_key_id: '${aws_kms_key.topic_key.arn}' },
      },
      aws_ssm_document: {
        session_prefs: {
          name: 'SSM-SessionManagerRunShell',
          document_type: 'Session',
          content: JSON.stringify({
            schemaVersion: '1.0',
            sessionType: 'Standard_Stream',
            inputs: { cloudWatchLogGroupName: '${aws_cloudwatch_log_group.sessions.name}' },
          }),
        },
      },
    },
  };
}

/**
 * A state machine definition as the patch-history machine builds it, small: a listing
 * that fails the run on purpose, a Map whose every Task catches, a summary write.
 */
export function machineDefinition(): Body {
  const sdk = (service: string, action: string) => `arn:aws:states:::aws-sdk:${service}:${action}`;
  return {
    StartAt: 'Start',
    TimeoutSeconds: 21600,
    States: {
      Start: {
        Type: 'Pass',
        Parameters: {
          'date.$': "States.StringSplit(States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0), '-')",
        },
        Next: 'List',
      },
      List: {
        Type: 'Task',
        Comment: 'Fails the run: without the list, an empty snapshot would read as a compliant fleet.',
        Resource: sdk('ec2', 'describeInstances'),
        Parameters: { MaxResults: 20 },
        ResultPath: '$.listing',
        Next: 'EachInstance',
      },
      EachInstance: {
        Type: 'Map',
        ItemsPath: '$.listing.Reservations[0].Instances',
        MaxConcurrency: 4,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Describe',
          States: {
            Describe: {
              Type: 'Task',
              Resource: sdk('ssm', 'describeInstancePatches'),
              Parameters: { 'InstanceId.$': '$.InstanceId', MaxResults: 100 },
              Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
              Next: 'Write',
            },
            Write: {
              Type: 'Task',
              Resource: sdk('s3', 'putObject'),
              Parameters: {
                Bucket: 'ssmb-111111111111-ap-northeast-1-patch-history',
                'Key.$': "States.Format('p/{}.json', $.InstanceId)",
                'Body.$': '$',
              },
              Catch: [{ ErrorEquals: ['S3.S3Exception'], ResultPath: '$.error', Next: 'Failed' }],
              End: true,
            },
            Failed: { Type: 'Pass', End: true },
          },
        },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Summary' }],
        Next: 'Summary',
      },
      Summary: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sns:publish',
        Parameters: { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ssmb-notifications`, Message: 'done' },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
}

/** A Standard state machine running `machineDefinition()` with the machine role. */
export function stateMachine(): Part {
  return {
    resource: {
      aws_sfn_state_machine: {
        machine: {
          name: 'ssmb-patch-history',
          type: 'STANDARD',
          role_arn: '${aws_iam_role.machine.arn}',
          definition: JSON.stringify(machineDefinition(), null, 2),
        },
      },
    },
  };
}

/** The compliant stack with the state machine's definition changed by `mutate`. */
export function brokenMachine(mutate: (definition: Body) => void): TerraformJson {
  return broken((s) => {
    const definition = machineDefinition();
    mutate(definition);
    s.resource.aws_sfn_state_machine.machine.definition = JSON.stringify(definition);
  });
}

/** One of everything, compliant with every rule. */
export function compliantPart(): Part {
  return merge(secureBucket('logs'), notificationTopic(), notifierFunction(), instanceRole(), schedulerRoles(), bastion(), stateMachine());
}

export const compliantStack = () => stackJson(compliantPart());

/** The compliant stack with `mutate` applied to a deep copy. */
export function broken(mutate: (s: TerraformJson & { resource: Group; data: Group }) => void): TerraformJson {
  const s = JSON.parse(JSON.stringify(compliantStack()));
  mutate(s);
  return s;
}

/** Statements of a policy document of a fixture. */
export const statementsOf = (s: { data: Group }, name: string): Body[] => s.data.aws_iam_policy_document[name].statement;
