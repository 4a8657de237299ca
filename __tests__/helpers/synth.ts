import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { buildApp } from '../../stacks/platform/app';
import { BaselineStack } from '../../stacks/platform/baseline-stack';
import { parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfig, BaselineConfigInput } from '../../stacks/platform/config/schema';
import { StackResult, checkStack, listStacks, terraformEnv } from '../../scripts/terraform-harness';
import { readStackJson } from '../../tooling/synth-output';

export const ROOT = join(__dirname, '..', '..');

/** A synthesized stack: the parsed cdk.tf.json. */
export type StackJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Array<Record<string, unknown>>>;
  terraform?: Record<string, any>;
  output?: Record<string, { value: unknown; description?: string }>;
  import?: Array<Record<string, unknown>>;
  [key: string]: unknown;
};

export function exampleInput(): BaselineConfigInput {
  return JSON.parse(readFileSync(join(ROOT, 'config', 'example.json'), 'utf8'));
}

/** config/example-organization.json: a hub, an organization id. */
export function organizationInput(): BaselineConfigInput {
  return JSON.parse(readFileSync(join(ROOT, 'config', 'example-organization.json'), 'utf8'));
}

/** The `path: reason` lines parseConfig refuses an input with, or '' when it accepts it. */
export function configProblems(input: unknown): string {
  try {
    parseConfig(input, 'test');
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

export function exampleConfig(): BaselineConfig {
  return parseConfig(exampleInput(), 'config/example.json');
}

/** A one-account, one-region config with the given sections merged over the example's. */
export function testConfig(overrides: Partial<BaselineConfigInput> = {}): BaselineConfig {
  const base = exampleInput();
  return parseConfig(
    {
      ...base,
      accounts: [{ id: '111111111111', name: 'prod', regions: ['ap-northeast-1'], deployRoleArn: 'arn:aws:iam::111111111111:role/deploy' }],
      ...overrides,
    },
    'test',
  );
}

/**
 * One stack with the optional parts of several capabilities away from their defaults
 * (agent update, patch history, inventory, the CloudTrail trail). Each of those
 * capabilities' terraform tests plans its prod-ap-northeast-1 stack and asserts its own
 * part: the same synth, so the plan is made once per test run (see PLAN_CACHE_ENV).
 */
export function optionsAwayFromDefaults(): BaselineConfig {
  return testConfig({
    cloudTrail: { create: true },
    agentUpdate: {
      targets: { tagKey: 'Patch Group', tagValues: ['web'] },
      schedule: 'cron(0 3 ? * SUN *)',
      applyOnlyAtCronInterval: true,
      version: '3.3.2299.0',
      notifyStatuses: ['Failed'],
      defaultHostManagement: true,
    },
    patchHistory: {
      tagKey: 'Patch',
      tagValue: 'weekly',
      schedule: 'cron(0 3 ? * SUN *)',
      scheduleTimezone: 'Asia/Tokyo',
      flexibleWindowMinutes: 60,
      maxConcurrency: 4,
      logLevel: 'ALL',
    },
    inventory: {
      schedule: 'rate(1 hour)',
      targets: { tagKey: 'Inventory', tagValues: ['on'] },
      collect: {
        windowsRoles: false,
        billingInfo: false,
        files: [{ path: '/etc', pattern: ['*.conf'], recursive: true, dirScanLimit: 100 }],
        windowsRegistry: [{ path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon\\MachineImage', valueNames: ['AMIName'] }],
      },
      recorder: { extraResourceTypes: ['AWS::SSM::PatchCompliance'], recordingFrequency: 'DAILY', deliveryFrequency: 'Twelve_Hours' },
    },
  } as Partial<BaselineConfigInput>);
}

/** Synthesizes one account-region stack in memory. */
export function synthStack(config: BaselineConfig, accountIndex = 0, region?: string): StackJson {
  const app = Testing.app();
  const account = config.accounts[accountIndex];
  const stack = new BaselineStack(app, { config, account, region: region ?? account.regions[0] });
  return JSON.parse(Testing.synth(stack));
}

/** Full synth of a configuration into a fresh folder; returns the folder. */
export function synthToDir(config: BaselineConfig): string {
  const outdir = mkdtempSync(join(ROOT, '.tmp', 'synth-'));
  buildApp(config, outdir).synth();
  return outdir;
}

/** Every stack of a synth folder, by name. */
export function readStacks(outdir: string): Record<string, StackJson> {
  return Object.fromEntries(listStacks(outdir).map((s) => [s.name, readStackJson(s.dir) as StackJson]));
}

/** Resources of one type: { logicalId: body }. */
export function resourcesOf(stack: StackJson, type: string): Record<string, Record<string, any>> {
  return (stack.resource?.[type] ?? {}) as Record<string, Record<string, any>>;
}

/** The single resource of a type whose body matches `pred`; throws when not exactly one. */
export function findResource(
  stack: StackJson,
  type: string,
  pred: (body: Record<string, any>) => boolean = () => true,
): [string, Record<string, any>] {
  const hits = Object.entries(resourcesOf(stack, type)).filter(([, body]) => pred(body));
  if (hits.length !== 1) throw new Error(`expected one ${type} matching, found ${hits.length}: ${hits.map(([id]) => id).join(', ')}`);
  return hits[0];
}

/** The statements of the aws_iam_policy_document referenced as `${data.aws_iam_policy_document.X.json}`. */
export function policyStatements(stack: StackJson, ref: string): Array<Record<string, any>> {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(ref);
  if (!m) throw new Error(`not a policy document reference: ${ref}`);
  const doc = stack.data?.aws_iam_policy_document?.[m[1]] as { statement?: Array<Record<string, any>> } | undefined;
  if (!doc) throw new Error(`no policy document ${m[1]}`);
  return doc.statement ?? [];
}

/** One entry of a plan's `resource_changes`. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly change: { actions: string[]; after: Record<string, any> };
}

/** Synthesizes a configuration and plans one of its stacks offline (the harness of `npm run plan:offline`). */
export async function planStack(
  config: BaselineConfig,
  name = 'prod-ap-northeast-1',
): Promise<{ result: StackResult; changes: PlannedChange[] }> {
  const stack = listStacks(synthToDir(config)).find((s) => s.name === name);
  if (!stack) throw new Error(`no stack ${name} in the synth output`);
  const result = await checkStack(stack, await terraformEnv(join(ROOT, '.tmp')), { plan: true });
  const changes = result.ok ? JSON.parse(readFileSync(result.planJson!, 'utf8')).resource_changes : [];
  return { result, changes };
}
