import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { carryTerraformWorkingData, replaceDirectory } from '../../tooling/replace-directory';
import { ROOT } from '../helpers/synth';

function previousOutput(): { parent: string; target: string } {
  const parent = mkdtempSync(join(ROOT, '.tmp', 'replace-'));
  const target = join(parent, 'cdktf.out');
  mkdirSync(join(target, 'stacks', 'removed-stack'), { recursive: true });
  writeFileSync(join(target, 'stacks', 'removed-stack', 'cdk.tf.json'), '{"old":true}');
  writeFileSync(join(target, 'stacks', 'removed-stack', 'plan.json'), '{"old plan":true}');
  return { parent, target };
}

describe('replaceDirectory', () => {
  it('replaces the whole folder: nothing of the previous content survives', () => {
    const { parent, target } = previousOutput();
    replaceDirectory(target, (staging) => {
      mkdirSync(join(staging, 'stacks', 'new-stack'), { recursive: true });
      writeFileSync(join(staging, 'stacks', 'new-stack', 'cdk.tf.json'), '{"new":true}');
    });
    expect(readdirSync(join(target, 'stacks'))).toEqual(['new-stack']);
    expect(readdirSync(parent)).toEqual(['cdktf.out']);
  });

  it('keeps the previous folder untouched when writing fails midway, and leaves no staging copy', () => {
    const { parent, target } = previousOutput();
    expect(() =>
      replaceDirectory(target, (staging) => {
        mkdirSync(join(staging, 'stacks', 'half'), { recursive: true });
        throw new Error('killed midway');
      }),
    ).toThrow('killed midway');
    expect(readFileSync(join(target, 'stacks', 'removed-stack', 'cdk.tf.json'), 'utf8')).toBe('{"old":true}');
    expect(readdirSync(parent)).toEqual(['cdktf.out']);
  });

  it("removes what a run that died left beside the folder, but not a running process's staging", () => {
    const { parent, target } = previousOutput();
    const dead = join(parent, 'cdktf.out.staging-999999999');
    const running = join(parent, `cdktf.out.staging-${process.ppid}`);
    mkdirSync(dead);
    mkdirSync(running);
    replaceDirectory(target, (staging) => mkdirSync(staging));
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });

  it('creates missing parent folders', () => {
    const parent = mkdtempSync(join(ROOT, '.tmp', 'replace-'));
    const target = join(parent, 'a', 'b', 'out');
    replaceDirectory(target, (staging) => mkdirSync(staging));
    expect(existsSync(target)).toBe(true);
  });

  it('refuses to replace a folder that is not synth output: the project, a parent of it, a folder with other files', () => {
    const parent = mkdtempSync(join(ROOT, '.tmp', 'replace-'));
    const project = join(parent, 'project');
    mkdirSync(join(project, 'bootstrap-state'), { recursive: true });
    writeFileSync(join(project, 'bootstrap-state', 'prod-bootstrap.tfstate'), '{"serial": 3}');
    writeFileSync(join(project, 'package.json'), '{}');
    for (const target of [project, parent]) {
      expect(() => replaceDirectory(target, (staging) => mkdirSync(staging), { keep: [join(project, 'bootstrap-state')] })).toThrow(
        /not a synth output folder/,
      );
    }
    expect(readFileSync(join(project, 'bootstrap-state', 'prod-bootstrap.tfstate'), 'utf8')).toBe('{"serial": 3}');
    const other = join(parent, 'notes');
    mkdirSync(other);
    writeFileSync(join(other, 'todo.txt'), 'mine');
    expect(() => replaceDirectory(other, (staging) => mkdirSync(staging))).toThrow(/not a synth output folder/);
    expect(readFileSync(join(other, 'todo.txt'), 'utf8')).toBe('mine');
  });

  it("carries each remaining stack's terraform working data over, and nothing of a removed stack", () => {
    const { target } = previousOutput();
    for (const stack of ['kept-stack', 'removed-stack']) {
      mkdirSync(join(target, 'stacks', stack, '.terraform', 'providers'), { recursive: true });
      writeFileSync(join(target, 'stacks', stack, '.terraform.lock.hcl'), `# ${stack}`);
    }
    writeFileSync(join(target, 'stacks', 'kept-stack', 'plan.json'), '{"old plan":true}');
    replaceDirectory(
      target,
      (staging) => {
        mkdirSync(join(staging, 'stacks', 'kept-stack'), { recursive: true });
        writeFileSync(join(staging, 'stacks', 'kept-stack', 'cdk.tf.json'), '{"new":true}');
      },
      { carry: carryTerraformWorkingData },
    );
    expect(readdirSync(join(target, 'stacks'))).toEqual(['kept-stack']);
    expect(readdirSync(join(target, 'stacks', 'kept-stack')).sort()).toEqual(['.terraform', '.terraform.lock.hcl', 'cdk.tf.json']);
    expect(readFileSync(join(target, 'stacks', 'kept-stack', '.terraform.lock.hcl'), 'utf8')).toBe('# kept-stack');
  });
});
