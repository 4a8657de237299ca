import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../scripts/cli-args';
import { USAGE as DEPLOY_USAGE, main as deploy } from '../../scripts/deploy';
import { USAGE as DRIFT_USAGE, main as drift } from '../../scripts/drift';
import { artifactName, artifactPattern, stackOfArtifact } from '../../scripts/deploy/artifacts';
import { UNKNOWN, comparePlans, normalizePlan, renderDifferences } from '../../scripts/deploy/compare';
import { DRIFT_MARKER, readDrift, renderDriftIssue, stackDrift } from '../../scripts/deploy/drift';
import {
  APPLY_ORDER_FILE,
  StackResult,
  applyOrder,
  applyWaves,
  dependantsOf,
  gate,
  manifestGraph,
  readResults,
  renderApplySummary,
  writeResult,
} from '../../scripts/deploy/order';
import { exampleConfig, synthToDir } from '../helpers/synth';

// Plans made once with terraform 1.11 and hashicorp/aws 5.100.0 from fixtures/plans/main.tf.json:
// create.json against no state; update.json against state.tfstate.json (the topic's
// display_name changes; the SecureString parameter is updated); update-other-secret.json
// the same with another parameter value (a sensitive value).
const FIXTURES = join(__dirname, 'fixtures', 'plans');
const plan = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function io(): Io & { stdout: string; stderr: string } {
  const c = { stdout: '', stderr: '', out: (s: string) => void (c.stdout += s), err: (s: string) => void (c.stderr += s), env: {} };
  return c;
}

describe('artifact names', () => {
  it('names one stack artifact per kind, and the download pattern finds exactly that kind', () => {
    expect(artifactName('plan', 'prod-ap-northeast-1')).toBe('plan-prod-ap-northeast-1');
    expect(artifactName('apply', 'prod-ap-northeast-1')).toBe('apply-prod-ap-northeast-1');
    expect(artifactName('drift', 'prod-ap-northeast-1')).toBe('drift-prod-ap-northeast-1');
    expect(artifactPattern('plan')).toBe('plan-*');
    expect(stackOfArtifact('apply', 'apply-prod-us-east-1')).toBe('prod-us-east-1');
    expect(stackOfArtifact('apply', 'plan-prod-us-east-1')).toBeUndefined();
    expect(stackOfArtifact('plan', 'tools')).toBeUndefined();
  });

  it('refuses a stack name GitHub would refuse in an artifact name', () => {
    expect(() => artifactName('plan', 'prod/us-east-1')).toThrow(/cannot name an artifact/);
    expect(() => artifactName('plan', '')).toThrow(/cannot name an artifact/);
  });
});

describe('plan comparison', () => {
  it('passes identical plans, whatever their timestamp, configuration or no-op entries', () => {
    const reviewed = plan('update.json');
    const fresh = plan('update.json');
    fresh.timestamp = '2031-01-01T00:00:00Z';
    fresh.configuration = {};
    fresh.resource_changes = fresh.resource_changes.filter((c: any) => c.change.actions[0] !== 'no-op');
    expect(comparePlans(reviewed, fresh)).toEqual([]);
    expect(comparePlans(plan('create.json'), plan('create.json'))).toEqual([]);
  });

  it('keeps unknown values as one marker and known values as they are', () => {
    const topic = normalizePlan(plan('create.json')).get('aws_sns_topic.alerts')!;
    expect(topic.actions).toEqual(['create']);
    expect(topic.after).toMatchObject({ arn: UNKNOWN, id: UNKNOWN, name: 'ssmb-prod-ap-northeast-1-alerts' });
    expect(topic.before).toBeNull();
  });

  it('fails on a changed attribute, naming it', () => {
    const fresh = plan('update.json');
    fresh.resource_changes.find((c: any) => c.address === 'aws_sns_topic.alerts').change.after.display_name = 'SSM baseline (ops)';
    expect(comparePlans(plan('update.json'), fresh)).toEqual([
      {
        address: 'aws_sns_topic.alerts',
        kind: 'value',
        path: 'after.display_name',
        reviewed: '"SSM baseline alerts"',
        fresh: '"SSM baseline (ops)"',
      },
    ]);
  });

  it('fails on a resource the reviewed plan did not show, and on one it showed that is gone', () => {
    const reviewed = plan('update.json');
    const fresh = plan('update.json');
    const queue = fresh.resource_changes.find((c: any) => c.address === 'aws_sqs_queue.dlq');
    queue.change.actions = ['delete'];
    queue.change.after = null;
    expect(comparePlans(reviewed, fresh)).toEqual([{ address: 'aws_sqs_queue.dlq', kind: 'only-fresh', fresh: 'delete' }]);
    expect(comparePlans(fresh, reviewed)).toEqual([{ address: 'aws_sqs_queue.dlq', kind: 'only-reviewed', reviewed: 'delete' }]);
    const added = plan('create.json');
    added.resource_changes.push({ ...added.resource_changes[0], address: 'aws_sns_topic.extra', name: 'extra' });
    expect(comparePlans(plan('create.json'), added).map((d) => [d.address, d.kind])).toEqual([['aws_sns_topic.extra', 'only-fresh']]);
  });

  it('fails on a different action (an update that became a replacement)', () => {
    const fresh = plan('update.json');
    fresh.resource_changes.find((c: any) => c.address === 'aws_sns_topic.alerts').change.actions = ['delete', 'create'];
    expect(comparePlans(plan('update.json'), fresh)).toEqual([
      { address: 'aws_sns_topic.alerts', kind: 'actions', reviewed: 'update', fresh: 'delete,create' },
    ]);
  });

  it('fails when a value known at review is unknown now, or the other way round', () => {
    const fresh = plan('create.json');
    const topic = fresh.resource_changes.find((c: any) => c.address === 'aws_sns_topic.alerts').change;
    delete topic.after.name;
    topic.after_unknown.name = true;
    const diffs = comparePlans(plan('create.json'), fresh);
    expect(diffs).toEqual([
      {
        address: 'aws_sns_topic.alerts',
        kind: 'value',
        path: 'after.name',
        reviewed: '"ssmb-prod-ap-northeast-1-alerts"',
        fresh: `"${UNKNOWN}"`,
      },
    ]);
    expect(comparePlans(fresh, plan('create.json'))).toHaveLength(1);
  });

  it('compares sensitive values by digest and never prints them', () => {
    const reviewed = plan('update.json');
    const fresh = plan('update-other-secret.json');
    const diffs = comparePlans(reviewed, fresh);
    // A new value also makes the provider expect a new version: known at review, unknown now.
    expect(diffs.map((d) => [d.address, d.path, d.reviewed, d.fresh])).toEqual([
      ['aws_ssm_parameter.webhook', 'after.insecure_value', 'null', `"${UNKNOWN}"`],
      ['aws_ssm_parameter.webhook', 'after.value', '(sensitive value)', '(sensitive value)'],
      ['aws_ssm_parameter.webhook', 'after.version', '1', `"${UNKNOWN}"`],
    ]);
    const text = renderDifferences(diffs) + JSON.stringify(normalizePlan(fresh).get('aws_ssm_parameter.webhook'));
    expect(text).not.toContain('hooks.example.com');
    expect(renderDifferences(diffs)).toContain('aws_ssm_parameter.webhook after.value: reviewed (sensitive value), now (sensitive value)');
  });

  it('compare: exit 0 for the same plan, 1 with the differences, 2 on a bad command line', async () => {
    const same = io();
    expect(await deploy(['compare', join(FIXTURES, 'update.json'), join(FIXTURES, 'update.json')], same)).toBe(0);
    expect(same.stdout).toMatch(/is the reviewed plan/);
    const differ = io();
    expect(await deploy(['compare', join(FIXTURES, 'update.json'), join(FIXTURES, 'update-other-secret.json')], differ)).toBe(1);
    expect(differ.stdout).toMatch(/^3 difference\(s\) from the reviewed plan:/);
    const bad = io();
    expect(await deploy(['compare', '--strict-ish', 'a', 'b'], bad)).toBe(2);
    expect(bad.stderr).toContain(DEPLOY_USAGE);
    const help = io();
    expect(await deploy(['--help'], help)).toBe(0);
    expect(help.stdout).toBe(DEPLOY_USAGE);
    expect(await deploy(['compare', 'only-one'], io())).toBe(2);
    expect(await deploy(['frobnicate', 'x'], io())).toBe(2);
  });
});

/** A cdktf.out-shaped folder: stacks with an S3 or local backend, and their manifest dependencies. */
function fleet(stacks: Record<string, { account: string; region: string; backend: 's3' | 'local'; deps: string[] }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-order-'));
  const manifest: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    const backend =
      s.backend === 's3'
        ? {
            s3: {
              bucket: `ssmb-tfstate-${s.account}`,
              key: `ssm-baseline/${s.account}/${s.region}/terraform.tfstate`,
              region: 'eu-west-1',
            },
          }
        : { local: { path: `../../../bootstrap-state/${name}.tfstate` } };
    writeFileSync(
      join(dir, 'stacks', name, 'cdk.tf.json'),
      JSON.stringify({ provider: { aws: [{ region: s.region, allowed_account_ids: [s.account] }] }, terraform: { backend } }),
    );
    manifest[name] = { name, workingDirectory: `stacks/${name}`, dependencies: s.deps };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: manifest }));
  return dir;
}

/** A hub account (its own bootstrap and a hub stack) and a spoke whose region stacks depend on its bootstrap and the hub. */
const hubFleet = () =>
  fleet({
    'hub-bootstrap': { account: '999999999999', region: 'eu-west-1', backend: 'local', deps: [] },
    hub: { account: '999999999999', region: 'eu-west-1', backend: 's3', deps: ['hub-bootstrap'] },
    'prod-bootstrap': { account: '111111111111', region: 'eu-west-1', backend: 'local', deps: [] },
    'prod-eu-west-1': { account: '111111111111', region: 'eu-west-1', backend: 's3', deps: ['prod-bootstrap', 'hub'] },
    'prod-us-east-1': { account: '111111111111', region: 'us-east-1', backend: 's3', deps: ['prod-bootstrap', 'hub'] },
  });

const result = (stack: string, outcome: StackResult['outcome'], because?: string[]): StackResult => ({
  stack,
  outcome,
  ...(because ? { because } : {}),
});

describe('apply order', () => {
  let example: string;
  beforeAll(() => {
    example = synthToDir(exampleConfig());
  });

  it("applies the example's bootstrap stacks before its region stacks (manifest of a real synth)", () => {
    expect(applyWaves(manifestGraph(example))).toEqual([
      ['prod-bootstrap', 'staging-bootstrap'],
      ['prod-ap-northeast-1', 'prod-us-east-1', 'staging-ap-northeast-1'],
    ]);
    const order = applyOrder(example);
    // The bootstraps keep local state: applied by hand, listed, and not blocking.
    expect(Object.keys(order.manual)).toEqual(['prod-bootstrap', 'staging-bootstrap']);
    expect(order.units).toEqual([
      {
        name: 'wave 1 of 1',
        include: [
          {
            stack: 'prod-ap-northeast-1',
            account: '111111111111',
            region: 'ap-northeast-1',
            environment: 'ssm-baseline-111111111111',
            reviewed: 'plan-prod-ap-northeast-1',
            result: 'apply-prod-ap-northeast-1',
          },
          expect.objectContaining({ stack: 'prod-us-east-1', region: 'us-east-1', environment: 'ssm-baseline-111111111111' }),
          expect.objectContaining({ stack: 'staging-ap-northeast-1', environment: `ssm-baseline-${exampleConfig().accounts[1].id}` }),
        ],
      },
    ]);
  });

  it('orders a hub before the stacks that depend on it, whatever the stacks are called', () => {
    const dir = hubFleet();
    expect(applyWaves(manifestGraph(dir))).toEqual([['hub-bootstrap', 'prod-bootstrap'], ['hub'], ['prod-eu-west-1', 'prod-us-east-1']]);
    const order = applyOrder(dir);
    expect(order.units.map((u) => [u.name, u.include.map((e) => e.stack)])).toEqual([
      ['wave 1 of 2', ['hub']],
      ['wave 2 of 2', ['prod-eu-west-1', 'prod-us-east-1']],
    ]);
    expect(order.units[0].include[0].environment).toBe('ssm-baseline-999999999999');
    // A wave larger than one matrix is cut, in order.
    expect(applyOrder(dir, 1).units.map((u) => u.name)).toEqual(['wave 1 of 2', 'wave 2 of 2, 1-1 of 2', 'wave 2 of 2, 2-2 of 2']);
  });

  it('refuses a dependency cycle and a dependency the manifest does not list', () => {
    expect(() => applyWaves({ a: ['b'], b: ['a'], c: [] })).toThrow('the stack dependencies form a cycle among a, b');
    expect(() => applyWaves({ a: ['ghost'] })).toThrow('stack a depends on ghost, which the manifest does not list');
  });

  it("stops a failed stack's dependants, transitively, and nothing else", () => {
    const graph = { boot: [], hub: ['boot'], a: ['hub'], b: ['a'], c: ['boot'] };
    expect(dependantsOf(graph, ['hub'])).toEqual(['a', 'b']);
    expect(dependantsOf(graph, ['a'])).toEqual(['b']);
    expect(dependantsOf(graph, ['c'])).toEqual([]);
  });

  it('gates each stack on the results of this run: failed, refused, skipped or missing dependencies stop it', () => {
    const order = applyOrder(hubFleet());
    const run = (...rs: StackResult[]) => new Map(rs.map((r) => [r.stack, r]));
    expect(gate(order, 'hub', run())).toBeUndefined(); // its bootstrap is applied by hand
    expect(gate(order, 'prod-eu-west-1', run(result('hub', 'applied')))).toBeUndefined();
    expect(gate(order, 'prod-eu-west-1', run(result('hub', 'unchanged')))).toBeUndefined();
    expect(gate(order, 'prod-eu-west-1', run(result('hub', 'failed')))).toEqual(result('prod-eu-west-1', 'skipped', ['hub']));
    expect(gate(order, 'prod-us-east-1', run(result('hub', 'refused')))).toEqual(result('prod-us-east-1', 'skipped', ['hub']));
    const chain = { ...order, graph: { ...order.graph, leaf: ['prod-eu-west-1'] } };
    expect(gate(chain, 'leaf', run(result('prod-eu-west-1', 'skipped', ['hub'])))).toEqual(result('leaf', 'skipped', ['hub']));
    expect(gate(order, 'prod-eu-west-1', run())).toEqual({
      ...result('prod-eu-west-1', 'skipped', ['hub']),
      detail: 'no result from hub (its job did not finish first)',
    });
    expect(() => gate(order, 'nope', run())).toThrow(/not in the apply order/);
  });

  it('summarizes applied, failed, refused, skipped-because-of and manual stacks; ok only when all succeeded', () => {
    const order = applyOrder(hubFleet());
    const failed = renderApplySummary(
      order,
      new Map([
        ['hub', { stack: 'hub', outcome: 'failed', detail: 'terraform init, plan or apply failed (see the job log)' }],
        ['prod-eu-west-1', result('prod-eu-west-1', 'skipped', ['hub'])],
      ]),
    );
    expect(failed.ok).toBe(false);
    expect(failed.markdown).toContain(
      '❌ 3 stack(s): 0 applied, 0 unchanged, 0 refused, 2 failed, 1 skipped; 2 not applied by the workflow',
    );
    expect(failed.markdown).toContain('| hub | ❌ failed | terraform init, plan or apply failed (see the job log) |');
    expect(failed.markdown).toContain('| prod-eu-west-1 | ⏭️ skipped | because of hub |');
    expect(failed.markdown).toContain('| prod-us-east-1 | ❌ failed | no result: the job did not run or did not record one |');
    expect(failed.markdown).toMatch(/\| hub-bootstrap \| ✋ not applied here \| its state is local/);
    const fine = renderApplySummary(
      order,
      new Map(['hub', 'prod-eu-west-1', 'prod-us-east-1'].map((s) => [s, result(s, s === 'hub' ? 'unchanged' : 'applied')])),
    );
    expect(fine.ok).toBe(true);
    expect(fine.markdown).toContain('✅ 3 stack(s): 2 applied, 1 unchanged');
  });

  it('runs as the workflow does: order, gate, record, summary through the command line', async () => {
    const dir = hubFleet();
    const order = io();
    expect(await deploy(['order', dir], order)).toBe(0);
    expect(JSON.parse(order.stdout).units.map((u: any) => u.name)).toEqual(['wave 1 of 2', 'wave 2 of 2']);
    expect(JSON.parse(readFileSync(join(dir, APPLY_ORDER_FILE), 'utf8')).stacks).toBe(3);
    // Results as downloaded: one folder per apply-<stack> artifact.
    const results = join(dir, 'results');
    mkdirSync(join(results, artifactName('apply', 'hub')), { recursive: true });
    const hubResult = join(results, artifactName('apply', 'hub'), 'result.json');
    expect(
      await deploy(
        ['record', '--stack', 'hub', '--outcome', 'failed', '--detail', 'Error: creating SNS Topic\nmore', '--output', hubResult],
        io(),
      ),
    ).toBe(0);
    expect(readResults(results).get('hub')).toEqual({ stack: 'hub', outcome: 'failed', detail: 'Error: creating SNS Topic' });
    const skipFile = join(dir, 'skip.json');
    const gated = io();
    expect(await deploy(['gate', dir, '--stack', 'prod-us-east-1', '--results', results, '--output', skipFile], gated)).toBe(1);
    expect(gated.stdout).toBe('prod-us-east-1: not applied because of hub\n');
    mkdirSync(join(results, artifactName('apply', 'prod-us-east-1')));
    writeResult(join(results, artifactName('apply', 'prod-us-east-1'), 'result.json'), JSON.parse(readFileSync(skipFile, 'utf8')));
    expect(await deploy(['gate', dir, '--stack', 'hub', '--results', results, '--output', skipFile], io())).toBe(0);
    const summary = io();
    expect(await deploy(['summary', dir, '--results', results], summary)).toBe(1);
    expect(summary.stdout).toContain('| prod-us-east-1 | ⏭️ skipped | because of hub |');
    expect(await deploy(['record', '--stack', 'hub', '--outcome', 'great', '--output', hubResult], io())).toBe(2);
    expect(await deploy(['gate', dir, '--stack', 'hub'], io())).toBe(2);
    const name = io();
    expect(await deploy(['artifact', 'drift', 'prod-us-east-1'], name)).toBe(0);
    expect(name.stdout).toBe('drift-prod-us-east-1\n');
    expect(await deploy(['artifact', 'logs', 'prod-us-east-1'], io())).toBe(2);
  });
});

describe('drift issue', () => {
  const clean = () => {
    const p = plan('update.json');
    for (const c of p.resource_changes) c.change.actions = ['no-op'];
    return p;
  };

  it('lists drifted resources with their changed attributes (exit status 2)', () => {
    expect(stackDrift('prod-ap-northeast-1', plan('update.json'), 2)).toEqual({
      stack: 'prod-ap-northeast-1',
      status: 'drifted',
      resources: [
        { address: 'aws_sns_topic.alerts', action: 'update', attributes: ['display_name'] },
        { address: 'aws_ssm_parameter.webhook', action: 'update', attributes: expect.any(Array) },
      ],
      outside: [],
    });
    expect(stackDrift('prod-ap-northeast-1', clean(), 0)).toEqual({ stack: 'prod-ap-northeast-1', status: 'clean' });
  });

  it('renders one issue with a stable marker; a clean fleet means close', () => {
    const drifted = renderDriftIssue(
      [
        stackDrift('prod-ap-northeast-1', plan('update.json'), 2),
        stackDrift('prod-us-east-1', clean(), 0),
        { stack: 'staging-ap-northeast-1', status: 'error', error: 'Error: No valid credential sources found' },
        { stack: 'prod-bootstrap', status: 'not-checked', reason: 'this stack keeps its state in a local file' },
      ],
      { runUrl: 'https://github.com/acme/ssm-baseline/actions/runs/123' },
    );
    expect(drifted.state).toBe('drift');
    expect(drifted.body.startsWith(`${DRIFT_MARKER}\n## Drift\n`)).toBe(true);
    expect(drifted.body).toContain('1 drifted, 1 could not be planned, 1 clean, 1 not checked here (4 stack(s))');
    expect(drifted.body).toContain('| prod-ap-northeast-1 | 2 | 0 |');
    expect(drifted.body).toContain('| `aws_sns_topic.alerts` | update | `display_name` |');
    expect(drifted.body).toContain('### staging-ap-northeast-1: the plan failed');
    expect(drifted.body).not.toContain('### prod-us-east-1');
    const fine = renderDriftIssue([
      stackDrift('prod-us-east-1', clean(), 0),
      { stack: 'prod-bootstrap', status: 'not-checked', reason: 'local state' },
    ]);
    expect(fine.state).toBe('clean');
    expect(fine.body.startsWith(`${DRIFT_MARKER}\n## No drift\n`)).toBe(true);
    expect(fine.title).toBe(drifted.title);
  });

  it('reads what the drift jobs left beside each stack and prints the state for the workflow', async () => {
    const dir = hubFleet();
    writeFileSync(join(dir, 'stacks', 'hub', 'plan.json'), JSON.stringify(plan('update.json')));
    writeFileSync(join(dir, 'stacks', 'hub', 'drift-exitcode.txt'), '2\n');
    writeFileSync(join(dir, 'stacks', 'prod-eu-west-1', 'plan.json'), JSON.stringify(clean()));
    writeFileSync(join(dir, 'stacks', 'prod-eu-west-1', 'drift-exitcode.txt'), '0\n');
    writeFileSync(join(dir, 'stacks', 'prod-us-east-1', 'plan-error.txt'), 'Error: AccessDenied\n');
    for (const b of ['hub-bootstrap', 'prod-bootstrap']) writeFileSync(join(dir, 'stacks', b, 'plan-skipped.txt'), 'local state\n');
    expect(readDrift(dir).map((s) => [s.stack, s.status])).toEqual([
      ['hub', 'drifted'],
      ['hub-bootstrap', 'not-checked'],
      ['prod-bootstrap', 'not-checked'],
      ['prod-eu-west-1', 'clean'],
      ['prod-us-east-1', 'error'],
    ]);
    const out = io();
    const body = join(dir, 'drift.md');
    expect(await drift([dir, '--output', body], out)).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ state: 'drift', title: expect.stringMatching(/^Drift/) });
    expect(readFileSync(body, 'utf8')).toContain('| `aws_sns_topic.alerts` | update | `display_name` |');
    const bad = io();
    expect(await drift([dir, '--output', body, '--close'], bad)).toBe(2);
    expect(bad.stderr).toContain(DRIFT_USAGE);
    expect(await drift([dir], io())).toBe(2);
  });
});
