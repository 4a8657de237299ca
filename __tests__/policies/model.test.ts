import { expressionValues, isExpression, mergeKnown, references, stackFromPlan, stackFromSynth } from '../../policies/model';
import { renderPolicyDocument } from '../../policies/document';
import { evaluate } from '../../policies/engine';
import { TlsOnly } from '../../policies/rules/s3/TlsOnly';
import { allowsCovering } from '../../policies/statements';
import { broken, compliantStack, statementsOf } from './fixtures';

describe('policy model: references', () => {
  it('finds resource and data references, skipping $${...} escapes (IAM policy variables)', () => {
    expect(references('${aws_s3_bucket.logs.arn}/sessions/$${aws:username}/*')).toEqual([
      { mode: 'managed', type: 'aws_s3_bucket', name: 'logs', attribute: 'arn' },
    ]);
    expect(references('${data.aws_iam_policy_document.d.json}')).toEqual([
      { mode: 'data', type: 'aws_iam_policy_document', name: 'd', attribute: 'json' },
    ]);
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
            principals: [
              { type: 'AWS', identifiers: ['arn:aws:iam::1:root'] },
              { type: 'AWS', identifiers: ['arn:aws:iam::2:root'] },
            ],
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
          {
            address: 'aws_sqs_queue.q',
            mode: 'managed',
            type: 'aws_sqs_queue',
            name: 'q',
            values: { name: 'dlq', sqs_managed_sse_enabled: true },
          },
          { address: 'aws_sqs_queue_policy.p', mode: 'managed', type: 'aws_sqs_queue_policy', name: 'p' },
          {
            address: 'aws_iam_role.r',
            mode: 'managed',
            type: 'aws_iam_role',
            name: 'r',
            values: {
              name: 'role',
              assume_role_policy:
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
            },
          },
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
          after: {
            statement: [
              {
                actions: ['sqs:*'],
                effect: 'Deny',
                principals: [{ identifiers: ['*'], type: '*' }],
                resources: [null],
                condition: [{ test: 'Bool', values: ['false'], variable: 'aws:SecureTransport' }],
              },
            ],
          },
        },
      },
    ],
    configuration: {
      provider_config: { aws: { expressions: { region: { constant_value: 'eu-west-1' } } } },
      root_module: {
        resources: [
          {
            address: 'aws_sqs_queue_policy.p',
            expressions: {
              policy: { constant_value: '${data.aws_iam_policy_document.d.json}', references: ['data.aws_iam_policy_document.d.json'] },
              queue_url: { references: ['aws_sqs_queue.q.url', 'aws_sqs_queue.q'] },
            },
          },
          {
            address: 'data.aws_iam_policy_document.d',
            expressions: {
              statement: [
                {
                  actions: { constant_value: ['sqs:*'] },
                  resources: { constant_value: ['${aws_sqs_queue.q.arn}'], references: ['aws_sqs_queue.q.arn'] },
                },
              ],
            },
          },
        ],
      },
    },
  };

  it('turns configuration expressions into values and lets known planned values win', () => {
    expect(
      expressionValues({ a: { constant_value: 1 }, b: { references: ['aws_x.y.id', 'aws_x.y'] }, blk: [{ c: { constant_value: 'v' } }] }),
    ).toEqual({
      a: 1,
      b: '${aws_x.y.id}',
      blk: [{ c: 'v' }],
    });
    expect(mergeKnown({ r: ['${aws_q.q.arn}'], k: 'cfg' }, { r: [null], k: 'planned' })).toEqual({ r: ['${aws_q.q.arn}'], k: 'planned' });
    // cdk.tf.json writes a single block as an object; the plan lists it.
    expect(mergeKnown({ rule: { a: '${aws_q.q.arn}' } }, { rule: [{ a: null, b: 1 }] })).toEqual({ rule: [{ a: '${aws_q.q.arn}', b: 1 }] });
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

describe('policy model: plans keep what an unknown value is (a bucket, or its objects)', () => {
  /**
   * The plan Terraform writes for a stack before anything exists: every value holding a
   * reference is unknown (null), documents built from them are read at apply, and, as
   * for an HCL configuration, the expressions record only the references, never the
   * text around them (`${aws_s3_bucket.logs.arn}/*` reads like `${aws_s3_bucket.logs.arn}`).
   */
  function freshPlan(synth: any) {
    const hasRef = (v: unknown) => JSON.stringify(v).includes('${');
    const unknown = (v: any): any =>
      Array.isArray(v)
        ? v.map(unknown)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknown(x)]))
          : typeof v === 'string' && v.includes('${')
            ? null
            : v;
    const expressions = (v: any): any =>
      Array.isArray(v) && v.every((x) => x && typeof x === 'object')
        ? v.map(expressions)
        : v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(
              Object.entries(v).map(([k, x]) => [
                k,
                x && typeof x === 'object' && !Array.isArray(x)
                  ? [expressions(x)]
                  : Array.isArray(x) && x.every((y) => y && typeof y === 'object')
                    ? x.map(expressions)
                    : hasRef(x)
                      ? { references: [...JSON.stringify(x).matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]) }
                      : { constant_value: x },
              ]),
            )
          : v;
    const resources: any[] = [];
    const changes: any[] = [];
    const config: any[] = [];
    for (const mode of ['managed', 'data'] as const) {
      for (const [type, byName] of Object.entries<any>((mode === 'managed' ? synth.resource : synth.data) ?? {})) {
        for (const [name, body] of Object.entries<any>(byName)) {
          const address = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
          config.push({ address, expressions: expressions(body) });
          if (mode === 'data' && hasRef(body))
            changes.push({ address, mode, type, name, change: { actions: ['read'], after: unknown(body) } });
          else resources.push({ address, mode, type, name, values: unknown(body) });
          if (mode === 'managed') changes.push({ address, mode, type, name, change: { actions: ['create'], after: unknown(body) } });
        }
      }
    }
    return {
      format_version: '1.2',
      planned_values: { root_module: { resources } },
      resource_changes: changes,
      configuration: { root_module: { resources: config } },
    };
  }
  const tlsFindings = async (synth: any) => {
    const report = await evaluate([stackFromPlan(freshPlan(synth) as any, 'plan-stack', 'plan.json', synth)], { rules: [TlsOnly] });
    return report.findings.filter((f) => f.rule === TlsOnly.id).map((f) => f.address);
  };

  it('reads an unknown value from the cdk.tf.json beside the plan, so "<bucket ARN>/*" stays the objects', async () => {
    const synth = compliantStack();
    const stack = stackFromPlan(freshPlan(synth) as any, 'plan-stack', 'plan.json', synth);
    const policy = stack.policies().uses.find((u) => u.resource.address === 'aws_s3_bucket_policy.logs_policy')!;
    expect(policy.statements[0].resources).toEqual(['${aws_s3_bucket.logs.arn}', '${aws_s3_bucket.logs.arn}/*']);
    // Known values still come from the plan.
    expect(stack.get('aws_s3_bucket', 'logs')!.values.bucket).toBe(synth.resource!.aws_s3_bucket.logs.bucket);
  });

  it('a TLS-only deny on the bucket and its objects passes; one on the bucket alone fails, as on the synthesized JSON', async () => {
    expect(await tlsFindings(compliantStack())).toEqual([]);
    const bucketOnly = broken((s) => (statementsOf(s, 'logs_policy_doc')[0].resources = ['${aws_s3_bucket.logs.arn}']));
    const objectsOnly = broken((s) => (statementsOf(s, 'logs_policy_doc')[0].resources = ['${aws_s3_bucket.logs.arn}/*']));
    expect(await tlsFindings(bucketOnly)).toEqual(['aws_s3_bucket.logs']);
    expect(await tlsFindings(objectsOnly)).toEqual(['aws_s3_bucket.logs']);
  });
});

describe('policy statements: allowsCovering', () => {
  it('yields the Allow statements whose Action or NotAction covers the action, with their position', () => {
    const stack = stackFromSynth(
      broken((s) => {
        statementsOf(s, 'notifier_doc').push(
          { effect: 'Deny', actions: ['sns:*'], resources: ['*'] },
          { effect: 'Allow', not_actions: ['iam:*'], resources: ['*'] },
          { effect: 'Allow', not_actions: ['sns:*'], resources: ['*'] },
        );
      }),
      'prod',
      'fixture/cdk.tf.json',
    );
    const notifier = stack.policies().uses.filter((u) => u.resource.address === 'aws_iam_role_policy.notifier_policy');
    // #3 names sns:Publish, #7 allows everything but iam:*, #8 everything but sns:*; the Deny (#6) allows nothing.
    expect(allowsCovering(notifier, 'sns:Publish').map((at) => [at.use.attribute, at.index + 1])).toEqual([
      ['policy', 3],
      ['policy', 7],
    ]);
    expect(allowsCovering(notifier, 'iam:PassRole').map((at) => at.index + 1)).toEqual([8]);
  });
});
