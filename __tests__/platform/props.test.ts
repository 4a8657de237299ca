import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/synth';

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((e) => {
    const p = join(dir, e);
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every exported `...Props` interface: file, name and body. */
function propsTypes(dir: string): Array<{ file: string; name: string; body: string }> {
  return files(dir).flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/export interface (\w+Props)\b[^{]*\{([\s\S]*?)\n\}/g)].map((m) => ({
      file,
      name: m[1],
      body: m[2],
    })),
  );
}

describe('construct props are explicit', () => {
  const capabilities = propsTypes('stacks/capabilities');
  const blocks = propsTypes('stacks/constructs');

  it('finds the props of every capability and building block', () => {
    expect(capabilities.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'AgentUpdateProps',
        'SoftwareInventoryProps',
        'PatchHistoryProps',
        'AmiAlertsProps',
        'SessionManagerProps',
        'ManagementTrailProps',
      ]),
    );
    expect(blocks.map((p) => p.name)).toEqual(
      expect.arrayContaining(['SecureBucketProps', 'NotifierFunctionProps', 'EventRuleProps', 'DeadLetterQueueProps']),
    );
  });

  it('no props type holds the whole configuration or a context bag', () => {
    const bad = [...capabilities, ...blocks]
      .filter((p) => /\bBaselineConfig\b|\bStackContext\b|\bctx\b/.test(p.body))
      .map((p) => `${p.file}: ${p.name}`);
    expect(bad).toEqual([]);
  });

  it("building blocks take plain props, not the stack's shared resources", () => {
    expect(blocks.filter((p) => /\bSharedResources\b|\bStackPlacement\b/.test(p.body)).map((p) => `${p.file}: ${p.name}`)).toEqual([]);
  });

  it('every optional prop says its default', () => {
    const undocumented = [...capabilities, ...blocks].flatMap((p) =>
      p.body
        .split('\n')
        .map((line, i, lines) => ({ line, doc: lines.slice(Math.max(0, i - 6), i).join('\n') }))
        .filter(({ line, doc }) => /^\s*readonly \w+\?:/.test(line) && !/@default/.test(doc.slice(doc.lastIndexOf('readonly') + 1)))
        .map(({ line }) => `${p.file}: ${p.name}.${/readonly (\w+)/.exec(line)![1]}`),
    );
    expect(undocumented).toEqual([]);
  });
});
