import { median, slope, table } from './stats';

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
});
