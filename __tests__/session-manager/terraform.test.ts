import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfig, BaselineConfigInput } from '../../stacks/platform/config/schema';
import { INTERFACE_ENDPOINT_SERVICES } from '../../stacks/capabilities/session-manager/bastion';
import {
  StackResult,
  checkStack,
  handWrittenState,
  listStacks,
  planAgainstState,
  planSummaryLine,
  prepareOffline,
  terraformEnv,
} from '../../scripts/terraform-harness';

import { evaluate } from '../../policies/engine';
import { loadPath } from '../../policies/load';
import { Report } from '../../policies/types';
import { ROOT, exampleInput as defaultExampleInput, resourcesOf, synthStack, synthToDir } from '../helpers/synth';
import { FORMER_SERVICE_LINKED_ROLE_ID } from '../../stacks/capabilities/inventory/config-recorder';

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

// Plans against a hand-written state of a deployed stack (no refresh: nothing calls
// AWS): what Terraform does to the session records when someone flips Object Lock or
// runs destroy.
describe('session manager: terraform against a deployed state', () => {
  const ACCOUNT = '111111111111';
  let work: string;
  let env: NodeJS.ProcessEnv;
  let ids: { bucket: string; key: string; logGroup: string };
  const keyId = '0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b';
  const state = (bucketAttrs: Record<string, unknown>) =>
    handWrittenState([
      {
        type: 'aws_s3_bucket',
        name: ids.bucket,
        attributes: {
          id: `ssmb-${ACCOUNT}-${REGION}-sessions`,
          bucket: `ssmb-${ACCOUNT}-${REGION}-sessions`,
          arn: `arn:aws:s3:::ssmb-${ACCOUNT}-${REGION}-sessions`,
          force_destroy: false,
          ...bucketAttrs,
        },
      },
      {
        type: 'aws_kms_key',
        name: ids.key,
        attributes: {
          id: keyId,
          key_id: keyId,
          arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
          customer_master_key_spec: 'SYMMETRIC_DEFAULT',
          key_usage: 'ENCRYPT_DECRYPT',
        },
      },
      {
        type: 'aws_cloudwatch_log_group',
        name: ids.logGroup,
        attributes: {
          id: '/ssmb/session-manager/sessions',
          name: '/ssmb/session-manager/sessions',
          arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ssmb/session-manager/sessions`,
          skip_destroy: true,
        },
      },
    ]);
  /** Addresses terraform names in "Resource X has lifecycle.prevent_destroy set" (it wraps lines anywhere). */
  const refused = (output: string) =>
    [...output.replace(/\s+/g, ' ').matchAll(/Resource (\S+) has lifecycle\.prevent_destroy set/g)].map((m) => m[1]);
  const plan = (stateJson: unknown, args: string[] = []) => planAgainstState(work, env, stateJson, args);

  beforeAll(async () => {
    env = await terraformEnv(join(ROOT, '.tmp'));
    const input = defaultExampleInput();
    input.accounts = [{ id: ACCOUNT, name: 'prod', regions: [REGION] }];
    // Patch history is off: it plays no part here, and a smaller stack plans faster.
    input.patchHistory = { ...input.patchHistory, enabled: false };
    const stack = listStacks(synthToDir(parseConfig(input, 'deployed'))).find((st) => st.name === `prod-${REGION}`)!;
    work = await prepareOffline(stack, env);
    const json = JSON.parse(readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8'));
    const find = (type: string, pred: (b: any) => boolean) => Object.entries(json.resource[type]).find(([, b]) => pred(b))![0];
    ids = {
      bucket: find('aws_s3_bucket', (b) => b.bucket === `ssmb-${ACCOUNT}-${REGION}-sessions`),
      key: find('aws_kms_key', (b) => /Session Manager/.test(b.description)),
      logGroup: find('aws_cloudwatch_log_group', (b) => b.name === '/ssmb/session-manager/sessions'),
    };
  }, 600_000);

  it('refuses to plan an Object Lock change on a deployed transcript bucket instead of replacing it', async () => {
    const { ok, output } = await plan(state({ object_lock_enabled: false }));
    expect(ok).toBe(false);
    expect(output).toContain(`aws_s3_bucket.${ids.bucket} must be replaced`);
    expect(output).toMatch(/object_lock_enabled\s+= false -> true # forces replacement/);
    expect(output).toContain('Instance cannot be destroyed');
    expect(refused(output)).toContain(`aws_s3_bucket.${ids.bucket}`);
    // Nothing else of the records is in the way: the key is updated in place.
    expect(output).not.toContain(`aws_kms_key.${ids.key} must be replaced`);
  }, 300_000);

  it('plans a deployed bucket with Object Lock without touching it', async () => {
    const { ok, output } = await plan(state({ object_lock_enabled: true }));
    if (!ok) throw new Error(output);
    expect(output).not.toMatch(new RegExp(`aws_s3_bucket\\.${ids.bucket} (must be replaced|will be destroyed)`));
    expect(output).not.toMatch(new RegExp(`aws_kms_key\\.${ids.key} (must be replaced|will be destroyed)`));
    expect(output).not.toMatch(new RegExp(`aws_cloudwatch_log_group\\.${ids.logGroup} (must be replaced|will be destroyed)`));
  }, 300_000);

  it('refuses terraform destroy while the key and the transcript bucket hold the records', async () => {
    const { ok, output } = await plan(state({ object_lock_enabled: true }), ['-destroy']);
    expect(ok).toBe(false);
    expect(output).toContain('Instance cannot be destroyed');
    expect(output).toContain(`Resource aws_kms_key.${ids.key} has\nlifecycle.prevent_destroy set`);
    expect(refused(output)).toContain(`aws_s3_bucket.${ids.bucket}`);
  }, 300_000);
});

// Disabling the capability on a deployed stack: the plan must forget the session records
// (removed blocks, destroy = false), never destroy them. The state holds the records at
// the addresses an enabled stack gives them, plus the Config service-linked role whose
// removed block the inventory adds to the same stack.
describe('session manager: disabling a deployed stack (plan against a state holding the records)', () => {
  const ACCOUNT = '111111111111';
  let changes: Array<{ address: string; type: string; change: { actions: string[] } }>;
  let output: string;
  let held: Record<'bucket' | 'key' | 'logGroup' | 'role', string>;

  beforeAll(async () => {
    const env = await terraformEnv(join(ROOT, '.tmp'));
    const input = defaultExampleInput();
    input.accounts = [{ id: ACCOUNT, name: 'prod', regions: [REGION] }];
    input.patchHistory = { ...input.patchHistory, enabled: false };
    const enabled = synthStack(parseConfig(input, 'enabled'));
    const find = (type: string, pred: (b: any) => boolean) =>
      `${type}.${Object.entries(resourcesOf(enabled, type)).find(([, b]) => pred(b))![0]}`;
    held = {
      bucket: find('aws_s3_bucket', (b) => b.bucket === `ssmb-${ACCOUNT}-${REGION}-sessions`),
      key: find('aws_kms_key', (b) => /Session Manager/.test(b.description)),
      logGroup: find('aws_cloudwatch_log_group', (b) => b.name === '/ssmb/session-manager/sessions'),
      role: `aws_iam_service_linked_role.${FORMER_SERVICE_LINKED_ROLE_ID}`,
    };
    input.sessionManager = { ...input.sessionManager, enabled: false };
    const stack = listStacks(synthToDir(parseConfig(input, 'disabled'))).find((st) => st.name === `prod-${REGION}`)!;
    const work = await prepareOffline(stack, env);
    const resource = (address: string, attributes: Record<string, unknown>) => {
      const [type, name] = address.split('.');
      return { type, name, attributes };
    };
    const keyId = '0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b';
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
    const state = handWrittenState([
      resource(held.bucket, {
        id: `ssmb-${ACCOUNT}-${REGION}-sessions`,
        bucket: `ssmb-${ACCOUNT}-${REGION}-sessions`,
        arn: `arn:aws:s3:::ssmb-${ACCOUNT}-${REGION}-sessions`,
        force_destroy: false,
        object_lock_enabled: true,
      }),
      resource(held.key, {
        id: keyId,
        key_id: keyId,
        arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
        customer_master_key_spec: 'SYMMETRIC_DEFAULT',
        key_usage: 'ENCRYPT_DECRYPT',
        deletion_window_in_days: 30,
      }),
      resource(held.logGroup, {
        id: '/ssmb/session-manager/sessions',
        name: '/ssmb/session-manager/sessions',
        arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ssmb/session-manager/sessions`,
        kms_key_id: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
        retention_in_days: 400,
        skip_destroy: true,
      }),
      resource(held.role, {
        id: roleArn,
        arn: roleArn,
        aws_service_name: 'config.amazonaws.com',
        name: 'AWSServiceRoleForConfig',
        path: '/aws-service-role/config.amazonaws.com/',
      }),
    ]);
    const planned = await planAgainstState(work, env, state);
    if (!planned.ok) throw new Error(planned.output);
    output = planned.output;
    changes = planned.plan!.resource_changes!;
  }, 600_000);

  it('forgets the key, the transcript bucket and the log group instead of destroying them', () => {
    for (const address of [held.key, held.bucket, held.logGroup]) {
      expect(changes.find((c) => c.address === address)?.change.actions).toEqual(['forget']);
    }
    expect(changes.filter((c) => c.change.actions.includes('delete')).map((c) => c.address)).toEqual([]);
    expect(output).toMatch(/will no longer be managed by Terraform/);
    expect(output).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
  });

  it("forgets the inventory's former service-linked role in the same plan", () => {
    expect(changes.find((c) => c.address === held.role)?.change.actions).toEqual(['forget']);
  });
});
