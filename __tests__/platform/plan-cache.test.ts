import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OFFLINE_DIR, PLAN_CACHE_ENV, SEEDS_ENV, checkStack, withoutHashes } from '../../scripts/terraform-harness';
import { ROOT } from '../helpers/synth';

// The harness shares a plan between stacks whose inputs are identical (PLAN_CACHE_ENV).
// A stand-in terraform on the PATH records each call and numbers its plans, so the test
// sees which stacks were planned and which got a shared plan.
const scratch = mkdtempSync(join(ROOT, '.tmp', 'plan-cache-'));
const calls = join(scratch, 'calls.log');
const bin = join(scratch, 'bin');
mkdirSync(bin);
// A shell script: the tests run it dozens of times, and a Node process costs ~50 ms to start.
writeFileSync(
  join(bin, 'terraform'),
  `#!/bin/sh
calls=${JSON.stringify(calls)}
echo "$1 $(pwd -P)" >> "$calls"
plans=$(grep -c '^plan ' "$calls")
case "$1" in
  init)
    # What init leaves: the backend's record, and a lock file that follows the stack's JSON.
    mkdir -p .terraform
    echo '{}' > .terraform/terraform.tfstate
    cksum < cdk.tf.json > .terraform.lock.hcl ;;
  plan)
    printf 'plan #%s' "$plans" > tfplan
    echo "Plan: $plans to add, 0 to change, 0 to destroy." ;;
  show)
    printf '{"format_version":"1.2","plan":"%s"}\\n' "$(cat tfplan)" ;;
esac
`,
);
chmodSync(join(bin, 'terraform'), 0o755);

const env = (cache = true): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, [PLAN_CACHE_ENV]: join(scratch, 'plans') };
  if (!cache) delete e[PLAN_CACHE_ENV];
  delete e.TF_CLI_CONFIG_FILE;
  // Every init runs, unless a test names a seed folder of its own.
  delete e[SEEDS_ENV];
  return e;
};
const count = (cmd: string) =>
  existsSync(calls)
    ? readFileSync(calls, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(`${cmd} `)).length
    : 0;
const plans = () => count('plan');

let n = 0;
/** A synthesized stack: its JSON and one asset. */
function stack(json: object = { resource: { aws_sns_topic: { t: { name: 'alerts' } } } }, asset = 'zip bytes') {
  const dir = join(scratch, `stack-${++n}`);
  mkdirSync(join(dir, 'assets', 'code'), { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'assets', 'code', 'fn.zip'), asset);
  return { name: `stack-${n}`, dir };
}
const planOf = (r: { planJson?: string }) => JSON.parse(readFileSync(r.planJson!, 'utf8')).plan;

describe('terraform harness: plans shared between identical stacks', () => {
  it('plans a stack once; an identical one gets the plan, its output and its plan file', async () => {
    const first = await checkStack(stack(), env(), { plan: true });
    expect(first).toMatchObject({ ok: true, step: 'done', validated: true });
    const planned = plans();
    const copy = stack();
    const second = await checkStack(copy, env(), { plan: true });
    expect(plans()).toBe(planned);
    expect(second).toMatchObject({ ok: true, step: 'done', validated: true, output: first.output });
    expect(planOf(second)).toBe(planOf(first));
    expect(readFileSync(join(copy.dir, OFFLINE_DIR, 'tfplan'), 'utf8')).toBe(planOf(first));
    // Its work folder is initialized like any other (a later plan against a state runs there).
    expect(readFileSync(calls, 'utf8')).toContain(`init ${join(copy.dir, OFFLINE_DIR)}`);
  });

  it('plans again when the JSON, an asset or a state placed in the work folder differs', async () => {
    const base = await checkStack(stack(), env(), { plan: true });
    const changed = [
      stack({ resource: { aws_sns_topic: { t: { name: 'alarms' } } } }),
      stack(undefined, 'other zip bytes'),
      (() => {
        const s = stack();
        mkdirSync(join(s.dir, OFFLINE_DIR));
        writeFileSync(join(s.dir, OFFLINE_DIR, 'offline.tfstate'), '{"version":4}');
        return s;
      })(),
    ];
    for (const s of changed) {
      const before = plans();
      const r = await checkStack(s, env(), { plan: true });
      expect({ stack: s.name, plans: plans() - before }).toEqual({ stack: s.name, plans: 1 });
      expect(planOf(r)).not.toBe(planOf(base));
    }
  });

  it('concurrent checks of identical stacks plan once', async () => {
    const json = { resource: { aws_sns_topic: { t: { name: 'concurrent' } } } };
    const before = plans();
    const results = await Promise.all([stack(json), stack(json), stack(json)].map((s) => checkStack(s, env(), { plan: true })));
    expect(plans() - before).toBe(1);
    expect(new Set(results.map(planOf)).size).toBe(1);
  });

  it('without a cache folder, every stack is planned', async () => {
    const s = stack();
    const before = plans();
    await checkStack(s, env(false), { plan: true });
    cpSync(s.dir, join(scratch, 'again'), { recursive: true });
    await checkStack({ name: 'again', dir: join(scratch, 'again') }, env(false), { plan: true });
    expect(plans() - before).toBe(2);
  });
});

describe('terraform harness: one init per provider requirements', () => {
  it('runs init for the first folder of a signature; the next one gets a copy and plans', async () => {
    const seeded = { ...env(false), [SEEDS_ENV]: join(scratch, 'seeds') };
    const requiring = (version: string) => ({
      terraform: { required_providers: { aws: { source: 'aws', version } } },
      resource: { aws_sns_topic: { t: { name: 'seeded' } } },
    });
    const [a, b, c] = [stack(requiring('5.100.0')), stack(requiring('5.100.0')), stack(requiring('5.99.0'))];
    const before = count('init');
    for (const s of [a, b, c]) expect(await checkStack(s, seeded, { plan: true })).toMatchObject({ ok: true, step: 'done' });
    // a and c ran init (their requirements differ); b got a's.
    expect(count('init') - before).toBe(2);
    expect(readFileSync(calls, 'utf8')).not.toContain(`init ${join(b.dir, OFFLINE_DIR)}`);
    const lock = (s: { dir: string }) => readFileSync(join(s.dir, OFFLINE_DIR, '.terraform.lock.hcl'), 'utf8');
    expect(lock(b)).toBe(lock(a));
    expect(lock(c)).not.toBe(lock(a));
    expect(existsSync(join(b.dir, OFFLINE_DIR, '.terraform', 'terraform.tfstate'))).toBe(true);
  });

  it('without the seed folder in the environment, every folder runs init', async () => {
    const json = { resource: { aws_sns_topic: { t: { name: 'unseeded' } } } };
    const before = count('init');
    for (const s of [stack(json), stack(json)]) await checkStack(s, env(false), { plan: true });
    expect(count('init') - before).toBe(2);
  });
});

describe('terraform harness: offline lock files', () => {
  it('drop their checksum lists and nothing else (init checked them; each command would hash the provider again)', () => {
    const provider = (name: string, version: string, hashes: string[]) =>
      [
        `provider "registry.terraform.io/hashicorp/${name}" {`,
        `  version     = "${version}"`,
        `  constraints = "${version}"`,
        ...(hashes.length ? ['  hashes = [', ...hashes.map((h) => `    "${h}",`), '  ]'] : []),
        '}',
      ].join('\n');
    const head = '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n\n';
    const lock = `${head}${provider('aws', '5.100.0', ['h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=', 'zh:0123abcd'])}\n\n${provider('random', '3.6.3', ['h1:Fnaec9vA8sZ8BXVlN3Xn9Jz3zghSETIKg7ch8oXhxno='])}\n`;
    expect(withoutHashes(lock)).toBe(`${head}${provider('aws', '5.100.0', [])}\n\n${provider('random', '3.6.3', [])}\n`);
  });
});
