import { execFileSync } from 'node:child_process';
import { ROOT } from '../helpers/synth';

// The product speaks of itself only: no tracker references in code, docs, tests or the
// schema descriptions users read in their editor.
describe('wording', () => {
  it('no issue numbers, capability numbers or spec sections in the tracked tree', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && f !== 'package-lock.json' && !f.endsWith('wording.test.ts'));
    let hits = '';
    try {
      hits = execFileSync(
        'grep',
        ['-nIiE', String.raw`\bissue ?#?[0-9]+|capabilit(y|ies) [0-9]|SPEC section|field report [0-9]`, '--', ...files],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
    } catch (err) {
      // grep exits 1 when nothing matches.
      if ((err as { status?: number }).status !== 1) throw err;
    }
    expect(hits).toBe('');
  });
});
