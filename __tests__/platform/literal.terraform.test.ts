import { readFileSync } from 'node:fs';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { ConfigError, parseConfig } from '../../stacks/platform/config/load';
import { terraformLiteral, terraformLiterals } from '../../stacks/platform/literal';
import { planStack } from '../helpers/synth';

/**
 * A configuration with every optional part on (so every string field reaches a
 * resource), in which each string is replaced by a Terraform template payload wherever
 * the validator accepts one.
 */
const ACCOUNT = '111111111111';
function fullConfig(): BaselineConfigInput {
  return {
    namePrefix: 'ssmb',
    accounts: [
      { id: ACCOUNT, name: 'prod', regions: ['ap-northeast-1'], deployRoleArn: `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-deploy` },
    ],
    state: { region: 'ap-northeast-1', kmsKeyId: `arn:aws:kms:ap-northeast-1:${ACCOUNT}:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d` },
    notifications: { emails: ['ops@example.com'] },
    tags: { Project: 'ssm-baseline' },
    cloudTrail: { create: true },
    agentUpdate: { targets: { tagKey: 'Patch', tagValues: ['auto'] } },
    inventory: {
      targets: { tagKey: 'Inventory', tagValues: ['on'] },
      collect: {
        files: [{ path: '/opt/app', pattern: ['*.conf'] }],
        windowsRegistry: [{ path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon', valueNames: ['Version'] }],
      },
    },
    patchHistory: { tagValue: 'weekly', scanTargets: { tagKey: 'CheckPatch', tagValues: ['yes'] } },
    amiAlerts: { tags: [{ key: 'Release', value: 'golden' }] },
    sessionManager: {
      shellProfile: { linux: 'cd /tmp', windows: 'Set-Location C:\\' },
      operators: { tag: { key: 'SessionAccess', values: ['operators'] } },
      bastion: {
        enabled: true,
        accountId: ACCOUNT,
        region: 'ap-northeast-1',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        subnetId: 'subnet-0a1b2c3d4e5f60718',
      },
    },
  } as BaselineConfigInput;
}

type Json = Record<string, any>;

/** Paths of every string in a value: [path, value]. */
function strings(value: unknown, path: (string | number)[] = []): Array<[(string | number)[], string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

function setAt(root: Json, path: (string | number)[], value: string): void {
  let node = root;
  for (const seg of path.slice(0, -1)) node = node[seg];
  node[path[path.length - 1]] = value;
}

/** Ways to carry a payload into a field: appended, prefixed, in the local part of an address, in a key id. */
const shapes = (original: string, marker: string): string[] => [
  `${original}${marker}`,
  `${marker}${original}`,
  original.replace('@', `${marker}@`),
  original.replace(/\/[^/]*$/, `/${marker}`),
];

/** The full configuration with a payload in every string the validator lets carry one. */
function payloadConfig(): { input: Json; markers: string[] } {
  const input = fullConfig() as Json;
  const markers: string[] = [];
  strings(input).forEach(([path, original], i) => {
    const marker = i % 2 === 0 ? `\${lit${i}}` : `%{ if lit${i} }x%{ endif }`;
    for (const candidate of shapes(original, marker)) {
      if (candidate === original) continue;
      const trial = JSON.parse(JSON.stringify(input));
      setAt(trial, path, candidate);
      try {
        parseConfig(trial, 'payload');
      } catch (err) {
        if (err instanceof ConfigError) continue;
        throw err;
      }
      setAt(input, path, candidate);
      markers.push(marker);
      return;
    }
  });
  return { input, markers };
}

describe('config strings reach Terraform as literals', () => {
  it('escapes every string of the parsed configuration, keys included, once', () => {
    expect(terraformLiteral('a ${b} %{c} $d $${e}')).toBe('a $${b} %%{c} $d $$${e}');
    const parsed = terraformLiterals({ tags: { ['k${x}']: 'v%{y}' }, list: ['${z}'], n: 1, b: true });
    expect(parsed).toEqual({ tags: { ['k$${x}']: 'v%%{y}' }, list: ['$${z}'], n: 1, b: true });
    const config = parseConfig(
      { ...fullConfig(), sessionManager: { ...fullConfig().sessionManager, shellProfile: { linux: 'echo ${HOME}' } } },
      'test',
    );
    expect(config.sessionManager.shellProfile.linux).toBe('echo $${HOME}');
  });

  it('keeps a `__proto__` key an own key of the result', () => {
    const parsed = terraformLiterals(JSON.parse('{"tags": {"__proto__": "x"}}'));
    expect(Object.keys(parsed.tags)).toEqual(['__proto__']);
  });

  describe('an offline plan of a configuration with a payload in every field that takes one', () => {
    const { input, markers } = payloadConfig();
    /** What terraform computed (values), and the configuration as it read it. */
    let values = '';
    let configuration = '';
    let failure: string | undefined;
    beforeAll(async () => {
      // The account-region stack, and the bootstrap stack (the state key id lands there).
      const plans: string[] = [];
      for (const stack of ['prod-ap-northeast-1', 'prod-bootstrap']) {
        const { result } = await planStack(parseConfig(input, 'payload'), stack);
        if (!result.ok) failure = `${stack}: terraform ${result.step} failed:\n${result.output}`;
        else plans.push(readFileSync(result.planJson!, 'utf8'));
      }
      for (const text of plans) {
        const { configuration: config, ...computed } = JSON.parse(text);
        values += JSON.stringify(computed);
        configuration += JSON.stringify(config);
      }
    }, 600_000);

    it('finds payload-capable fields across the capabilities', () => {
      // e-mail, tag values of targets and operators, file and registry searches, shell
      // profiles, the patch-history tag value, the watched AMI tag value, the state key id.
      expect(markers.length).toBeGreaterThanOrEqual(12);
    });

    it('plans (terraform evaluates no payload) and every payload reaches the plan literally', () => {
      if (failure) throw new Error(failure);
      const inJson = (text: string, s: string) => text.includes(JSON.stringify(s).slice(1, -1));
      // Each marker is a planned value as written in the config; a value known only at
      // apply (a policy document that refers to an ARN) shows in the configuration as a
      // constant, still escaped there (terraform reads it as a literal, not a template).
      const missing = markers.filter((m) => !inJson(values, m) && !inJson(configuration, terraformLiteral(m)));
      expect(missing).toEqual([]);
      // Nothing reached a planned value escaped twice.
      expect(markers.filter((m) => inJson(values, terraformLiteral(m)))).toEqual([]);
    });
  });
});
