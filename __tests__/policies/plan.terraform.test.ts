import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as policyCli } from '../../policies/cli';
import { OFFLINE_DIR, StackResult, checkAll, listStacks, planSummaryLine, terraformEnv } from '../../scripts/terraform-harness';
import { EXCERPT_FILE, readSchema, schemaExcerpt } from '../../scripts/policy-attributes';
import { COMMENT_MARKER, readPlans, renderPlanSummary, summarize } from '../../scripts/plan-summary/render';
import { ROOT, exampleConfig, synthToDir } from '../helpers/synth';

// End to end on the example configuration: the policy CLI over the synthesized output
// and over offline plans from the platform harness, and the PR summary rendered from
// those plans. One stack gets a wildcard statement so the checks have something to find.
const DIRTY = 'prod-ap-northeast-1';
const CLEAN = 'staging-ap-northeast-1';

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await policyCli(args, (s) => (out += s));
  return { code, out };
}

describe('policy CLI and plan summary on the example output', () => {
  let outdir: string;
  let planned: Map<string, StackResult>;
  let dirtyAddress: string;

  beforeAll(async () => {
    outdir = synthToDir(exampleConfig());
    // A clean synth first: the whole example must pass.
    const clean = await cli([outdir]);
    if (clean.code !== 0) throw new Error(`the example output does not pass the policy checks:\n${clean.out}`);

    const stacks = listStacks(outdir);
    const dirty = stacks.find((s) => s.name === DIRTY)!;
    const file = join(dirty.dir, 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const [policyId, policy] = Object.entries(json.resource.aws_iam_role_policy as Record<string, { policy: string }>)[0];
    dirtyAddress = `aws_iam_role_policy.${policyId}`;
    const docName = /aws_iam_policy_document\.([^.]+)\.json/.exec(policy.policy)![1];
    json.data.aws_iam_policy_document[docName].statement.push(
      { effect: 'Allow', actions: ['s3:*'], resources: ['arn:aws:s3:::some-bucket/*'] },
      { effect: 'Allow', actions: ['s3:PutObject'], resources: ['*'] },
    );
    writeFileSync(file, JSON.stringify(json, null, 2));

    const env = await terraformEnv(join(ROOT, '.tmp'));
    const results = await checkAll(
      stacks.filter((s) => [DIRTY, CLEAN].includes(s.name)),
      env,
      { plan: true, concurrency: 2 },
    );
    planned = new Map(results.map((r) => [r.name, r]));
    for (const r of results) if (!r.ok) throw new Error(`terraform ${r.step} failed for ${r.name}:\n${r.output}`);
    // A stack whose plan failed, as the workflow records it.
    writeFileSync(
      join(stacks.find((s) => s.name === 'prod-us-east-1')!.dir, 'plan-error.txt'),
      'Error: No valid credential sources found\n',
    );
  }, 600_000);

  it('the example output passes on synth, and the CLI names rule and address once a wildcard is added', async () => {
    const { code, out } = await cli([outdir]);
    expect(code).toBe(1);
    expect(out).toContain(`HIGH  SSMB-IAM-001  ${DIRTY}  ${dirtyAddress}`);
    expect(out).toContain(`HIGH  SSMB-IAM-003  ${DIRTY}  ${dirtyAddress}`);
    expect(out).toMatch(/^FAIL: 2 unsuppressed finding\(s\) \(2 high\)/m);
  });

  it("the committed schema excerpt (source of policies/policy-attributes.json) is the installed provider's", () => {
    // The planned stack's work folder holds the initialized hashicorp/aws provider.
    const { schema, version } = readSchema(join(listStacks(outdir).find((s) => s.name === CLEAN)!.dir, OFFLINE_DIR));
    const committed = JSON.parse(readFileSync(join(ROOT, EXCERPT_FILE), 'utf8'));
    expect(schemaExcerpt(schema, version)).toEqual(committed);
  });

  it('checks terraform plans the same way', async () => {
    const dirtyPlan = await cli(['--format', 'json', planned.get(DIRTY)!.planJson!]);
    expect(dirtyPlan.code).toBe(1);
    const report = JSON.parse(dirtyPlan.out);
    expect(
      report.findings
        .filter((f: { suppressed?: unknown }) => !f.suppressed)
        .map((f: { rule: string; stack: string; address: string }) => [f.rule, f.stack, f.address]),
    ).toEqual([
      ['SSMB-IAM-001', DIRTY, dirtyAddress],
      ['SSMB-IAM-003', DIRTY, dirtyAddress],
    ]);
    const cleanPlan = await cli([planned.get(CLEAN)!.planJson!]);
    expect(cleanPlan.code).toBe(0);
  });

  it('--plans reads plan.json where a stack has one, cdk.tf.json elsewhere', async () => {
    const { code, out } = await cli(['--plans', '--format', 'json', outdir]);
    expect(code).toBe(1);
    const files = [...new Set(JSON.parse(out).findings.map((f: { file: string }) => f.file))];
    expect(files).toEqual([planned.get(DIRTY)!.planJson]);
  });

  it('renders the pull-request summary from the offline plans', async () => {
    const md = await summarize(outdir);
    expect(md.startsWith(`${COMMENT_MARKER}\n## Terraform plan`)).toBe(true);
    for (const name of [DIRTY, CLEAN]) {
      const [, add, change, destroy] = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(
        planSummaryLine(planned.get(name)!.output),
      )!;
      expect(md).toContain(`| ${name} | ${add} | ${change} | ${destroy} | 0 |`);
    }
    expect(md).toMatch(new RegExp(`\\| ${CLEAN} \\| .* \\| ✅ none`));
    expect(md).toMatch(new RegExp(`\\| ${DIRTY} \\| .* \\| ❌ 2 \\|`));
    // A stack without a plan is checked on its cdk.tf.json, as the review job's `policy --plans` does.
    expect(md).toMatch(/\| prod-us-east-1 \| – \| – \| – \| – \| ⚠️ plan failed; ✅ none(?: \(\d+ suppressed\))? on cdk\.tf\.json \|/);
    expect(md).toContain('Error: No valid credential sources found');
    const job = JSON.parse((await cli(['--plans', '--format', 'json', outdir])).out).summary;
    expect(job.stacks).toBe(listStacks(outdir).length);
    expect(md).toContain(`**Policy checks: ❌ 2 unsuppressed finding(s)** (${job.rules} rules, ${job.suppressed} suppressed)`);
    // Every IAM change of the clean stack is listed, roles with their trusted service.
    const cleanPlan = JSON.parse(readFileSync(planned.get(CLEAN)!.planJson!, 'utf8'));
    const iam = cleanPlan.resource_changes.filter(
      (c: { type: string; mode: string }) => c.mode === 'managed' && c.type.startsWith('aws_iam_'),
    );
    expect(iam.length).toBeGreaterThan(0);
    const section = md.slice(md.indexOf(`### ${CLEAN}`));
    for (const c of iam) expect(section).toContain(`| create | \`${c.address}\` |`);
    expect(section).toMatch(/aws_iam_role\.[^|]+\| `ssmb-managed-instance-ap-northeast-1`; allows sts:AssumeRole; to ec2\.amazonaws\.com/);
    const dirtySection = md.slice(
      md.indexOf(`### ${DIRTY}`),
      md.indexOf(`### ${CLEAN}`) > md.indexOf(`### ${DIRTY}`) ? md.indexOf(`### ${CLEAN}`) : undefined,
    );
    expect(dirtySection).toContain(`| high | SSMB-IAM-001 | \`${dirtyAddress}\` |`);
  });

  it('calls out every destroy and replacement, and what an update changes', () => {
    const plans = readPlans(outdir).filter((p) => p.name === CLEAN);
    const plan = JSON.parse(JSON.stringify(plans[0].plan));
    const changes = plan.resource_changes.filter((c: { mode: string }) => c.mode === 'managed');
    const role = changes.find((c: { type: string }) => c.type === 'aws_iam_role');
    const bucket = changes.find((c: { type: string }) => c.type === 'aws_s3_bucket');
    const topic = changes.find((c: { type: string }) => c.type === 'aws_sns_topic');
    // As a plan against existing state would show them.
    role.change = {
      ...role.change,
      actions: ['update'],
      before: { ...role.change.after, description: 'old' },
      after: { ...role.change.after, description: 'new' },
    };
    bucket.change = { ...bucket.change, actions: ['delete', 'create'], replace_paths: [['bucket']] };
    bucket.action_reason = 'replace_because_cannot_update';
    topic.change = { ...topic.change, actions: ['delete'], after: null };
    const md = renderPlanSummary([{ ...plans[0], plan }], undefined);
    expect(md).toContain('> [!WARNING]\n> This plan destroys or replaces 2 resource(s)');
    expect(md).toContain(`| 🔁 replace | \`${bucket.address}\` | forces replacement: \`bucket\`; replace because cannot update |`);
    expect(md).toContain(`| 🗑️ destroy | \`${topic.address}\` |`);
    expect(md).toMatch(new RegExp(`\\| update \\| \`${role.address.replace(/[.]/g, '\\.')}\` \\| .*changes \`description\``));
    const adds = changes.filter((c: { change: { actions: string[] } }) => c.change.actions.includes('create')).length;
    expect(md).toContain(`| ${CLEAN} | ${adds} | 1 | 2 | 1 | not checked |`);
  });
});
