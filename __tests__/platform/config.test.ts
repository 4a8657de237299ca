import { SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ensureBuilt } from '../../tooling/run';
import { ConfigError, formatPath, loadConfig, parseConfig } from '../../stacks/platform/config/load';
import { configJsonSchemaText } from '../../stacks/platform/config/json-schema';
import { buildApp } from '../../stacks/platform/app';
import { ROOT, exampleConfig, exampleInput } from '../helpers/synth';

function problems(input: unknown): string[] {
  try {
    parseConfig(input, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

const account = (over: Record<string, unknown> = {}) => ({ id: '111111111111', name: 'prod', regions: ['ap-northeast-1'], ...over });
const withAccounts = (...accounts: unknown[]) => ({ accounts });

describe('configuration: the example', () => {
  it('parses and fills defaults', () => {
    const cfg = parseConfig(exampleInput(), 'example');
    expect(cfg.accounts).toHaveLength(2);
    expect(cfg.accounts.flatMap((a) => a.regions)).toHaveLength(3);
    expect(cfg.namePrefix).toBe('ssmb');
    expect(cfg.state.keyPrefix).toBe('ssm-baseline');
    expect(cfg.logRetentionDays).toBe(365);
  });

  it('formats paths like accounts[1].regions[0]', () => {
    expect(formatPath(['accounts', 1, 'regions', 0])).toBe('accounts[1].regions[0]');
    expect(formatPath([])).toBe('(root)');
  });
});

describe('configuration: bad input names the field and the reason', () => {
  const cases: Array<[string, unknown, string[]]> = [
    [
      'account id not 12 digits',
      withAccounts(account(), account({ id: '12345', name: 'dev' })),
      ['accounts[1].id: must be 12 digits, got "12345"'],
    ],
    [
      'account id a number',
      withAccounts(account({ id: 111111111111 })),
      ['accounts[0].id: Invalid input: expected string, received number'],
    ],
    [
      'account name not a slug',
      withAccounts(account({ name: 'Prod Account' })),
      ['accounts[0].name: must be a slug of 2-32 lower-case letters, digits and hyphens, starting with a letter, got "Prod Account"'],
    ],
    [
      'unknown region',
      withAccounts(account({ regions: ['ap-northeast-9'] })),
      ['accounts[0].regions[0]: must be an AWS region such as ap-northeast-1, got "ap-northeast-9"'],
    ],
    ['no regions', withAccounts(account({ regions: [] })), ['accounts[0].regions: must list at least one region']],
    ['no accounts', withAccounts(), ['accounts: must list at least one account']],
    ['missing accounts', {}, ['accounts: is required']],
    [
      'duplicate account id',
      withAccounts(account(), account({ name: 'other' })),
      [
        'accounts[1].id: duplicate account id "111111111111" (also at accounts[0])',
        'accounts[1].stateBucket: duplicate state bucket "ssmb-tfstate-111111111111" (also at accounts[0])',
      ],
    ],
    [
      'duplicate account name',
      withAccounts(account(), account({ id: '222222222222' })),
      ['accounts[1].name: duplicate account name "prod" (also at accounts[0])'],
    ],
    [
      'duplicate region',
      withAccounts(account({ regions: ['us-east-1', 'eu-west-1', 'us-east-1'] })),
      ['accounts[0].regions[2]: duplicate region "us-east-1" (also at accounts[0].regions[0])'],
    ],
    [
      'invalid e-mail',
      { ...withAccounts(account()), notifications: { emails: ['ops@example.com', 'not-an-address'] } },
      ['notifications.emails[1]: must be an e-mail address, got "not-an-address"'],
    ],
    [
      'name prefix too long for AWS names',
      { ...withAccounts(account()), namePrefix: 'mycompany-ops' },
      ['namePrefix: would make AWS resource names too long: at most 10 characters, got "mycompany-ops" (13)'],
    ],
    [
      'name prefix with capitals',
      { ...withAccounts(account()), namePrefix: 'SSMB' },
      ['namePrefix: must start with a letter and contain only lower-case letters, digits and hyphens, got "SSMB"'],
    ],
    [
      'deploy role not an ARN',
      withAccounts(account({ deployRoleArn: 'deploy' })),
      ['accounts[0].deployRoleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/name, got "deploy"'],
    ],
    [
      'deploy role in another account',
      withAccounts(account({ deployRoleArn: 'arn:aws:iam::999999999999:role/deploy' })),
      [
        'accounts[0].deployRoleArn: must be a role in account 111111111111 (the provider refuses any other account), got "arn:aws:iam::999999999999:role/deploy"',
      ],
    ],
    [
      'log retention CloudWatch does not offer',
      { ...withAccounts(account()), logRetentionDays: 100 },
      [
        'logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs retention values), got 100',
      ],
    ],
    [
      'misspelled field',
      { ...withAccounts(account()), notification: {} },
      ['notification: unknown field (check the spelling against config/schema.json)'],
    ],
    [
      'misspelled account field',
      withAccounts(account({ region: ['us-east-1'] })),
      ['accounts[0].region: unknown field (check the spelling against config/schema.json)'],
    ],
    [
      'invalid state bucket name',
      withAccounts(account({ stateBucket: 'My_Bucket' })),
      ['accounts[0].stateBucket: must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens), got "My_Bucket"'],
    ],
    [
      'state KMS key not an ARN',
      { ...withAccounts(account()), state: { kmsKeyId: 'my-key' } },
      ['state.kmsKeyId: must be a KMS key or alias ARN, got "my-key"'],
    ],
    [
      'capability flag of the wrong type',
      { ...withAccounts(account()), agentUpdate: { enabled: 'yes' } },
      ['agentUpdate.enabled: Invalid input: expected boolean, received string'],
    ],
    [
      'plan role in another account, or the deploy role itself',
      withAccounts(
        account({ planRoleArn: 'arn:aws:iam::999999999999:role/plan' }),
        account({
          id: '222222222222',
          name: 'staging',
          deployRoleArn: 'arn:aws:iam::222222222222:role/deploy',
          planRoleArn: 'arn:aws:iam::222222222222:role/deploy',
        }),
      ),
      [
        'accounts[0].planRoleArn: must be a role in account 111111111111 (the provider refuses any other account), got "arn:aws:iam::999999999999:role/plan"',
        'accounts[1].planRoleArn: must be a read-only role, not the deployRoleArn (pull-request plans would run with write access), got "arn:aws:iam::222222222222:role/deploy"',
      ],
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  it('reports every problem at once', () => {
    const lines = problems({ namePrefix: 'X', accounts: [account({ id: '1', regions: ['mars-1'] })], logRetentionDays: 2 });
    expect(lines).toEqual([
      'namePrefix: must start with a letter and contain only lower-case letters, digits and hyphens, got "X"',
      'accounts[0].id: must be 12 digits, got "1"',
      'accounts[0].regions[0]: must be an AWS region such as ap-northeast-1, got "mars-1"',
      expect.stringMatching(/^logRetentionDays: must be one of /),
    ]);
  });
});

describe('configuration: files and the synth command', () => {
  const scratch = join(ROOT, '.tmp');
  // What `npm run synth` runs: the app's bundle from the current sources (rebuilt by
  // tooling/run.js when a source changed).
  let main: string;
  beforeAll(() => {
    main = ensureBuilt('main.ts');
  });

  it('names the file when it cannot be read or parsed', () => {
    expect(() => loadConfig(join(scratch, 'does-not-exist.json'))).toThrow(/cannot read the file \(ENOENT\); set SSMB_CONFIG/);
    const broken = join(scratch, 'broken-config.json');
    writeFileSync(broken, '{ "accounts": [ }');
    expect(() => loadConfig(broken)).toThrow(/broken-config\.json: invalid configuration\n {2}\(file\) line 1, column 17: not valid JSON/);
  });

  it('synth exits 1 with one line per problem and no stack trace', () => {
    const bad = join(scratch, 'bad-config.json');
    writeFileSync(bad, JSON.stringify({ accounts: [account({ id: '12345' }), account({ id: '12345', name: 'x' })] }));
    const res = spawnSync(process.execPath, [main], {
      cwd: ROOT,
      env: { ...process.env, SSMB_CONFIG: bad, CDKTF_OUTDIR: join(scratch, 'bad-synth') },
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('accounts[0].id: must be 12 digits, got "12345"');
    expect(res.stderr).toContain('accounts[1].name: must be a slug');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack frames
    expect(res.stdout).toBe('');
  });

  /** Runs the synth bundle as `npm run synth` does; `env` is added to this process's unless `bare`. */
  const synth = (env: NodeJS.ProcessEnv, opts: { cwd?: string; bare?: boolean } = {}) =>
    spawnSync(process.execPath, [main], {
      cwd: opts.cwd ?? ROOT,
      // With the compiled-code cache tooling/run.js gives the bundle.
      env: { ...(opts.bare ? env : { ...process.env, ...env }), NODE_COMPILE_CACHE: join(ROOT, 'dist', 'compile-cache') },
      encoding: 'utf8',
    });
  /** Every file under `root`, relative, sorted. */
  const files = (root: string, dir = root): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .flatMap((d) => (d.isDirectory() ? files(root, join(dir, d.name)) : [relative(root, join(dir, d.name))]))
      .sort();

  // The example configuration (SSMB_CONFIG unset) synthesized once, as a user's shell would
  // run it but with no terraform on the PATH: several tests below read or start from it.
  const exampleOut = join(scratch, 'synth-listed');
  let example: SpawnSyncReturns<string>;
  const deepOut = join(scratch, 'deep', 'a', 'b', 'out');
  let noted: SpawnSyncReturns<string>;
  beforeAll(() => {
    rmSync(exampleOut, { recursive: true, force: true });
    // Only node's own folder on the PATH: no terraform binary to find.
    example = synth({ HOME: process.env.HOME, PATH: dirname(process.execPath), CDKTF_OUTDIR: exampleOut }, { bare: true });
    // A configuration that draws a construct warning, synthesized into a deep folder.
    const cfg = join(scratch, 'existing-recorder.json');
    writeFileSync(cfg, JSON.stringify({ ...exampleInput(), inventory: { recorder: { mode: 'useExisting' } } }));
    rmSync(deepOut, { recursive: true, force: true });
    noted = synth({ SSMB_CONFIG: cfg, CDKTF_OUTDIR: deepOut });
  });

  it('synth prints construct warnings as NOTE lines (e.g. what an existing Config recorder must record)', () => {
    const notes = noted.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('NOTE '));
    expect(noted.status).toBe(0);
    expect(notes).toHaveLength(3); // one per account-region
    expect(notes[0]).toMatch(/^NOTE prod-ap-northeast-1: inventory\.recorder\.mode is "useExisting"/);
  });

  it('synthesizes with no terraform on the PATH (synth needs neither AWS nor terraform)', () => {
    expect(example.stderr).toBe('');
    expect(example.status).toBe(0);
  });

  it('synth names every stack it wrote, and where', () => {
    const where = relative(ROOT, exampleOut);
    expect(example.stdout.trim().split('\n')).toEqual([
      `wrote ${where}/stacks/prod-bootstrap/cdk.tf.json`,
      `wrote ${where}/stacks/prod-ap-northeast-1/cdk.tf.json`,
      `wrote ${where}/stacks/prod-us-east-1/cdk.tf.json`,
      `wrote ${where}/stacks/staging-bootstrap/cdk.tf.json`,
      `wrote ${where}/stacks/staging-ap-northeast-1/cdk.tf.json`,
      `5 stacks synthesized into ${where}`,
    ]);
  });

  it('refuses an output folder that is not synth output, and leaves it as it was', () => {
    const notes = join(scratch, 'not-synth-output');
    // A stand-in project (never the real one: a broken guard would replace it).
    const project = join(scratch, 'stand-in-project');
    for (const dir of [notes, project]) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'todo.txt'), 'mine');
    }
    // The cases of the guard are replaceDirectory's tests; here, that synth applies it:
    // to a folder of other files, and to the project it runs in.
    const config = join(ROOT, 'config', 'example.json');
    for (const [cwd, outdir] of [
      [ROOT, notes],
      [project, project],
    ]) {
      const res = synth({ SSMB_CONFIG: config, CDKTF_OUTDIR: outdir }, { cwd });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('is not a synth output folder');
    }
    expect(readFileSync(join(notes, 'todo.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(project, 'todo.txt'), 'utf8')).toBe('mine');
  });

  it('a synth with fewer accounts leaves no stack of the earlier one behind', () => {
    // The two-account example's output, then a synth of its first account into it.
    const outdir = join(scratch, 'synth-shrinks');
    rmSync(outdir, { recursive: true, force: true });
    cpSync(exampleOut, outdir, { recursive: true });
    expect(readdirSync(join(outdir, 'stacks')).sort()).toContain('staging-bootstrap');
    const one = join(scratch, 'one-account.json');
    writeFileSync(one, JSON.stringify({ ...exampleInput(), accounts: [exampleInput().accounts[0]] }));
    expect(synth({ SSMB_CONFIG: one, CDKTF_OUTDIR: outdir }).status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['prod-ap-northeast-1', 'prod-bootstrap', 'prod-us-east-1']);
    expect(Object.keys(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).stacks).sort()).toEqual([
      'prod-ap-northeast-1',
      'prod-bootstrap',
      'prod-us-east-1',
    ]);
  });

  it("keeps the bootstrap stacks' local state beside the project, however deep the output folder is", () => {
    expect(noted.status).toBe(0);
    for (const outdir of [deepOut, exampleOut]) {
      const stackDir = join(outdir, 'stacks', 'prod-bootstrap');
      const { path } = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')).terraform.backend.local;
      expect(resolve(stackDir, path)).toBe(join(ROOT, 'bootstrap-state', 'prod-bootstrap.tfstate'));
    }
  });

  it('the bundled app (what `npm run synth` runs) writes exactly what its modules write unbundled', () => {
    // The same app built here from the modules as the tests load them, one by one.
    const plainOut = join(scratch, 'synth-plain');
    rmSync(plainOut, { recursive: true, force: true });
    buildApp(exampleConfig(), plainOut).synth();
    const listed = files(exampleOut);
    expect(files(plainOut)).toEqual(listed);
    for (const f of listed)
      expect({ f, same: readFileSync(join(exampleOut, f)).equals(readFileSync(join(plainOut, f))) }).toEqual({ f, same: true });
  });
  it('the published JSON Schema is up to date (run `npm run schema`)', () => {
    expect(readFileSync(join(ROOT, 'config', 'schema.json'), 'utf8')).toBe(configJsonSchemaText());
  });
});
