import { expressionValues, isExpression, mergeKnown, references, stackFromPlan, stackFromSynth } from '../../policies/model';
import { renderPolicyDocument } from '../../policies/document';
import { compliantStack } from './fixtures';

describe('policy model: references', () => {
  it('finds resource and data references, skipping $${...} escapes (IAM policy variables)', () => {
    expect(references('${aws_s3_bucket.logs.arn}/sessions/$${aws:username}/*')).toEqual([{ mode: 'managed', type: 'aws_s3_bucket', name: 'logs', attribute: 'arn' }]);
    expect(references('${data.aws_iam_policy_document.d.json}')).toEqual([{ mode: 'data', type: 'aws_iam_policy_document', name: 'd', attribute: 'json' }]);
    expect(isExpression('arn:aws:ssm:*:*:session/$${aws:username}-*')).toBe(false);
    expect(isExpression('arn:aws:ssm:*:*:session/${aws:username}-*')).toBe(false);
    expect(isExpression('${aws_sqs_queue.q.arn}')).toBe(true);
    expect(isExpression('${jsonencode({})}')).toBe(true);
  });
});

describe('policy model: aws_iam_policy_document rendering', () => {
  it('renders principals, conditions and merges override documents by Sid', () => {
    const policy = renderPolicyDocument(
      {
        statement: [
          { sid: 'A', actions: ['s3:GetObject'], resources: ['*'], principals: [{ type: '*', identifiers: ['*'] }] },
          {
            sid: 'B',
            effect: 'Deny',
            actions: ['s3:*'],
            principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::1:root'] }, { type: 'AWS', identifiers: ['arn:aws:iam::2:root'] }],
            condition: [
              { test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] },
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['1'] },
            ],
          },
        ],
        override_policy_documents: ['override'],
      },
      () => ({ Statement: [{ Sid: 'A', Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] }),
    );
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
        {
          Sid: 'B',
          Effect: 'Deny',
          Action: ['s3:*'],
          Principal: { AWS: ['arn:aws:iam::1:root', 'arn:aws:iam::2:root'] },
          Condition: { Bool: { 'aws:SecureTransport': ['false'] }, StringEquals: { 'aws:SourceAccount': ['1'] } },
        },
      ],
    });
  });
});

describe('policy model: plans', () => {
  // The shape `terraform show -json` gives a fresh plan: a policy document deferred to
  // apply (unknown parts null), a resource whose policy is unknown, a known role.
  const plan = {
    format_version: '1.2',
    planned_values: {
      root_module: {
        resources: [
          { address: 'aws_sqs_queue.q', mode: 'managed', type: 'aws_sqs_queue', name: 'q', values: { name: 'dlq', sqs_managed_sse_enabled: true } },
          { address: 'aws_sqs_queue_policy.p', mode: 'managed', type: 'aws_sqs_queue_policy', name: 'p' },
          { address: 'aws_iam_role.r', mode: 'managed', type: 'aws_iam_role', name: 'r', values: { name: 'role', assume_role_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' } },
        ],
      },
    },
    resource_changes: [
      {
        address: 'data.aws_iam_policy_document.d',
        mode: 'data',
        type: 'aws_iam_policy_document',
        name: 'd',
        change: {
          actions: ['read'],
          after: { statement: [{ actions: ['sqs:*'], effect: 'Deny', principals: [{ identifiers: ['*'], type: '*' }], resources: [null], condition: [{ test: 'Bool', values: ['false'], variable: 'aws:SecureTransport' }] }] },
        },
      },
    ],
    configuration: {
      provider_config: { aws: { expressions: { region: { constant_value: 'eu-west-1' } } } },
      root_module: {
        resources: [
          { address: 'aws_sqs_queue_policy.p', expressions: { policy: { constant_value: '${data.aws_iam_policy_document.d.json}', references: ['data.aws_iam_policy_document.d.json'] }, queue_url: { references: ['aws_sqs_queue.q.url', 'aws_sqs_queue.q'] } } },
          {
            address: 'data.aws_iam_policy_document.d',
            expressions: { statement: [{ actions: { constant_value: ['sqs:*'] }, resources: { constant_value: ['${aws_sqs_queue.q.arn}'], references: ['aws_sqs_queue.q.arn'] } }] },
          },
        ],
      },
    },
  };

  it('turns configuration expressions into values and lets known planned values win', () => {
    expect(expressionValues({ a: { constant_value: 1 }, b: { references: ['aws_x.y.id', 'aws_x.y'] }, blk: [{ c: { constant_value: 'v' } }] })).toEqual({
      a: 1,
      b: '${aws_x.y.id}',
      blk: [{ c: 'v' }],
    });
    expect(mergeKnown({ r: ['${aws_q.q.arn}'], k: 'cfg' }, { r: [null], k: 'planned' })).toEqual({ r: ['${aws_q.q.arn}'], k: 'planned' });
  });

  it('reads policies whose value is known only at apply through the deferred data source', () => {
    const stack = stackFromPlan(plan as any, 'plan-stack', 'plan.json');
    const { uses, errors } = stack.policies();
    expect(errors).toEqual([]);
    const queuePolicy = uses.find((u) => u.resource.address === 'aws_sqs_queue_policy.p')!;
    expect(queuePolicy.statements[0]).toMatchObject({ effect: 'Deny', actions: ['sqs:*'], resources: ['${aws_sqs_queue.q.arn}'] });
    expect(stack.refersTo(stack.get('aws_sqs_queue_policy', 'p')!.values.queue_url, stack.get('aws_sqs_queue', 'q')!)).toBe(true);
    expect(uses.find((u) => u.resource.address === 'aws_iam_role.r')?.kind).toBe('trust');
    expect(stack.region).toBe('eu-west-1');
    expect(stack.backend).toBeUndefined();
  });

  it('takes backend, account and suppressions from the cdk.tf.json beside the plan', () => {
    const synth = compliantStack();
    const stack = stackFromPlan(plan as any, 'plan-stack', 'plan.json', synth);
    expect(stack.backend?.type).toBe('s3');
    expect(stack.accountId).toBe(stackFromSynth(synth, 'x', 'y').accountId);
  });

  it('refuses what is not a plan', () => {
    expect(() => stackFromPlan({} as any, 'x', 'x.json')).toThrow(/not a terraform plan/);
  });
});
