import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { PolicyDocument, type PolicyStatement, denyInsecureTransport, serviceTrust } from '../../stacks';

const ACCOUNT = '111111111111';
const BUCKET_ARN = 'arn:aws:s3:::ssm-baseline-inventory-111111111111';

function synthDocument(statements: PolicyStatement[], after?: (d: PolicyDocument) => void) {
  let doc!: PolicyDocument;
  const synth = Testing.synthScope((scope) => {
    doc = new PolicyDocument(scope, 'inventory-bucket', statements);
    after?.(doc);
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: doc, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, doc, ref };
}

describe('PolicyDocument', () => {
  test('renders every statement field in aws_iam_policy_document terms, Allow by default', () => {
    const { synth } = synthDocument([
      {
        sid: 'ResourceDataSync',
        actions: ['s3:PutObject'],
        resources: [`${BUCKET_ARN}/inventory/*`],
        principals: [{ type: 'Service', identifiers: ['ssm.amazonaws.com'] }],
        conditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
      },
      {
        sid: 'DenyOthers',
        effect: 'Deny',
        notActions: ['s3:GetObject'],
        notResources: [`${BUCKET_ARN}/public/*`],
        principals: [{ type: '*', identifiers: ['*'] }],
      },
    ]);
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'ResourceDataSync',
          effect: 'Allow',
          actions: ['s3:PutObject'],
          resources: [`${BUCKET_ARN}/inventory/*`],
          principals: [{ type: 'Service', identifiers: ['ssm.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
        },
        {
          sid: 'DenyOthers',
          effect: 'Deny',
          not_actions: ['s3:GetObject'],
          not_resources: [`${BUCKET_ARN}/public/*`],
          principals: [{ type: '*', identifiers: ['*'] }],
        },
      ],
    });
  });

  test('statements added or produced after construction are rendered at synth', () => {
    const publishers: string[] = [];
    const { synth } = synthDocument([denyInsecureTransport(['s3:*'], [BUCKET_ARN])], (d) => {
      d.addStatements({ sid: 'ReadInventory', actions: ['s3:GetObject'], resources: [`${BUCKET_ARN}/*`] });
      d.addStatementProducer(() =>
        publishers.length ? [{ sid: 'Publishers', actions: ['s3:PutObject'], resources: [...publishers] }] : [],
      );
      d.addStatementProducer(() => []);
      publishers.push(`${BUCKET_ARN}/inventory/*`);
    });
    // An empty producer adds nothing: `statement` is compared whole.
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        expect.objectContaining({ sid: 'DenyInsecureTransport' }),
        { sid: 'ReadInventory', effect: 'Allow', actions: ['s3:GetObject'], resources: [`${BUCKET_ARN}/*`] },
        { sid: 'Publishers', effect: 'Allow', actions: ['s3:PutObject'], resources: [`${BUCKET_ARN}/inventory/*`] },
      ],
    });
  });

  test('json is the document Terraform renders, for a policy argument', () => {
    const { synth, doc, ref } = synthDocument([{ actions: ['s3:GetObject'], resources: [`${BUCKET_ARN}/*`] }]);
    const [name] = Object.keys(JSON.parse(synth).data.aws_iam_policy_document);
    expect(ref(doc.json)).toBe(`\${data.aws_iam_policy_document.${name}.json}`);
  });
});

describe('serviceTrust', () => {
  test('lets one service assume the role', () => {
    expect(serviceTrust('lambda.amazonaws.com')).toEqual({
      sid: 'TrustService',
      actions: ['sts:AssumeRole'],
      principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
    });
  });

  test('carries confused-deputy conditions when given', () => {
    const { synth } = synthDocument([
      serviceTrust('scheduler.amazonaws.com', [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }]),
    ]);
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'TrustService',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['scheduler.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
        },
      ],
    });
  });
});

describe('denyInsecureTransport', () => {
  test('denies everyone the given actions on the given resources when TLS is not used', () => {
    const { synth } = synthDocument([denyInsecureTransport(['s3:*'], [BUCKET_ARN, `${BUCKET_ARN}/*`])]);
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          actions: ['s3:*'],
          resources: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          principals: [{ type: '*', identifiers: ['*'] }],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
    expect(synth).not.toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [expect.objectContaining({ effect: 'Allow' })],
    });
  });
});
