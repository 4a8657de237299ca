import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { handWrittenState, listStacks, planAgainstState, prepareOffline, terraformEnv } from '../../scripts/terraform-harness';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { readStackJson } from '../../tooling/synth-output';
import { ROOT, StackJson, findResource, synthToDir, testConfig } from '../helpers/synth';

const run = promisify(execFile);
const ASSOCIATION_ID = '5c5a31f6-6dae-46f9-944c-0123456789ab';
const PINNED = { version: '3.3.2299.0', allowDowngrade: 'false' };

/**
 * The association as AWS and the provider stored it after an apply with `version` set:
 * what `terraform state pull` shows for it (provider 5.x, schema version 1).
 */
function pinnedState(logicalId: string, body: Record<string, any>): Record<string, unknown> {
  return handWrittenState([
    {
      type: 'aws_ssm_association',
      name: logicalId,
      schemaVersion: 1,
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
    },
  ]);
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
    // Patch history is off: it plays no part here, and a smaller stack plans faster.
    const outdir = synthToDir(testConfig({ patchHistory: { enabled: false } } as Partial<BaselineConfigInput>));
    const stack = listStacks(outdir).find((s) => s.name === 'prod-ap-northeast-1')!;
    const json = readStackJson(stack.dir) as StackJson;
    const [logicalId, body] = findResource(json, 'aws_ssm_association', (b) => b.name === 'AWS-UpdateSSMAgent');
    const env = await terraformEnv(join(ROOT, '.tmp'));
    const work = await prepareOffline(stack, env);
    schema = JSON.parse(await tf(['providers', 'schema', '-json'], work, env));
    const planned = await planAgainstState(work, env, pinnedState(logicalId, body));
    if (!planned.ok) throw new Error(planned.output);
    change = planned.plan!.resource_changes!.find((c) => c.type === 'aws_ssm_association' && c.name === logicalId)!.change as typeof change;
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
