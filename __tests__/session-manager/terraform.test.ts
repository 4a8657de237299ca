import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfig, BaselineConfigInput } from '../../stacks/platform/config/schema';
import { INTERFACE_ENDPOINT_SERVICES } from '../../stacks/capabilities/session-manager/bastion';
import { StackResult, checkStack, listStacks, planSummaryLine, terraformEnv } from '../../scripts/terraform-harness';
import { evaluate } from '../../policies/engine';
import { loadPath } from '../../policies/load';
import { Report } from '../../policies/types';
import { ROOT, synthToDir } from '../helpers/synth';

const REGION = 'ap-northeast-1';
const exampleInput = (): BaselineConfigInput => JSON.parse(readFileSync(join(ROOT, 'config', 'example-bastion.json'), 'utf8'));
const example = (): BaselineConfig => parseConfig(exampleInput(), 'config/example-bastion.json');

// Terraform itself: the bastion example validates and plans offline; a stack that
// adopts the preferences document validates with its import block (planning an
// import needs AWS).
describe('session manager: terraform', () => {
  let planned: StackResult;
  let adopted: StackResult;
  let adoptedDir: string;
  let policy: Report;
  beforeAll(async () => {
    const env = await terraformEnv(join(ROOT, '.tmp'));
    const stackOf = (outdir: string) => listStacks(outdir).find((st) => st.name === `prod-${REGION}`)!;
    const exampleDir = synthToDir(example());
    planned = await checkStack(stackOf(exampleDir), env, { plan: true });
    policy = await evaluate(loadPath(exampleDir));
    const adopting = exampleInput();
    adopting.sessionManager!.adoptExistingDocument = true;
    const stack = stackOf(synthToDir(parseConfig(adopting, 'adopting')));
    adoptedDir = stack.dir;
    adopted = await checkStack(stack, env, { plan: false });
  }, 600_000);

  it('validates and plans example-bastion.json offline', () => {
    if (!planned.ok) throw new Error(`terraform ${planned.step} failed:\n${planned.output}`);
    expect(planned.validated).toBe(true); // plan validates first
    expect(planSummaryLine(planned.output)).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
    const plan = JSON.parse(readFileSync(planned.planJson!, 'utf8'));
    const creates = (type: string) => plan.resource_changes.filter((c: any) => c.type === type && c.change.actions.includes('create'));
    expect(creates('aws_instance')).toHaveLength(1);
    const [template] = creates('aws_launch_template');
    expect(template.change.after).toMatchObject({
      image_id: expect.stringMatching(/^resolve:ssm:\/aws\/service\/ami-amazon-linux-latest\//),
    });
    const [instance] = creates('aws_instance');
    // Nothing on the instance makes the provider look the resolve:ssm: string up at apply.
    expect(instance.change.after.ami).toBeUndefined();
    expect(instance.change.after.root_block_device ?? []).toEqual([]);
    expect(creates('aws_vpc_endpoint')).toHaveLength(INTERFACE_ENDPOINT_SERVICES.length + 1);
    const [document] = creates('aws_ssm_document');
    expect(document.change.after).toMatchObject({ name: 'SSM-SessionManagerRunShell', document_type: 'Session' });
  });

  it("passes the policy suite; the endpoints' inbound HTTPS is the one suppressed finding", () => {
    const open = policy.findings.filter((f) => !f.suppressed);
    expect(open.map((f) => `${f.rule} ${f.address}: ${f.message}`)).toEqual([]);
    expect(policy.findings.filter((f) => f.suppressed).map((f) => [f.rule, f.address.replace(/_[0-9A-F]{8}$/, '')])).toEqual([
      ['SSMB-EC2-005', 'aws_vpc_security_group_ingress_rule.session-manager_bastion_endpoint-from-bastion'],
      ['SSMB-EC2-005', 'aws_vpc_security_group_ingress_rule.session-manager_bastion_endpoint-from-cidr-0'],
    ]);
  });

  it('validates a stack that imports the existing preferences document', () => {
    if (!adopted.ok) throw new Error(`terraform ${adopted.step} failed:\n${adopted.output}`);
    expect(adopted.output).toContain('Success! The configuration is valid.');
    const json = JSON.parse(readFileSync(join(adoptedDir, 'cdk.tf.json'), 'utf8'));
    expect(json.import).toEqual([
      { id: 'SSM-SessionManagerRunShell', to: expect.stringMatching(/^aws_ssm_document\.session-manager_preferences_document_/) },
    ]);
  });
});
