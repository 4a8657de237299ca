import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_ATTRIBUTES, TerraformJson, Values, stackFromSynth } from '../../policies/model';
import type { Report } from '../../policies/types';
import {
  DATA_FILE,
  EXCERPT_FILE,
  ProviderSchemas,
  json,
  policyAttributes,
  schemaExcerpt,
  staleClassifications,
} from '../../scripts/policy-attributes';
import { ROOT } from '../helpers/synth';
import { broken } from './fixtures';

// The list of attributes holding policies comes from the provider's schema: the committed
// excerpt (checked against the installed provider in plan.terraform.test.ts) must give
// exactly the committed data file, and the model must read every attribute it lists.
const excerpt = JSON.parse(readFileSync(join(ROOT, EXCERPT_FILE), 'utf8')) as ProviderSchemas;
const committed = readFileSync(join(ROOT, DATA_FILE), 'utf8');

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/ops' }, Action: 's3:GetObject', Resource: '*' },
  ],
});

/** A resource body with `policy` at a dotted path, nested blocks as one-element lists (as a plan writes them). */
function bodyWith(path: string, value: string): Values {
  const [head, ...rest] = path.split('.');
  return rest.length ? { [head]: [bodyWith(rest.join('.'), value)] } : { [head]: value };
}

describe('policy attributes: generated from the provider schema', () => {
  it('the committed data file is what the generator makes of the committed schema excerpt', () => {
    expect(json(policyAttributes(excerpt))).toBe(committed);
  });

  it('the excerpt holds exactly the candidate attributes (reducing it again changes nothing)', () => {
    expect(schemaExcerpt(excerpt, excerpt.provider_version!)).toEqual(excerpt);
  });

  it('every candidate is classified, and no classification names an attribute the schema lacks', () => {
    expect(POLICY_ATTRIBUTES.filter((a) => a.kind === 'unclassified')).toEqual([]);
    expect(staleClassifications(excerpt)).toEqual([]);
  });

  it('the attributes the rules were written for are there, with their kind', () => {
    const kindOf = (type: string, attribute: string) => POLICY_ATTRIBUTES.find((a) => a.type === type && a.attribute === attribute)?.kind;
    expect(kindOf('aws_iam_role', 'assume_role_policy')).toBe('trust');
    expect(kindOf('aws_iam_role', 'inline_policy.policy')).toBe('identity');
    expect(kindOf('aws_kms_key_policy', 'policy')).toBe('resource');
    expect(kindOf('aws_sqs_queue_policy', 'policy')).toBe('resource');
    expect(kindOf('aws_vpc_endpoint', 'policy')).toBe('boundary');
    expect(kindOf('aws_sns_topic_subscription', 'filter_policy')).toBe('other');
  });
});

describe('policy model: every listed attribute is read', () => {
  it('each identity, trust, resource and boundary attribute yields a policy use of its kind; "other" ones none', () => {
    const part: { resource: Record<string, Record<string, Values>> } = { resource: {} };
    POLICY_ATTRIBUTES.forEach((a, i) => {
      part.resource[a.type] ??= {};
      part.resource[a.type][`r${i}`] = bodyWith(a.attribute, POLICY);
    });
    const stack = stackFromSynth(part as TerraformJson, 'all', 'all/cdk.tf.json');
    const { uses, errors } = stack.policies();
    expect(errors).toEqual([]);
    const read = uses.map((u) => [u.resource.type, u.attribute.replace(/\[0\]/g, ''), u.kind]);
    const expected = POLICY_ATTRIBUTES.filter((a) => a.kind !== 'other' && a.kind !== 'unclassified').map((a) => [
      a.type,
      a.attribute,
      a.kind,
    ]);
    expect(read.sort()).toEqual(expected.sort());
  });
});

describe('UnreadablePolicy: a policy attribute nobody classified is "could not tell"', () => {
  it('Noncompliance: reported as unknown, naming the attribute', async () => {
    let report: Report | undefined;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('../../policies/policy-attributes.json', () => ({
        attributes: [...POLICY_ATTRIBUTES, { type: 'aws_example_thing', attribute: 'access_policy', kind: 'unclassified' }],
      }));
      const { evaluate } = await import('../../policies/engine');
      const model = await import('../../policies/model');
      const s = broken((x) => (x.resource.aws_example_thing = { thing: { access_policy: POLICY } }));
      report = await evaluate([model.stackFromSynth(s, 'prod', 'fixture/cdk.tf.json')]);
    });
    const hits = report!.findings.map((f) => [f.rule, f.address, f.outcome, f.message]);
    expect(hits).toEqual([
      [
        'SSMB-POL-001',
        'aws_example_thing.thing',
        'unknown',
        'access_policy: aws_example_thing.access_policy holds a policy the checks have not classified (identity, trust, resource or boundary)',
      ],
    ]);
  });

  it('Compliance: the same stack without the attribute set passes', async () => {
    const { evaluate } = await import('../../policies/engine');
    const s = broken((x) => (x.resource.aws_example_thing = { thing: {} }));
    expect((await evaluate([stackFromSynth(s, 'prod', 'fixture/cdk.tf.json')])).findings).toEqual([]);
  });
});
