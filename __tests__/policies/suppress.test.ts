import { S3Backend, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { evaluate } from '../../policies/engine';
import { TerraformJson, stackFromSynth } from '../../policies/model';
import { suppress } from '../../policies/suppress';

// suppress() is what constructs call; this proves the JSON it writes is what the engine reads.
describe('suppress(): suppressions written in code', () => {
  let json: TerraformJson;
  beforeAll(() => {
    const stack = new TerraformStack(Testing.app(), 'suppress-test');
    new AwsProvider(stack, 'aws', { region: 'ap-northeast-1', allowedAccountIds: ['111111111111'] });
    new S3Backend(stack, { bucket: 'state', key: 'k', region: 'ap-northeast-1', encrypt: true, dynamodbTable: 'locks' });
    stack.addOverride('terraform.backend.s3.use_lockfile', true);
    const role = new IamRole(stack, 'role', { name: 'r', assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [] }) });
    const attachment = new IamRolePolicyAttachment(stack, 'broad', {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess',
    });
    suppress(attachment, 'SSMB-IAM-006', 'the reference design this test replays needs it', ['AmazonEC2ReadOnlyAccess']);
    suppress(attachment, 'SSMB-IAM-001', 'second suppression on the same resource');
    suppress(stack, 'SSMB-BACKEND-003', 'the lock table is removed after the migration');
    // Testing.synth strips every `//` comment; the app's synth (cdktf.out) keeps them, as toTerraform() does.
    json = JSON.parse(JSON.stringify(stack.toTerraform()));
  });

  it("lands in the resource's `//` comment next to cdktf's metadata, accumulating", () => {
    const body = (json.resource as any).aws_iam_role_policy_attachment.broad;
    expect(body['//'].metadata.path).toBe('suppress-test/broad');
    expect(body['//'].ssmb_suppressions).toEqual([
      { rule: 'SSMB-IAM-006', reason: 'the reference design this test replays needs it', appliesTo: ['AmazonEC2ReadOnlyAccess'] },
      { rule: 'SSMB-IAM-001', reason: 'second suppression on the same resource' },
    ]);
    expect((json['//'] as any).ssmb_suppressions).toEqual([
      { rule: 'SSMB-BACKEND-003', reason: 'the lock table is removed after the migration' },
    ]);
  });

  it('suppresses the findings it names, which stay in the report', async () => {
    const report = await evaluate([stackFromSynth(json, 'suppress-test', 'cdk.tf.json')]);
    const relevant = report.findings.filter((f) => ['SSMB-IAM-006', 'SSMB-BACKEND-003'].includes(f.rule));
    expect(relevant.map((f) => [f.rule, f.address, f.suppressed?.reason])).toEqual([
      ['SSMB-IAM-006', 'aws_iam_role_policy_attachment.broad', 'the reference design this test replays needs it'],
      ['SSMB-BACKEND-003', 'terraform.backend.s3', 'the lock table is removed after the migration'],
    ]);
    expect(report.summary.unsuppressed).toBe(0);
  });
});
