import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, loadPath } from '../../policies/load';
import { compliantStack } from './fixtures';

// How the policy CLI reads its paths (through tooling/synth-output); the rules
// themselves are tested elsewhere.
const PLAN = { format_version: '1.2', planned_values: { root_module: { resources: [] } }, resource_changes: [] };

function outdir(stacks: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
  const manifest: Record<string, unknown> = {};
  for (const [name, files] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'stacks', name, file), text);
    manifest[name] = { name, workingDirectory: `stacks/${name}` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: manifest }));
  return dir;
}

const synth = (name: string) => JSON.stringify({ ...compliantStack(), '//': { metadata: { stackName: name } } });

describe('loadPath', () => {
  it('reads every stack of a synth folder in name order; with preferPlans the plan where there is one', () => {
    const dir = outdir({
      'prod-us-east-1': { 'cdk.tf.json': synth('prod-us-east-1') },
      'dev-us-east-1': { 'cdk.tf.json': synth('dev-us-east-1'), 'plan.json': JSON.stringify(PLAN) },
    });
    expect(loadPath(dir).map((s) => [s.name, s.file])).toEqual([
      ['dev-us-east-1', join(dir, 'stacks', 'dev-us-east-1', 'cdk.tf.json')],
      ['prod-us-east-1', join(dir, 'stacks', 'prod-us-east-1', 'cdk.tf.json')],
    ]);
    expect(loadPath(dir, { preferPlans: true }).map((s) => s.file)).toEqual([
      join(dir, 'stacks', 'dev-us-east-1', 'plan.json'),
      join(dir, 'stacks', 'prod-us-east-1', 'cdk.tf.json'),
    ]);
  });

  it('names a lone stack folder by its cdk.tf.json, a plan by its folder', () => {
    const dir = outdir({ folder: { 'cdk.tf.json': synth('from-metadata'), 'plan.json': JSON.stringify(PLAN) } });
    const stack = join(dir, 'stacks', 'folder');
    expect(loadPath(stack).map((s) => s.name)).toEqual(['from-metadata']);
    expect(loadPath(stack, { preferPlans: true }).map((s) => s.name)).toEqual(['folder']);
    expect(loadPath(join(stack, 'plan.json')).map((s) => s.name)).toEqual(['folder']);
  });

  it('reports missing and malformed files as input errors naming the file (and line and column)', () => {
    const dir = outdir({ a: { 'cdk.tf.json': '{\n  "resource": {\n}' }, b: {} });
    const stackA = join(dir, 'stacks', 'a');
    expect(() => loadPath(dir)).toThrow(InputError);
    expect(() => loadPath(dir)).toThrow(`${join(stackA, 'cdk.tf.json')}:3:2: invalid JSON: `);
    expect(() => loadPath(join(stackA, 'cdk.tf.json'))).toThrow(`${join(stackA, 'cdk.tf.json')}:3:2: invalid JSON: `);
    writeFileSync(join(stackA, 'cdk.tf.json'), synth('a'));
    expect(() => loadPath(dir)).toThrow(new InputError(`${join(dir, 'stacks', 'b')} holds no cdk.tf.json`));
    expect(() => loadPath(dir, { preferPlans: true })).toThrow(
      new InputError(`${join(dir, 'stacks', 'b')} holds no cdk.tf.json or plan.json`),
    );
    writeFileSync(join(dir, 'manifest.json'), '{"stacks": [');
    expect(() => loadPath(dir)).toThrow(InputError);
    expect(() => loadPath(dir)).toThrow(`${join(dir, 'manifest.json')}:1:13: invalid JSON: `);
    writeFileSync(join(stackA, 'cdk.tf.json'), '{"provider": {}}');
    expect(() => loadPath(stackA)).toThrow(
      new InputError(`${join(stackA, 'cdk.tf.json')}: not a synthesized stack (no "resource" or "terraform" block)`),
    );
  });
});
