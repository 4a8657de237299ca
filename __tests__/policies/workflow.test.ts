import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MAX_MATRIX_JOBS, configPlanRoles, parseRoles, planMatrix, matrixChunks } from '../../scripts/plan-summary/matrix';
import { main as planSummary } from '../../scripts/plan-summary';
import { COMMENT_MARKER, readPlans, renderPlanSummary, summarize, truncate } from '../../scripts/plan-summary/render';
import { PLAN_ROLE_OVERRIDE_FILE, writePlanRoleOverride } from '../../scripts/plan-role-override';
import { main as policyCli } from '../../policies/cli';
import type { TerraformJson } from '../../policies/model';
import { parseConfig } from '../../stacks/platform/config/load';
import { ROOT } from '../helpers/synth';
import { broken, compliantStack, stackJson, statementsOf } from './fixtures';

const WORKFLOWS = join(ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const raw: Record<string, string> = Object.fromEntries(files.map((f) => [f, readFileSync(join(WORKFLOWS, f), 'utf8')]));
const workflows: Record<string, any> = Object.fromEntries(files.map((f) => [f, parse(raw[f])]));
const workflow = workflows['plan.yml'];
/** The plan jobs proper: plan.yml calls this workflow once per chunk of stacks. */
const planStacks = workflows['plan-stacks.yml'];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
type Step = {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  id?: string;
  'working-directory'?: string;
};
type Job = { steps?: Step[]; uses?: string; permissions?: unknown; 'timeout-minutes'?: number; strategy?: any; with?: any; if?: string };
const steps = (job: string): Step[] => (job === 'plan' ? planStacks.jobs.plan.steps : workflow.jobs[job].steps);
const jobsOf = (file: string): Array<[string, Job]> => Object.entries(workflows[file].jobs as Record<string, Job>);
const allJobs = files.flatMap((f) => jobsOf(f).map(([id, job]) => ({ file: f, id, job })));
const allSteps = allJobs.flatMap(({ job }) => job.steps ?? []);

describe('.github/workflows/plan.yml', () => {
  it('runs on pull requests with least-privilege token permissions per job', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.synth.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(planStacks.permissions).toEqual({});
    expect(planStacks.jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(workflow.jobs.review.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'security-events': 'write' });
  });

  it('calls only npm scripts and bundles of entries that exist', () => {
    const runs = allSteps.map((s) => s.run ?? '').join('\n');
    const scripts = [...runs.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]);
    expect(scripts).toEqual(expect.arrayContaining(['synth', 'policy', 'plan:summary']));
    for (const s of scripts) expect(pkg.scripts).toHaveProperty([s]);
    // tooling/run.js names a bundle after its entry, "/" written as "--".
    const bundled = [...runs.matchAll(/node "?(?:\$GITHUB_WORKSPACE\/)?dist\/bin\/([\w.-]+)\.js/g)].map((m) => m[1].replace(/--/g, '/'));
    expect(bundled).toContain('scripts/plan-role-override');
    for (const c of bundled) expect(existsSync(join(ROOT, `${c}.ts`))).toBe(true);
    const built = [...runs.matchAll(/node tooling\/run\.js --build ([\w/.-]+\.ts)/g)].map((m) => m[1]);
    expect([...new Set(built)].sort()).toEqual(['scripts/deploy.ts', 'scripts/plan-role-override.ts']);
    expect(runs).toContain('npm ci');
  });

  it("plans each stack with its account's role through OIDC, then checks the plans and updates one comment", () => {
    expect(workflow.jobs.plan.uses).toBe('./.github/workflows/plan-stacks.yml');
    expect(planStacks.jobs.plan.strategy.matrix).toEqual({ include: '${{ fromJSON(inputs.stacks) }}' });
    const creds = steps('plan').find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with).toMatchObject({ 'role-to-assume': '${{ matrix.role }}', 'aws-region': '${{ matrix.region }}' });
    const plan = steps('plan').find((s) => s.run?.includes('terraform plan'))!;
    expect(plan.run).toMatch(
      /terraform show -json tfplan > plan\.full\.json \\\n\s*&& node "\$GITHUB_WORKSPACE\/dist\/bin\/scripts--deploy\.js" redact plan\.full\.json plan\.json;/,
    );
    expect(plan.run).toMatch(/-lock=false/);
    const policy = steps('review').find((s) => s.id === 'policy')!;
    expect(policy.run).toBe('npm run --silent policy -- --plans --format sarif --output policy.sarif cdktf.out');
    const comment = steps('review').find((s) => s.uses?.startsWith('actions/github-script@'))!;
    expect(String(comment.with!.script)).toContain(`const marker = '${COMMENT_MARKER}';`);
    expect(String(comment.with!.script)).toMatch(/updateComment[\s\S]*createComment/);
    expect(steps('review').at(-1)!.env).toMatchObject({ POLICY_OUTCOME: '${{ steps.policy.outcome }}' });
    expect(steps('review').at(-1)!.run).toContain('"$POLICY_OUTCOME" != "success"');
  });

  it('plans as the read-only plan role: the override is written before terraform init, from the matrix', () => {
    const plan = steps('plan').find((s) => s.run?.includes('terraform plan'))!;
    expect(plan['working-directory']).toBe('cdktf.out/stacks/${{ matrix.stack }}');
    expect(plan.env).toEqual({ PLAN_ROLE: '${{ matrix.planRole }}', OIDC_ROLE: '${{ matrix.role }}', STACK: '${{ matrix.stack }}' });
    const run = plan.run!;
    const writer = run.indexOf('node "$GITHUB_WORKSPACE/dist/bin/scripts--plan-role-override.js" . "$PLAN_ROLE" "$OIDC_ROLE"');
    expect(writer).toBeGreaterThanOrEqual(0);
    expect(writer).toBeLessThan(run.indexOf('terraform init'));
    // Chained with &&: no init or plan without the override; a failure lands in plan-error.txt.
    expect(run.slice(writer, run.indexOf('terraform init'))).toMatch(/> terraform\.log 2>&1 \\\n\s*&& $/);
    // The bundled writer travels from the synth job (which built it) to every plan job, with node to run it.
    const synthSteps = steps('synth');
    const upload = synthSteps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'tools');
    expect(synthSteps[upload].with).toMatchObject({
      path: 'dist/bin/scripts--plan-role-override.js\ndist/bin/scripts--deploy.js\n',
      'if-no-files-found': 'error',
    });
    const build = synthSteps.findIndex((s) => !!s.run?.includes('node tooling/run.js --build scripts/plan-role-override.ts'));
    expect(upload).toBeGreaterThan(build);
    expect(build).toBeGreaterThan(0);
    const planSteps = steps('plan');
    const at = (pred: (s: Step) => boolean) => planSteps.findIndex(pred);
    const download = at((s) => !!s.uses?.startsWith('actions/download-artifact@') && s.with?.name === 'tools');
    expect(planSteps[download].with).toMatchObject({ path: 'dist/bin' });
    const node = at((s) => !!s.uses?.startsWith('actions/setup-node@'));
    const step = planSteps.indexOf(plan);
    expect(Math.max(download, node)).toBeLessThan(step);
    expect(Math.min(download, node)).toBeGreaterThanOrEqual(0);
    // The OIDC credentials come first: that role is all the job holds until the override chains to the plan role.
    expect(at((s) => !!s.uses?.startsWith('aws-actions/configure-aws-credentials@'))).toBeLessThan(step);
  });

  it('downloads as plans (plan-*) only the artifacts the plan jobs upload', () => {
    const download = steps('review').find((s) => s.uses?.startsWith('actions/download-artifact@') && s.with?.pattern)!;
    expect(download.with).toMatchObject({ pattern: 'plan-*', path: 'plans' });
    const uploaded = allSteps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')).map((s) => String(s.with!.name));
    expect(uploaded.filter((n) => n.startsWith('plan-'))).toEqual(['plan-${{ matrix.stack }}']);
    expect(uploaded).toEqual(expect.arrayContaining(['cdktf-out', 'tools']));
  });

  it('runs one matrix of plan jobs per chunk of the --matrix output, each chunk a matrix GitHub accepts', async () => {
    const plan = workflow.jobs.plan as Job;
    expect(plan.if).toBe('fromJSON(needs.synth.outputs.matrix).stacks > 0');
    expect(plan.strategy).toEqual({ 'fail-fast': false, matrix: { chunk: '${{ fromJSON(needs.synth.outputs.matrix).chunks }}' } });
    expect(plan.with).toEqual({
      stacks: '${{ toJSON(matrix.chunk.include) }}',
      'terraform-version': "${{ vars.SSMB_TERRAFORM_VERSION || '1.11.4' }}",
    });
    expect(Object.keys(planStacks.on.workflow_call.inputs).sort()).toEqual(Object.keys(plan.with).sort());
    // What GitHub hands each called workflow, from a real --matrix output of 300 stacks.
    const dir = outdir(fleet());
    let out = '';
    await planSummary(['--matrix', dir], { out: (t) => (out += t), err: () => {}, env: { SSMB_PLAN_ROLE_NAME: 'ssm-baseline-plan' } });
    const chunks = JSON.parse(out).chunks as Array<{ include: unknown }>;
    expect(chunks.length).toBeLessThanOrEqual(256);
    const used = [...raw['plan-stacks.yml'].matchAll(/\bmatrix\.(\w+)/g)].map((m) => m[1]);
    expect(new Set(used)).toEqual(new Set(['stack', 'role', 'region', 'planRole']));
    for (const chunk of chunks) {
      const include = JSON.parse(JSON.stringify(chunk.include)) as Array<Record<string, string>>;
      expect(include.length).toBeLessThanOrEqual(256);
      for (const entry of include) for (const key of used) expect(typeof entry[key]).toBe('string');
    }
  });
});

/** Actions whose tag cannot be pinned to a commit, with why; none today. */
const UNPINNED: Record<string, string> = {};

describe('workflow hygiene (every file in .github/workflows)', () => {
  it('finds the workflows', () => {
    expect(files.sort()).toEqual(['apply-stacks.yml', 'apply.yml', 'drift-stacks.yml', 'drift.yml', 'plan-stacks.yml', 'plan.yml']);
  });

  it('pins every action to a full commit SHA, with its release in a trailing comment', () => {
    const pins = new Map<string, string>();
    for (const [file, text] of Object.entries(raw)) {
      for (const line of text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l))) {
        const m = /uses: (\S+)(?: # (\S+))?$/.exec(line.trim());
        expect(m).not.toBeNull();
        const [, ref, version] = m!;
        if (ref.startsWith('./.github/workflows/')) {
          expect(existsSync(join(ROOT, ref))).toBe(true); // a workflow of the same commit
          continue;
        }
        const [action, at] = ref.split('@');
        if (UNPINNED[action]) continue;
        expect({ file, ref, pinned: /^[0-9a-f]{40}$/.test(at) }).toEqual({ file, ref, pinned: true });
        expect({ file, ref, version }).toEqual({ file, ref, version: expect.stringMatching(/^v\d+\.\d+\.\d+$/) });
        // One action, one commit, everywhere.
        expect(pins.get(action) ?? `${at} ${version}`).toBe(`${at} ${version}`);
        pins.set(action, `${at} ${version}`);
      }
    }
    expect(pins.size).toBeGreaterThanOrEqual(8);
  });

  it("bounds every job with timeout-minutes (a job calling a workflow gets the called jobs' bounds)", () => {
    for (const { file, id, job } of allJobs) {
      const bounded = job.uses ? true : typeof job['timeout-minutes'] === 'number' && job['timeout-minutes'] <= 60;
      expect({ file, id, bounded }).toEqual({ file, id, bounded: true });
      if (job.uses) expect(existsSync(join(ROOT, job.uses))).toBe(true);
    }
  });

  it('expands no ${{ }} inside run scripts: values reach the shell through env', () => {
    for (const { file, id, job } of allJobs) {
      for (const s of job.steps ?? [])
        if (s.run) expect({ file, id, run: s.run }).toEqual({ file, id, run: expect.not.stringContaining('${{') });
    }
  });

  it('never leaves the token in the checked-out repository', () => {
    const checkouts = allSteps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const c of checkouts) expect(c.with).toMatchObject({ 'persist-credentials': false });
  });

  it("grants nothing at the top and names each job's permissions", () => {
    for (const file of files) expect({ file, permissions: workflows[file].permissions }).toEqual({ file, permissions: {} });
    for (const { file, id, job } of allJobs)
      expect({ file, id, declared: job.permissions !== undefined }).toEqual({ file, id, declared: true });
  });
});

/** 30 accounts x 10 regions, as the platform names and configures them. */
const REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'us-east-1',
  'us-east-2',
  'us-west-2',
];
const fleet = () => {
  const stacks: Record<string, TerraformJson> = {};
  for (let a = 0; a < 30; a++) {
    const id = String(100000000000 + a);
    for (const region of REGIONS) {
      const name = `acct${String(a).padStart(2, '0')}-${region}`;
      const json = stackJson({}, name);
      json.provider!.aws[0] = { region, allowed_account_ids: [id] };
      json.terraform!.backend.s3 = {
        ...json.terraform!.backend.s3,
        bucket: `ssmb-tfstate-${id}`,
        key: `ssm-baseline/${id}/${region}/terraform.tfstate`,
      };
      stacks[name] = json;
    }
  }
  return stacks;
};

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

  it("lists remote-backend stacks with their account's role and marks the bootstrap as not planned", () => {
    const dir = outdir(stacks());
    expect(planMatrix(dir, { '111111111111': 'arn:aws:iam::111111111111:role/plan' })).toEqual([
      {
        stack: 'prod-ap-northeast-1',
        account: '111111111111',
        region: 'ap-northeast-1',
        role: 'arn:aws:iam::111111111111:role/plan',
        planRole: 'arn:aws:iam::111111111111:role/plan',
      },
    ]);
    expect(planMatrix(dir, {}, 'ssmb-plan')[0]).toMatchObject({
      role: 'arn:aws:iam::111111111111:role/ssmb-plan',
      planRole: 'arn:aws:iam::111111111111:role/ssmb-plan',
    });
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
    expect(() => planMatrix(dir, { '222222222222': 'arn:aws:iam::222222222222:role/plan' })).toThrow(
      /no plan role for account 111111111111/,
    );
    expect(() => parseRoles('{"111111111111": "plan"}')).toThrow(/must map 12-digit account ids to role ARNs/);
    expect(() => parseRoles('{')).toThrow(/not JSON/);
    expect(parseRoles('')).toEqual({});
  });

  const DEPLOY = 'arn:aws:iam::111111111111:role/ssm-baseline-deploy';
  const PLAN = 'arn:aws:iam::111111111111:role/ssm-baseline-plan';
  const OIDC = 'arn:aws:iam::111111111111:role/ssm-baseline-github';
  /** The stacks as the platform synthesizes them for an account with a deploy role. */
  const deployed = () => {
    const s = stacks();
    s['prod-ap-northeast-1'].provider!.aws[0].assume_role = [{ role_arn: DEPLOY, session_name: 'ssm-baseline-prod' }];
    s['prod-ap-northeast-1'].terraform!.backend.s3.assume_role = { role_arn: DEPLOY, session_name: 'ssm-baseline-state-prod' };
    return s;
  };

  it("carries the account's planRoleArn, which is also the OIDC role when no variable names one", () => {
    const planRoles = configPlanRoles(
      parseConfig({
        accounts: [
          { id: '111111111111', name: 'prod', regions: ['ap-northeast-1'], deployRoleArn: DEPLOY, planRoleArn: PLAN },
          { id: '222222222222', name: 'dev', regions: ['ap-northeast-1'] },
        ],
      }),
    );
    expect(planRoles).toEqual({ '111111111111': PLAN });
    const dir = outdir(deployed());
    expect(planMatrix(dir, {}, undefined, planRoles)).toEqual([
      { stack: 'prod-ap-northeast-1', account: '111111111111', region: 'ap-northeast-1', role: PLAN, planRole: PLAN },
    ]);
    expect(planMatrix(dir, { '111111111111': OIDC }, undefined, planRoles)[0]).toMatchObject({ role: OIDC, planRole: PLAN });
  });

  it('feeds the override: the plan job never assumes the deploy role', () => {
    const dir = outdir(deployed());
    for (const [roles, planRoles, assumed] of [
      [{ '111111111111': OIDC }, { '111111111111': PLAN }, PLAN],
      [{ '111111111111': OIDC }, {}, null],
    ] as const) {
      const [entry] = planMatrix(dir, roles, undefined, planRoles);
      const file = writePlanRoleOverride(join(dir, 'stacks', entry.stack), { planRole: entry.planRole, oidcRole: entry.role });
      expect(file.endsWith(PLAN_ROLE_OVERRIDE_FILE)).toBe(true);
      const override = JSON.parse(readFileSync(file, 'utf8'));
      expect(override.provider.aws[0].assume_role).toEqual([
        assumed ? { role_arn: assumed, session_name: 'ssm-baseline-plan' } : { role_arn: null },
      ]);
      expect(override.terraform.backend.s3.assume_role).toEqual(
        assumed ? { role_arn: assumed, session_name: 'ssm-baseline-plan' } : undefined,
      );
      expect(JSON.stringify(override)).not.toContain(DEPLOY);
    }
  });

  it('refuses an OIDC or plan role that is the deploy role, or a role of another account', () => {
    const dir = outdir(deployed());
    expect(() => planMatrix(dir, { '111111111111': DEPLOY })).toThrow(
      /prod-ap-northeast-1: the OIDC role .*ssm-baseline-deploy is a role the stack deploys or writes state with/,
    );
    expect(() => planMatrix(dir, { '111111111111': OIDC }, undefined, { '111111111111': DEPLOY })).toThrow(
      /the plan role .*ssm-baseline-deploy is a role the stack deploys/,
    );
    expect(() => planMatrix(dir, { '111111111111': 'arn:aws:iam::222222222222:role/plan' })).toThrow(
      /OIDC role arn:aws:iam::222222222222:role\/plan is not a role in account 111111111111/,
    );
    expect(() => planMatrix(dir, {}, undefined, { '222222222222': PLAN.replace('111111111111', '222222222222') })).toThrow(
      /no plan role for account 111111111111; set planRoleArn/,
    );
  });
});

describe("plan:summary --matrix above GitHub's 256 jobs per matrix", () => {
  const run = async (dir: string) => {
    let out = '';
    let err = '';
    const code = await planSummary(['--matrix', dir], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: { SSMB_CONFIG: join(ROOT, 'config', 'example.json'), SSMB_PLAN_ROLE_NAME: 'ssm-baseline-plan' },
    });
    return { code, out, err };
  };

  it('splits 300 planned stacks into chunks of at most 256, each stack exactly once', async () => {
    const dir = outdir(fleet());
    const { code, out } = await run(dir);
    expect(code).toBe(0);
    const matrix = JSON.parse(out) as { stacks: number; chunks: Array<{ name: string; include: Array<{ stack: string; role: string }> }> };
    expect(matrix.stacks).toBe(300);
    expect(matrix.chunks.map((c) => c.include.length)).toEqual([256, 44]);
    expect(matrix.chunks.map((c) => c.name)).toEqual(['1-256 of 300', '257-300 of 300']);
    const stacks = matrix.chunks.flatMap((c) => c.include.map((e) => e.stack));
    expect(stacks).toEqual(Object.keys(fleet()).sort());
    expect(matrix.chunks[1].include[0]).toMatchObject({
      stack: 'acct25-eu-west-2',
      role: 'arn:aws:iam::100000000025:role/ssm-baseline-plan',
    });
  });

  it('keeps a small fleet in one chunk, and an empty one in none', () => {
    const entries = planMatrix(outdir(fleet()), {}, 'ssm-baseline-plan').slice(0, 3);
    expect(matrixChunks(entries)).toEqual({ stacks: 3, chunks: [{ name: '1-3 of 3', include: entries }] });
    expect(matrixChunks([])).toEqual({ stacks: 0, chunks: [] });
  });

  it('refuses a fleet beyond 256 chunks of 256 rather than emitting a matrix GitHub rejects', () => {
    const entry = planMatrix(outdir(fleet()), {}, 'ssm-baseline-plan')[0];
    const many = Array.from({ length: MAX_MATRIX_JOBS * MAX_MATRIX_JOBS + 1 }, () => entry);
    expect(() => matrixChunks(many)).toThrow(/65537 stacks to plan; the workflow plans at most 65536/);
  });
});

describe('plan:summary with an unreadable plan.json', () => {
  it('reports the stack and the file instead of failing the whole summary', async () => {
    const dir = outdir({ 'prod-ap-northeast-1': compliantStack(), 'staging-ap-northeast-1': compliantStack() });
    const bad = join(dir, 'stacks', 'prod-ap-northeast-1', 'plan.json');
    writeFileSync(bad, '{"format_version": "1.2", "resource_changes": [');
    writeFileSync(join(dir, 'stacks', 'staging-ap-northeast-1', 'plan-skipped.txt'), 'no plan role is configured\n');
    const md = await summarize(dir);
    expect(md).toContain('⚠️ 1 stack(s) could not be planned');
    expect(md).toMatch(/\| prod-ap-northeast-1 \| – \| – \| – \| – \| ⚠️ plan failed; /);
    const section = md.slice(md.indexOf('### prod-ap-northeast-1'));
    expect(section).toContain(`${bad}:1:`);
    expect(section).toContain('invalid JSON');
    expect(md).toContain('| staging-ap-northeast-1 | – | – | – | – | ⏭️ not planned');
  });
});

describe('plan:summary agrees with the policy job', () => {
  it('checks stacks without a plan on their cdk.tf.json, like `policy --plans`', async () => {
    const wildcard = broken((s) =>
      statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['s3:*'], resources: ['${aws_s3_bucket.logs.arn}/*'] }),
    );
    const dir = outdir({
      'prod-ap-northeast-1': wildcard,
      'staging-ap-northeast-1': broken((s) => {
        s['//'] = { metadata: { stackName: 'staging-ap-northeast-1' } };
        s.terraform!.backend.s3.key = 'ssm-baseline/222222222222/ap-northeast-1/terraform.tfstate';
      }),
    });
    writeFileSync(join(dir, 'stacks', 'prod-ap-northeast-1', 'plan-error.txt'), 'Error: No valid credential sources found\n');
    writeFileSync(join(dir, 'stacks', 'staging-ap-northeast-1', 'plan-skipped.txt'), 'no plan role is configured\n');
    let out = '';
    expect(await policyCli(['--plans', '--format', 'json', dir], (x) => (out += x))).toBe(1);
    const cli = JSON.parse(out);
    expect(cli.summary.unsuppressed).toBe(1);

    const md = await summarize(dir);
    expect(md).toContain(
      `**Policy checks: ❌ ${cli.summary.unsuppressed} unsuppressed finding(s)** (${cli.summary.rules} rules, ${cli.summary.suppressed} suppressed)`,
    );
    expect(md).toContain('| prod-ap-northeast-1 | – | – | – | – | ⚠️ plan failed; ❌ 1 on cdk.tf.json |');
    expect(md).toContain('| staging-ap-northeast-1 | – | – | – | – | ⏭️ not planned; ✅ none on cdk.tf.json |');
    const section = md.slice(md.indexOf('### prod-ap-northeast-1'), md.indexOf('### staging-ap-northeast-1'));
    expect(section).toContain('**Policy findings** (on cdk.tf.json)');
    expect(section).toContain(`| high | SSMB-IAM-001 | \`${cli.findings[0].address}\` |`);
  });
});

describe('plan:summary length', () => {
  const fences = (md: string) => md.split('\n').filter((l) => /^\s*```/.test(l)).length;

  it('closes a code block the cut falls into before the note', () => {
    // Failed plans whose logs alone exceed what GitHub accepts in a comment.
    const line = (i: number) => `Error: ${i} ${'x'.repeat(2_500)}`;
    const error = Array.from({ length: 30 }, (_, i) => line(i)).join('\n');
    const stacks = Array.from({ length: 3 }, (_, i) => ({ name: `prod-r${i}`, error, file: `stacks/prod-r${i}/plan.json` }));
    const md = renderPlanSummary(stacks, undefined);
    expect(md.length).toBeLessThan(65_536);
    expect(fences(md) % 2).toBe(0);
    const note = md.indexOf('…summary cut at 60000 characters');
    expect(note).toBeGreaterThan(0);
    // The note follows a closing fence, outside any code block.
    expect(fences(md.slice(0, note)) % 2).toBe(0);
    expect(md.slice(0, note).trimEnd().endsWith('```')).toBe(true);
  });

  it('cuts at a line break and closes an open <details> too; short text is not cut', () => {
    const md = ['a', '<details><summary>s</summary>', '', '```', 'b'.repeat(50), 'c'.repeat(50), '```', '</details>', ''].join('\n');
    const cut = truncate(md, md.indexOf('c'.repeat(50)) + 10);
    expect(cut.startsWith(`${md.slice(0, md.indexOf('c'.repeat(50)) - 1)}\n\`\`\`\n</details>\n\n…summary cut at`)).toBe(true);
    expect(renderPlanSummary([{ name: 'x', error: 'short', file: 'x/plan.json' }], undefined)).not.toContain('summary cut');
  });
});
