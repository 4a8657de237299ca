import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareSynth, maskLambdaCode } from '../../scripts/compare-synth';
import { ROOT } from '../helpers/synth';

function tree(stacks: Record<string, string>): string {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'compare-'));
  for (const [path, text] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'example', 'stacks', path), { recursive: true });
    writeFileSync(join(dir, 'example', 'stacks', path, 'cdk.tf.json'), text);
  }
  return dir;
}

const fn = (zip: string, hash: string) =>
  `{"filename": "assets/agent-update_notifier_code_23CBE9FD/${'ab'.repeat(32)}/${zip}.zip",\n"source_code_hash": "${hash}"}`;

describe('compare-synth', () => {
  it('finds identical outputs identical, and names the stack that differs or is missing', () => {
    const a = tree({ 'prod-ap-northeast-1': '{"a":1}', 'prod-bootstrap': '{"b":1}' });
    expect(compareSynth(a, tree({ 'prod-ap-northeast-1': '{"a":1}', 'prod-bootstrap': '{"b":1}' }))).toEqual([]);
    expect(compareSynth(a, tree({ 'prod-ap-northeast-1': '{"a":2}' }))).toEqual([
      'only before: example/stacks/prod-bootstrap/cdk.tf.json',
      'differs: example/stacks/prod-ap-northeast-1/cdk.tf.json',
    ]);
  });

  it('masks only the Lambda code fields when asked', () => {
    const a = tree({ s: fn('association-notifier', 'XGDr=') });
    const b = tree({ s: fn('agent-update', 'fHp9=') });
    expect(compareSynth(a, b)).toEqual(['differs: example/stacks/s/cdk.tf.json']);
    expect(compareSynth(a, b, { maskLambdaCode: true })).toEqual([]);
    expect(maskLambdaCode('"function_name": "x"')).toBe('"function_name": "x"');
  });
});
