import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, slope, synthNodeFlags, table } from './stats';

describe('bench statistics', () => {
  it('takes the median of odd and even runs', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of nothing');
  });

  it('fits the marginal cost per stack', () => {
    expect(
      slope([
        [1, 3],
        [10, 12],
        [50, 52],
      ]),
    ).toBeCloseTo(1);
    expect(() =>
      slope([
        [1, 1],
        [1, 2],
      ]),
    ).toThrow();
  });

  it('renders a markdown table', () => {
    expect(table(['a', 'b'], [[1, 'x']])).toBe('| a | b |\n| --- | --- |\n| 1 | x |');
  });

  it('reads the Node flags of the synth command; cdktf synth starts the app with the same ones', () => {
    expect(synthNodeFlags('node --max-semi-space-size=64 tooling/run.js main.ts')).toEqual(['--max-semi-space-size=64']);
    expect(synthNodeFlags('node tooling/run.js main.ts')).toEqual([]);
    expect(() => synthNodeFlags('tsx main.ts')).toThrow('not a "node [flags] tooling/run.js main.ts" command');
    const root = join(__dirname, '..', '..');
    const npmSynth = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.synth;
    const cdktfApp = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')).app;
    expect(cdktfApp).toBe(npmSynth);
    // A larger young generation: at fleet scale synth allocates short-lived tokens by the million.
    expect(synthNodeFlags(npmSynth)).toContain('--max-semi-space-size=64');
  });
});
