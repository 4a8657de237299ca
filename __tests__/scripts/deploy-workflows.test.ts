import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { artifactName, artifactPattern } from '../../scripts/deploy/artifacts';
import { DRIFT_MARKER } from '../../scripts/deploy/drift';
import { environmentName } from '../../scripts/deploy/order';
import { ROOT } from '../helpers/synth';

// The apply and drift workflows: who holds which credentials, and where.
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const raw = (f: string) => readFileSync(join(WORKFLOWS, f), 'utf8');
const wf = (f: string) => parse(raw(f));
const FILES = ['apply.yml', 'apply-stacks.yml', 'drift.yml', 'drift-stacks.yml', 'plan.yml', 'plan-stacks.yml'];
type Step = {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, any>;
  env?: Record<string, string>;
};
const jobs = FILES.flatMap((file) => Object.entries(wf(file).jobs as Record<string, any>).map(([id, job]) => ({ file, id, job })));
const stepsOf = (file: string, job: string): Step[] => wf(file).jobs[job].steps;
const creds = (s: Step) => !!s.uses?.startsWith('aws-actions/configure-aws-credentials@');

describe('apply workflow', () => {
  const apply = wf('apply.yml');
  const stacks = wf('apply-stacks.yml');
  const steps = stepsOf('apply-stacks.yml', 'apply');

  it('runs on merge to main, one wave after another, each stack in its account environment', () => {
    expect(apply.on).toEqual({ push: { branches: ['main'] } });
    expect(apply.jobs.apply.uses).toBe('./.github/workflows/apply-stacks.yml');
    expect(apply.jobs.apply.strategy).toEqual({
      'fail-fast': false,
      'max-parallel': 1,
      matrix: { unit: '${{ fromJSON(needs.synth.outputs.order).units }}' },
    });
    expect(stacks.jobs.apply.environment).toBe('${{ matrix.environment }}');
    expect(environmentName('111111111111')).toBe('ssm-baseline-111111111111');
    expect(apply.jobs.report.if).toBe("always() && needs.synth.result == 'success'");
  });

  it('assumes the role of the environment through OIDC: no long-lived keys anywhere', () => {
    const c = steps.filter(creds);
    expect(c).toHaveLength(1);
    expect(c[0].with).toEqual({
      'role-to-assume': '${{ vars.SSMB_APPLY_ROLE_ARN }}',
      'role-session-name': 'ssmb-apply-${{ github.run_id }}',
      'aws-region': '${{ matrix.region }}',
    });
    for (const file of FILES) {
      expect(raw(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\.AWS/);
    }
  });

  it('applies only the saved fresh plan, and only after it matched the reviewed plan', () => {
    const run = steps.find((s) => s.run?.includes('terraform apply'))!.run!;
    const at = (s: string) => run.indexOf(s);
    expect(at('terraform plan -input=false -no-color -detailed-exitcode -out=tfplan')).toBeGreaterThan(at('terraform init'));
    expect(at('deploy compare reviewed.json fresh.json')).toBeGreaterThan(at('terraform show -json tfplan > fresh.full.json'));
    expect(at('terraform apply -input=false -no-color tfplan')).toBeGreaterThan(at('record refused'));
    expect(run.match(/terraform apply/g)).toHaveLength(1);
    // The reviewed plan: the plan-<stack> artifact of the pull request's plan run.
    const reviewed = steps.find((s) => s.with?.name === '${{ matrix.reviewed }}')!;
    expect(reviewed.with).toMatchObject({ 'run-id': '${{ inputs.reviewed-run-id }}', path: 'reviewed' });
    expect(apply.jobs.apply.with['reviewed-run-id']).toBe('${{ needs.reviewed.outputs.run-id }}');
    // Everything after the gate runs only when the gate let the stack through.
    const gate = steps.findIndex((s) => s.id === 'gate');
    expect(steps[gate].run).toContain('gate cdktf.out --stack "$STACK" --results results');
    for (const s of steps.slice(gate + 1, -2)) expect(s.if).toBe("steps.gate.outputs.run == 'true'");
    expect(steps.at(-1)).toMatchObject({ if: 'always()', with: { name: '${{ matrix.result }}', path: 'out/result.json' } });
  });

  it('moves results and reviewed plans under the names one function gives', () => {
    const plan = stepsOf('plan-stacks.yml', 'plan').find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(String(plan.with!.name).replace('${{ matrix.stack }}', 'prod-us-east-1')).toBe(artifactName('plan', 'prod-us-east-1'));
    const pattern = (file: string, job: string) => stepsOf(file, job).find((s) => s.with?.pattern)!.with!.pattern;
    expect(pattern('plan.yml', 'review')).toBe(artifactPattern('plan'));
    expect(pattern('apply.yml', 'report')).toBe(artifactPattern('apply'));
    expect(pattern('apply-stacks.yml', 'apply')).toBe(artifactPattern('apply'));
    expect(pattern('drift.yml', 'report')).toBe(artifactPattern('drift'));
    const drift = stepsOf('drift-stacks.yml', 'drift');
    expect(drift.find((s) => s.id === 'artifact')!.run).toContain('scripts--deploy.js artifact drift "$STACK"');
    expect(drift.at(-1)!.with!.name).toBe('${{ steps.artifact.outputs.name }}');
  });
});

describe('drift workflow', () => {
  const drift = wf('drift.yml');
  const steps = stepsOf('drift-stacks.yml', 'drift');

  it('runs on a schedule, from the pull-request plan matrix (read-only plan roles)', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(stepsOf('drift.yml', 'synth').find((s) => s.id === 'matrix')!.run).toContain(
      'npm run --silent plan:summary -- --matrix cdktf.out',
    );
    expect(drift.jobs.plan.uses).toBe('./.github/workflows/drift-stacks.yml');
  });

  it('plans as the read-only plan role with -detailed-exitcode, never the deploy role', () => {
    expect(steps.find(creds)!.with).toMatchObject({ 'role-to-assume': '${{ matrix.role }}' });
    const plan = steps.find((s) => s.run?.includes('terraform plan'))!;
    expect(plan.env).toEqual({ PLAN_ROLE: '${{ matrix.planRole }}', OIDC_ROLE: '${{ matrix.role }}', STACK: '${{ matrix.stack }}' });
    const run = plan.run!;
    expect(run.indexOf('scripts--plan-role-override.js" . "$PLAN_ROLE" "$OIDC_ROLE"')).toBeGreaterThan(-1);
    expect(run.indexOf('scripts--plan-role-override.js')).toBeLessThan(run.indexOf('terraform init'));
    expect(run).toMatch(/terraform plan -input=false -lock=false -no-color -detailed-exitcode -out=tfplan/);
    expect(run).toContain('echo "$status" > drift-exitcode.txt');
    expect(raw('drift-stacks.yml')).not.toContain('SSMB_APPLY_ROLE');
    expect(raw('drift.yml')).not.toContain('SSMB_APPLY_ROLE');
  });

  it('keeps one issue by its marker and closes it when the fleet is clean', () => {
    const script = String(stepsOf('drift.yml', 'report').find((s) => s.uses?.startsWith('actions/github-script@'))!.with!.script);
    expect(script).toContain(`const marker = '${DRIFT_MARKER}';`);
    expect(script).toMatch(/state === 'clean'[\s\S]*state: 'closed'/);
    expect(script).toMatch(/issues\.update[\s\S]*issues\.create/);
  });
});

describe('permissions of the deploy workflows', () => {
  it('grants id-token: write only to jobs that assume an AWS role (or call the workflow that does)', () => {
    const oidc = jobs.filter(({ job }) => job.permissions?.['id-token'] === 'write').map(({ file, id }) => `${file}:${id}`);
    expect(oidc.sort()).toEqual([
      'apply-stacks.yml:apply',
      'apply.yml:apply',
      'drift-stacks.yml:drift',
      'drift.yml:plan',
      'plan-stacks.yml:plan',
      'plan.yml:plan',
    ]);
    for (const { file, id, job } of jobs) {
      const assumes = job.uses ? true : (job.steps as Step[]).some(creds);
      expect({ file, id, oidc: job.permissions?.['id-token'] === 'write' }).toEqual({ file, id, oidc: assumes });
    }
  });

  it('grants issues: write only to the drift report, and reading other runs only where reviewed plans are fetched', () => {
    const holders = (perm: string, level: string) =>
      jobs.filter(({ job }) => job.permissions?.[perm] === level).map(({ file, id }) => `${file}:${id}`);
    expect(holders('issues', 'write')).toEqual(['drift.yml:report']);
    expect(holders('actions', 'read').sort()).toEqual(['apply-stacks.yml:apply', 'apply.yml:apply', 'apply.yml:reviewed']);
    expect(wf('drift.yml').jobs.report.permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(wf('apply.yml').jobs.reviewed.permissions).toEqual({ contents: 'read', 'pull-requests': 'read', actions: 'read' });
  });
});

describe('plans leave a job only redacted', () => {
  // Every `terraform show -json` goes to a file no artifact holds, then `deploy redact`
  // writes the file that is uploaded or compared.
  const redactsBefore = (run: string, full: string, redacted: string, call = 'scripts--deploy.js"') => {
    expect(run).toContain(`terraform show -json tfplan > ${full}`);
    const redact = run.indexOf(`${call} redact ${full} ${redacted}`);
    expect(redact).toBeGreaterThan(run.indexOf(`terraform show -json tfplan > ${full}`));
    expect(run).not.toMatch(new RegExp(`terraform show -json tfplan > ${redacted.replace('.', '\\.')}`));
    expect(run).toContain(`rm -f ${full}`);
  };

  it.each([
    ['plan-stacks.yml', 'plan'],
    ['drift-stacks.yml', 'drift'],
  ])('%s uploads plan.json only as deploy redact wrote it', (file, job) => {
    const steps = stepsOf(file, job);
    const show = steps.findIndex((s) => s.run?.includes('terraform show -json'));
    redactsBefore(steps[show].run!, 'plan.full.json', 'plan.json');
    const uploads = steps.map((s, i) => [s, i] as const).filter(([s]) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads).toHaveLength(1);
    const [upload, at] = uploads[0];
    expect(at).toBeGreaterThan(show);
    expect(String(upload.with!.path)).not.toContain('plan.full.json');
    expect(String(upload.with!.path)).toContain('plan.json');
  });

  it('the plan jobs get the deploy glue that redacts', () => {
    const tools = stepsOf('plan.yml', 'synth').find((s) => s.with?.name === 'tools')!;
    expect(String(tools.with!.path)).toContain('dist/bin/scripts--deploy.js');
    expect(stepsOf('plan.yml', 'synth').some((s) => s.run?.includes('node tooling/run.js --build scripts/deploy.ts'))).toBe(true);
  });

  it('the apply compares the redacted fresh plan with the redacted reviewed plan', () => {
    const run = stepsOf('apply-stacks.yml', 'apply').find((s) => s.run?.includes('terraform apply'))!.run!;
    redactsBefore(run, 'fresh.full.json', 'fresh.json', 'deploy');
    // A reviewed plan is redacted again: one uploaded before redaction existed is compared the same way.
    expect(run).toContain('deploy redact "$reviewed" reviewed.json');
    expect(run.indexOf('deploy compare reviewed.json fresh.json')).toBeGreaterThan(run.indexOf('rm -f fresh.full.json'));
  });

  it('the summary and the drift issue render the downloaded (redacted) plans, nothing else', () => {
    // The review and report jobs run no terraform: they only have the plan-* / drift-* artifacts.
    for (const [file, job] of [
      ['plan.yml', 'review'],
      ['drift.yml', 'report'],
    ])
      for (const s of stepsOf(file, job)) expect(s.run ?? '').not.toMatch(/terraform (show|plan) -/);
  });
});

describe('docs/deploy.md on OIDC', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8').replace(/\s+/g, ' ');
  // The `sub` claim of a job's OIDC token: its environment when it has one, else
  // `pull_request` for a pull-request event, else the ref the run is on (a schedule runs on
  // the default branch). A called workflow's job runs in its caller's event.
  const subjects = (caller: string, called: string, job: string): string[] => {
    if (wf(called).jobs[job].environment) return ['repo:acme/ssm-baseline:environment:ssm-baseline-111111111111'];
    return Object.keys(wf(caller).on).map((event) =>
      event === 'pull_request' ? 'repo:acme/ssm-baseline:pull_request' : 'repo:acme/ssm-baseline:ref:refs/heads/main',
    );
  };

  it('names the subject of every job that assumes a role through OIDC, drift included', () => {
    expect(subjects('plan.yml', 'plan-stacks.yml', 'plan')).toEqual(['repo:acme/ssm-baseline:pull_request']);
    const drift = subjects('drift.yml', 'drift-stacks.yml', 'drift');
    expect(new Set(drift)).toEqual(new Set(['repo:acme/ssm-baseline:ref:refs/heads/main']));
    for (const s of [...subjects('apply.yml', 'apply-stacks.yml', 'apply'), ...drift]) expect(doc).toContain(`"${s}"`);
  });

  it('does not say that only the apply jobs can request an OIDC token', () => {
    // The plan and drift jobs hold id-token: write too (the permissions test above).
    expect(doc).not.toMatch(/Only the apply jobs hold `id-token: write`/);
  });
});
