import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMMENT_MARKER, parseRoles, planMatrix, readPlans, renderPlanSummary } from '../../scripts/plan-summary';
import type { TerraformJson } from '../../policies/model';
import { ROOT } from '../helpers/synth';
import { broken, compliantStack } from './fixtures';

const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'plan.yml'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; id?: string };
const steps = (job: string): Step[] => workflow.jobs[job].steps;
const allSteps = Object.keys(workflow.jobs).flatMap(steps);

describe('.github/workflows/plan.yml', () => {
  it('runs on pull requests with least-privilege token permissions per job', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(workflow.jobs.review.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'security-events': 'write' });
  });

  it('calls only npm scripts and compiled files that exist', () => {
    const runs = allSteps.map((s) => s.run ?? '').join('\n');
    const scripts = [...runs.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]);
    expect(scripts).toEqual(expect.arrayContaining(['synth', 'policy', 'plan:summary']));
    for (const s of scripts) expect(pkg.scripts).toHaveProperty([s]);
    for (const m of runs.matchAll(/node dist\/([\w/.-]+)\.js/g)) expect(existsSync(join(ROOT, `${m[1]}.ts`))).toBe(true);
    expect(runs).toContain('npm ci');
  });

  it('plans each stack with its account\'s role through OIDC, then checks the plans and updates one comment', () => {
    expect(workflow.jobs.plan.strategy.matrix).toBe('${{ fromJSON(needs.synth.outputs.matrix) }}');
    const creds = steps('plan').find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with).toMatchObject({ 'role-to-assume': '${{ matrix.role }}', 'aws-region': '${{ matrix.region }}' });
    const plan = steps('plan').find((s) => s.run?.includes('terraform plan'))!;
    expect(plan.run).toMatch(/terraform show -json tfplan > plan\.json/);
    const policy = steps('review').find((s) => s.id === 'policy')!;
    expect(policy.run).toBe('npm run --silent policy -- --plans --format sarif --output policy.sarif cdktf.out');
    const comment = steps('review').find((s) => s.uses?.startsWith('actions/github-script@'))!;
    expect(String(comment.with!.script)).toContain(`const marker = '${COMMENT_MARKER}';`);
    expect(String(comment.with!.script)).toMatch(/updateComment[\s\S]*createComment/);
    expect(steps('review').at(-1)!.run).toContain('steps.policy.outcome');
  });

  it('pins every action to a major version', () => {
    for (const s of allSteps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
  });
});

/** A cdktf.out-shaped folder. */
function outdir(stacks: Record<string, TerraformJson>): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'policy-matrix-'));
  const manifest: Record<string, unknown> = {};
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    manifest[name] = { name, workingDirectory: `stacks/${name}` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: manifest }));
  return dir;
}

describe('plan:summary --matrix', () => {
  const stacks = () => ({
    'prod-ap-northeast-1': compliantStack(),
    'prod-bootstrap': broken((s) => (s.terraform!.backend = { local: { path: '../../../bootstrap-state/prod-bootstrap.tfstate' } })),
  });

  it('lists remote-backend stacks with their account\'s role and marks the bootstrap as not planned', () => {
    const dir = outdir(stacks());
    expect(planMatrix(dir, { '111111111111': 'arn:aws:iam::111111111111:role/plan' })).toEqual([
      { stack: 'prod-ap-northeast-1', account: '111111111111', region: 'ap-northeast-1', role: 'arn:aws:iam::111111111111:role/plan' },
    ]);
    expect(planMatrix(dir, {}, 'ssmb-plan')[0].role).toBe('arn:aws:iam::111111111111:role/ssmb-plan');
    const plans = readPlans(dir);
    expect(plans.find((p) => p.name === 'prod-bootstrap')!.skipped).toMatch(/local file/);
    expect(renderPlanSummary(plans, undefined)).toContain('| prod-bootstrap | – | – | – | – | ⏭️ not planned |');
  });

  it('without any role configured, plans nothing and says why', () => {
    const dir = outdir(stacks());
    expect(planMatrix(dir, {})).toEqual([]);
    const md = renderPlanSummary(readPlans(dir), undefined);
    expect(md).toContain('Not planned: no plan role is configured');
    expect(md).not.toContain('could not be planned');
  });

  it('refuses a partial role map and a malformed one', () => {
    const dir = outdir(stacks());
    expect(() => planMatrix(dir, { '222222222222': 'arn:aws:iam::222222222222:role/plan' })).toThrow(/no plan role for account 111111111111/);
    expect(() => parseRoles('{"111111111111": "plan"}')).toThrow(/must map 12-digit account ids to role ARNs/);
    expect(() => parseRoles('{')).toThrow(/not JSON/);
    expect(parseRoles('')).toEqual({});
  });
});
