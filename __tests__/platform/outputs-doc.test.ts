import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUTS_DOC, collectOutputs, outputsMarkdown } from '../../scripts/write-outputs';
import { ROOT } from '../helpers/synth';

// docs/outputs.md is generated from the synthesized examples (`npm run outputs`).
describe('docs/outputs.md: every stack output, from the synthesized output', () => {
  let outputs: ReturnType<typeof collectOutputs>;
  beforeAll(() => {
    outputs = collectOutputs();
  }, 120_000);

  it('is fresh (run `npm run outputs` after changing an output)', () => {
    expect(readFileSync(join(ROOT, OUTPUTS_DOC), 'utf8')).toBe(outputsMarkdown(outputs));
  });

  it('covers the optional outputs too, each named plainly and described', () => {
    const names = outputs.map((o) => o.name);
    for (const name of [
      'agent_update_association_id',
      'agent_update_output_bucket',
      'session_manager_bastion_instance_id',
      'session_manager_guard_policy_arn',
      'cloudtrail_trail_arn',
      'state_bucket',
    ]) {
      expect(names).toContain(name);
    }
    for (const o of outputs) {
      expect(o.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(o.description.length).toBeGreaterThan(5);
    }
  });
});
