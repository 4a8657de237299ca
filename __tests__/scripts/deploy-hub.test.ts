import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackResult, applyOrder, applyWaves, dependantsOf, gate, manifestGraph, renderApplySummary } from '../../scripts/deploy/order';
import { parseConfig } from '../../stacks/platform/config/load';
import { ROOT, synthToDir } from '../helpers/synth';

// The apply order of a real organization: config/example-organization.json synthesized
// by the app, its manifest.json read as the apply workflow reads it.
const BOOTSTRAPS = ['prod-bootstrap', 'security-bootstrap', 'staging-bootstrap'];
const HUB = 'security-hub';
const SPOKES = ['prod-eu-west-1', 'prod-us-east-1', 'security-eu-west-1', 'staging-eu-west-1'];

describe('apply order of the example organization (hub and spokes)', () => {
  let dir: string;
  beforeAll(() => {
    const file = join(ROOT, 'config', 'example-organization.json');
    dir = synthToDir(parseConfig(JSON.parse(readFileSync(file, 'utf8')), 'config/example-organization.json'));
  });

  it('declares in the manifest: the hub on its bootstrap, every region stack on its bootstrap and the hub', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual([...BOOTSTRAPS, HUB, ...SPOKES].sort());
    const graph = manifestGraph(dir);
    for (const b of BOOTSTRAPS) expect(graph[b]).toEqual([]);
    expect(graph[HUB]).toEqual(['security-bootstrap']);
    for (const s of SPOKES) expect([s, [...graph[s]].sort()]).toEqual([s, [`${s.split('-')[0]}-bootstrap`, HUB].sort()]);
  });

  it('applies in waves: bootstrap stacks, then the hub, then every spoke region stack', () => {
    expect(applyWaves(manifestGraph(dir))).toEqual([BOOTSTRAPS, [HUB], SPOKES]);
    const order = applyOrder(dir);
    // The bootstraps keep local state: applied by hand, before the workflow's first wave.
    expect(Object.keys(order.manual).sort()).toEqual(BOOTSTRAPS);
    expect(order.stacks).toBe(5);
    expect(order.units.map((u) => [u.name, u.include.map((e) => e.stack)])).toEqual([
      ['wave 1 of 2', [HUB]],
      ['wave 2 of 2', SPOKES],
    ]);
    expect(order.units[0].include[0]).toMatchObject({
      account: '333333333333',
      region: 'eu-west-1',
      environment: 'ssm-baseline-333333333333',
    });
    expect(order.units[1].include.map((e) => e.environment)).toEqual([
      'ssm-baseline-111111111111',
      'ssm-baseline-111111111111',
      'ssm-baseline-333333333333',
      'ssm-baseline-222222222222',
    ]);
  });

  it('a failed hub stops every spoke, and the summary says which stack stopped them', () => {
    const order = applyOrder(dir);
    expect(dependantsOf(order.graph, [HUB])).toEqual(SPOKES);
    const results = new Map<string, StackResult>([
      [HUB, { stack: HUB, outcome: 'failed', detail: 'Error: creating CloudWatch Events Permission: AccessDeniedException' }],
    ]);
    for (const s of SPOKES) {
      const stopped = gate(order, s, results);
      expect(stopped).toEqual({ stack: s, outcome: 'skipped', because: [HUB] });
      results.set(s, stopped!);
    }
    const summary = renderApplySummary(order, results);
    expect(summary.ok).toBe(false);
    expect(summary.markdown).toContain(
      '❌ 5 stack(s): 0 applied, 0 unchanged, 0 refused, 1 failed, 4 skipped; 3 not applied by the workflow',
    );
    expect(summary.markdown).toContain(`| ${HUB} | ❌ failed | Error: creating CloudWatch Events Permission: AccessDeniedException |`);
    for (const s of SPOKES) expect(summary.markdown).toContain(`| ${s} | ⏭️ skipped | because of ${HUB} |`);
  });

  it('a hub that applied lets every spoke run; one failed spoke stops nothing else', () => {
    const order = applyOrder(dir);
    const results = new Map<string, StackResult>([[HUB, { stack: HUB, outcome: 'applied' }]]);
    for (const s of SPOKES) expect(gate(order, s, results)).toBeUndefined();
    expect(dependantsOf(order.graph, ['prod-eu-west-1'])).toEqual([]);
  });
});
