import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OFFLINE_DIR, OVERRIDE_FILE, listStacks, offlineOverride, terraformEnv } from '../../scripts/terraform-harness';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { STACK_FILE, readStackJson } from '../../tooling/synth-output';
import { ROOT, StackJson, findResource, synthToDir, testConfig } from '../helpers/synth';

const run = promisify(execFile);
const ASSOCIATION_ID = '5c5a31f6-6dae-46f9-944c-0123456789ab';
const PINNED = { version: '3.3.2299.0', allowDowngrade: 'false' };

/**
 * The association as AWS and the provider stored it after an apply with `version` set:
 * what `terraform state pull` shows for it (provider 5.x, schema version 1).
 */
function pinnedState(logicalId: string, body: Record<string, any>): Record<string, unknown> {
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 7,
    lineage: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    outputs: {},
    resources: [
      {
        mode: 'managed',
        type: 'aws_ssm_association',
        name: logicalId,
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [
          {
            schema_version: 1,
            attributes: {
              id: ASSOCIATION_ID,
              association_id: ASSOCIATION_ID,
              arn: `arn:aws:ssm:ap-northeast-1:111111111111:association/${ASSOCIATION_ID}`,
              name: 'AWS-UpdateSSMAgent',
              association_name: body.association_name,
              apply_only_at_cron_interval: false,
              automation_target_parameter_name: '',
              compliance_severity: body.compliance_severity,
              document_version: '$DEFAULT',
              instance_id: '',
              max_concurrency: body.max_concurrency,
              max_errors: body.max_errors,
              output_location: [
                {
                  s3_bucket_name: 'ssmb-111111111111-ap-northeast-1-agent-update',
                  s3_key_prefix: 'agent-update',
                  s3_region: 'ap-northeast-1',
                },
              ],
              parameters: PINNED,
              schedule_expression: body.schedule_expression,
              sync_compliance: '',
              targets: [{ key: 'InstanceIds', values: ['*'] }],
              tags: null,
              tags_all: {},
              wait_for_success_timeout_seconds: null,
            },
            sensitive_attributes: [],
            private: 'bnVsbA==',
          },
        ],
      },
    ],
  };
}

async function tf(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('terraform', [...args, '-no-color'], { cwd, env, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

// The provider keeps `parameters` (Optional + Computed) when the configuration leaves it
// out, and keeps an old value over a new "" too (found with this test: sending
// `version: ""` planned no change). A non-empty map without `version` removes it. This
// plans the default configuration (no version) against a state whose association still
// holds a pinned version, offline: no refresh, the state is what AWS returned.
describe('agent update: dropping `version` un-pins the fleet (offline plan against a pinned state)', () => {
  let schema: Record<string, any>;
  let change: { actions: string[]; before: Record<string, any>; after: Record<string, any> };
  beforeAll(async () => {
    // Patch history is off: its state machine needs the validation stub, and plays no part here.
    const outdir = synthToDir(testConfig({ patchHistory: { enabled: false } } as Partial<BaselineConfigInput>));
    const stack = listStacks(outdir).find((s) => s.name === 'prod-ap-northeast-1')!;
    const json = readStackJson(stack.dir) as StackJson;
    const [logicalId, body] = findResource(json, 'aws_ssm_association', (b) => b.name === 'AWS-UpdateSSMAgent');
    const work = join(stack.dir, OFFLINE_DIR);
    mkdirSync(work, { recursive: true });
    copyFileSync(join(stack.dir, STACK_FILE), join(work, STACK_FILE));
    if (existsSync(join(stack.dir, 'assets'))) symlinkSync(join('..', 'assets'), join(work, 'assets'), 'dir');
    writeFileSync(join(work, OVERRIDE_FILE), JSON.stringify(offlineOverride(json), null, 2));
    writeFileSync(join(work, 'offline.tfstate'), JSON.stringify(pinnedState(logicalId, body), null, 2));
    const env = await terraformEnv(join(ROOT, '.tmp'));
    await tf(['init', '-input=false', '-reconfigure'], work, env);
    schema = JSON.parse(await tf(['providers', 'schema', '-json'], work, env));
    await tf(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=tfplan'], work, env);
    const plan = JSON.parse(await tf(['show', '-json', 'tfplan'], work, env));
    change = plan.resource_changes.find((c: any) => c.type === 'aws_ssm_association' && c.name === logicalId).change;
  }, 300_000);

  it('the provider treats parameters as Optional + Computed (why the map must never be empty)', () => {
    const attr =
      schema.provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas.aws_ssm_association.block.attributes.parameters;
    expect(attr).toMatchObject({ type: ['map', 'string'], optional: true, computed: true });
  });

  it('plans an in-place update from the pinned version to the latest', () => {
    expect(change.actions).toEqual(['update']);
    expect(change.before.parameters).toEqual(PINNED);
    // version gone: the association falls back to the document's default, the latest agent.
    expect(change.after.parameters).toEqual({ allowDowngrade: 'false' });
  });
});
