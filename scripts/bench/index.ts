import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { bundlesDir, projectRoot } from '../../tooling/lambda-bundle';
import { ensureBuilt } from '../../tooling/run';
import { UsageError, processIo, strictArgs, usageError } from '../cli-args';
import { fleetConfig, hubFleetConfig } from './fleet';
import { median, providerModules, slope, synthNodeFlags, table } from './stats';
import { patchHistoryModelMarkdown, stateMachineFigures, StateMachineFigure } from './state-machine';

// `npm run bench [-- --runs N] [--suite]`: synth, scaling, bundle and state-machine
// figures, written to BENCHMARKS.md and bench/results.json. Timings live here, never in
// jest assertions.

const root = projectRoot();
const scratch = join(root, '.tmp', 'bench');
const USAGE = `usage: npm run bench -- [--runs N] [--suite]

  --runs N   runs per synth measurement (default: BENCH_RUNS, else 5)
  --suite    also time the unit lane and the whole npm test
  --help     print this and exit
`;
const flags = (() => {
  try {
    const { values } = strictArgs(
      { options: { runs: { type: 'string' }, suite: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } },
      process.argv.slice(2),
    );
    if (values.runs !== undefined && !/^[1-9]\d*$/.test(values.runs))
      throw new UsageError(`--runs must be a positive whole number, got ${values.runs}`);
    return values;
  } catch (err) {
    if (err instanceof UsageError) process.exit(usageError(processIo, USAGE, err));
    throw err;
  }
})();
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const runs = Number(flags.runs) || Number(process.env.BENCH_RUNS) || 5;
/** Account-regions of the hub row: the organization scale the hub is built for. */
const HUB_FLEET = 1000;

interface Sample {
  seconds: number;
  maxRssMiB: number;
}

/** Runs a script once in a fresh Node process: its wall time and peak RSS. */
function measureOnce(script: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): Sample {
  const out = join(scratch, 'rss.json');
  const started = process.hrtime.bigint();
  const res = spawnSync(process.execPath, [...nodeFlags, measureScript, script], {
    env: { ...process.env, ...env, BENCH_OUT: out },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (res.status !== 0) throw new Error(`${script} failed (${res.status}):\n${res.stderr}`);
  return { seconds, maxRssMiB: JSON.parse(readFileSync(out, 'utf8')).maxRssKiB / 1024 };
}

const medianSample = (samples: Sample[]): Sample => ({
  seconds: median(samples.map((s) => s.seconds)),
  maxRssMiB: median(samples.map((s) => s.maxRssMiB)),
});

/** Runs a script `times` times in fresh Node processes; median wall time and peak RSS. */
function measure(script: string, env: NodeJS.ProcessEnv, times: number, nodeFlags: readonly string[] = []): Sample {
  return medianSample(Array.from({ length: times }, () => measureOnce(script, env, nodeFlags)));
}

/**
 * Runs every task once per round, `times` rounds, and gives each task's median: figures
 * that are compared with one another (the floor, the app, the commands) are measured side
 * by side, so a slow minute of the machine weighs on all of them alike.
 */
function sideBySide<K extends string>(tasks: Record<K, () => Sample>, times: number): Record<K, Sample> {
  const names = Object.keys(tasks) as K[];
  const samples = new Map<K, Sample[]>(names.map((k) => [k, []]));
  for (let i = 0; i < times; i++) for (const k of names) samples.get(k)!.push(tasks[k]());
  return Object.fromEntries(names.map((k) => [k, medianSample(samples.get(k)!)])) as Record<K, Sample>;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The provider modules the app bundles (its esbuild inputs): what the floor loads. */
function floorProviderModules(): string[] {
  return providerModules((JSON.parse(readFileSync(`${synthScript}.inputs.json`, 'utf8')) as { inputs: string[] }).inputs);
}

// The bundles the commands run (tooling/run.js), built before anything is timed.
const synthScript = ensureBuilt('main.ts');
/** The Node flags `npm run synth` starts with (package.json), so the synth rows measure what users run. */
const SYNTH_NODE_FLAGS = synthNodeFlags(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.synth);
const measureScript = ensureBuilt('scripts/bench/measure.ts');
/** cdktf-cli's command bundle, which it requires whole before running any command. */
const CDKTF_CLI_HANDLERS = join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cmds', 'handlers.js');
ensureBuilt('policies/cli.ts');

/** One run of a command as a user types it (npm and npx included): its wall time (no RSS). */
function commandOnce(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const seconds = time(() => spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' }));
  return { seconds, maxRssMiB: NaN };
}

/** The shape of a synth output: stacks and bytes per stack. */
function outputFigures(outdir: string): { stacks: number; bytesPerStack: number } {
  const stackDirs = readdirSync(join(outdir, 'stacks'));
  const bytes = walk(join(outdir, 'stacks')).reduce((a, f) => a + statSync(f).size, 0);
  return { stacks: stackDirs.length, bytesPerStack: Math.round(bytes / stackDirs.length) };
}

function synthFigures(configPath: string, outdir: string, times: number): Sample & { stacks: number; bytesPerStack: number } {
  rmSync(outdir, { recursive: true, force: true });
  const sample = measure(synthScript, { SSMB_CONFIG: configPath, CDKTF_OUTDIR: outdir }, times, SYNTH_NODE_FLAGS);
  return { ...sample, ...outputFigures(outdir) };
}

function bundleFigures(): Array<{ name: string; bytes: number; zipBytes: number; coldLoadMs: number }> {
  const dir = bundlesDir(root);
  if (!existsSync(dir)) return [];
  const bare = median(Array.from({ length: runs }, () => time(() => spawnSync(process.execPath, ['-e', '0']))));
  // Bundles may nest (agent-update/digest): every folder below that holds an index.js.
  return walk(dir)
    .filter((f) => f.endsWith('/index.js'))
    .map((f) => f.slice(dir.length + 1, -'/index.js'.length))
    .sort()
    .map((name) => {
      const file = join(dir, name, 'index.js');
      const load = median(
        Array.from({ length: runs }, () => time(() => spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`]))),
      );
      return {
        name,
        bytes: statSync(file).size,
        zipBytes: statSync(join(dir, `${name}.zip`)).size,
        coldLoadMs: Math.max(0, (load - bare) * 1000),
      };
    });
}

function time(fn: () => { status: number | null }): number {
  const started = process.hrtime.bigint();
  const res = fn();
  if (res.status !== 0) throw new Error('child process failed');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function terraformVersion(): string {
  try {
    return execFileSync('terraform', ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } }).split('\n')[0];
  } catch {
    return 'terraform not found';
  }
}

const UNIT_LANE_RUNS = 3;

/**
 * Wall time of the unit lane (median of three runs: a single run of it varies by a tenth
 * on this kind of machine) and of the whole `npm test` (type check, both lanes; one run).
 */
function suiteSeconds(): { unit: number; all: number } | undefined {
  if (!flags.suite) return undefined;
  const timed = (args: string[]) => {
    const started = process.hrtime.bigint();
    const res = spawnSync('npm', args, { cwd: root, stdio: 'inherit', env: process.env });
    if (res.status !== 0) throw new Error(`npm ${args.join(' ')} failed; fix it before benchmarking it`);
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const unit = median(Array.from({ length: UNIT_LANE_RUNS }, () => timed(['run', '--silent', 'test:unit'])));
  return { unit, all: timed(['test', '--silent']) };
}

async function main(): Promise<void> {
  mkdirSync(scratch, { recursive: true });
  const base = JSON.parse(readFileSync(join(root, 'config', 'example.json'), 'utf8'));

  process.stdout.write(`floor, example synth and commands as users type them, side by side (${runs} rounds)...\n`);
  const floorScript = join(scratch, 'floor.js');
  writeFileSync(
    floorScript,
    ['cdktf', 'constructs', ...floorProviderModules()].map((m) => `require(${JSON.stringify(m)});`).join('\n') + '\n',
  );
  const exampleOut = join(scratch, 'example-out');
  const commandOut = join(scratch, 'commands-out');
  rmSync(exampleOut, { recursive: true, force: true });
  const side = sideBySide(
    {
      floor: () => measureOnce(floorScript, {}),
      example: () =>
        measureOnce(synthScript, { SSMB_CONFIG: join(root, 'config', 'example.json'), CDKTF_OUTDIR: exampleOut }, SYNTH_NODE_FLAGS),
      npmSynth: () => commandOnce('npm', ['run', '--silent', 'synth'], { CDKTF_OUTDIR: commandOut }),
      // What `npm run synth` starts, without npm: the difference is npm's own start.
      runSynth: () => commandOnce(process.execPath, [...SYNTH_NODE_FLAGS, 'tooling/run.js', 'main.ts'], { CDKTF_OUTDIR: commandOut }),
      cdktfSynth: () => commandOnce('npx', ['cdktf', 'synth', '--output', commandOut]),
      policy: () => commandOnce('npm', ['run', '--silent', 'policy', '--', commandOut]),
      policyHelp: () => commandOnce('npm', ['run', '--silent', 'policy', '--', '--help']),
      // What cdktf-cli loads before any command runs: the fixed part of `npx cdktf synth`.
      cdktfCliLoad: () => commandOnce(process.execPath, ['-e', `require(${JSON.stringify(CDKTF_CLI_HANDLERS)})`]),
    },
    runs,
  );
  const floor = side.floor;
  const example = { ...side.example, ...outputFigures(exampleOut) };
  const commands = {
    npmSynth: side.npmSynth.seconds,
    runSynth: side.runSynth.seconds,
    cdktfSynth: side.cdktfSynth.seconds,
    policy: side.policy.seconds,
    policyHelp: side.policyHelp.seconds,
  };
  const cdktfCliLoad = side.cdktfCliLoad.seconds;

  const sizes = [1, 10, 50, 200];
  const scaling = sizes.map((n) => {
    process.stdout.write(`synth of ${n} account-regions...\n`);
    const configPath = join(scratch, `fleet-${n}.json`);
    writeFileSync(configPath, JSON.stringify(fleetConfig(n, base)));
    return { n, ...synthFigures(configPath, join(scratch, `fleet-${n}-out`), n >= 200 ? 3 : Math.min(runs, 3)) };
  });
  // One run: at this size a run takes about a minute of the machine.
  process.stdout.write(`synth of ${HUB_FLEET} account-regions with a hub...\n`);
  const hubConfigPath = join(scratch, `hub-fleet-${HUB_FLEET}.json`);
  writeFileSync(hubConfigPath, JSON.stringify(hubFleetConfig(HUB_FLEET, base)));
  const hubFleet = { n: HUB_FLEET, ...synthFigures(hubConfigPath, join(scratch, `hub-fleet-${HUB_FLEET}-out`), 1) };
  const marginalSeconds = slope(scaling.map((s) => [s.n, s.seconds]));
  const marginalRssMiB = slope(scaling.map((s) => [s.n, s.maxRssMiB]));

  process.stdout.write('lambda bundles...\n');
  const bundles = bundleFigures();
  process.stdout.write('state machine...\n');
  const machine: StateMachineFigure[] = await stateMachineFigures();
  const suite = suiteSeconds();

  const at200 = scaling.find((s) => s.n === 200)!;
  const ratio = (s: number) => `${(s / floor.seconds).toFixed(2)}x (${s.toFixed(2)} s)`;
  const targets: Array<[string, string, boolean]> = [
    ['`npm run synth` end to end within 2x the module-load floor', ratio(commands.npmSynth), commands.npmSynth <= 2 * floor.seconds],
    ['`npx cdktf synth` within 3x the floor', ratio(commands.cdktfSynth), commands.cdktfSynth <= 3 * floor.seconds],
    ['`npm run policy -- cdktf.out` within 1.5 s', `${commands.policy.toFixed(2)} s`, commands.policy <= 1.5],
    ['`npm run policy -- --help` under 0.5 s', `${commands.policyHelp.toFixed(2)} s`, commands.policyHelp < 0.5],
    [
      'example synth app within 2x the module-load floor',
      `${(example.seconds / floor.seconds).toFixed(2)}x`,
      example.seconds <= 2 * floor.seconds,
    ],
    ['200 account-regions under 60 s', `${at200.seconds.toFixed(1)} s`, at200.seconds < 60],
    ['200 account-regions under 2 GB peak RSS', `${at200.maxRssMiB.toFixed(0)} MiB`, at200.maxRssMiB < 2048],
    [`${HUB_FLEET} account-regions with a hub within 60 s`, `${hubFleet.seconds.toFixed(1)} s`, hubFleet.seconds <= 60],
    [`${HUB_FLEET} account-regions with a hub within 2 GB peak RSS`, `${hubFleet.maxRssMiB.toFixed(0)} MiB`, hubFleet.maxRssMiB <= 2048],
    [
      'every Lambda bundle under 100 KB',
      bundles.map((b) => `${b.name} ${(b.bytes / 1024).toFixed(1)} KiB`).join(', ') || 'no bundles',
      bundles.every((b) => b.bytes < 100 * 1024),
    ],
    ...(suite !== undefined
      ? ([
          ['unit lane (`npm run test:unit`) within 30 s', `${suite.unit.toFixed(0)} s`, suite.unit <= 30],
          ['whole `npm test` within 120 s', `${suite.all.toFixed(0)} s`, suite.all <= 120],
        ] as Array<[string, string, boolean]>)
      : []),
  ];

  const env = {
    date: new Date().toISOString().slice(0, 10),
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    terraform: terraformVersion(),
    runs,
  };
  const results = {
    env,
    floor,
    example,
    commands,
    cdktfCliLoad,
    scaling,
    hubFleet,
    marginalSeconds,
    marginalRssMiB,
    bundles,
    stateMachine: machine,
    suiteSeconds: suite,
    targets,
  };
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const f1 = (x: number) => x.toFixed(1);
  const f2 = (x: number) => x.toFixed(2);
  const md = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${env.date}: ${env.cpu}, ${env.memoryGiB} GiB, Node ${env.node}, ${env.terraform}. ` +
      `Medians of ${runs} runs (3 for the scaling rows); the floor, the example synth and the commands side by side, one run of each per round. Raw figures: [bench/results.json](bench/results.json).`,
    '',
    '## Targets',
    '',
    table(
      ['target', 'measured', 'met'],
      targets.map(([t, m, ok]) => [t, m, ok ? 'yes' : '**no**']),
    ),
    '',
    '## Synth of the example configuration',
    '',
    'The floor is a Node process that only loads `cdktf`, `constructs` and the provider modules the app imports.',
    '',
    table(
      ['run', 'wall (s)', 'peak RSS (MiB)', 'stacks'],
      [
        ['module-load floor', f2(floor.seconds), f1(floor.maxRssMiB), '-'],
        ['synth app (`dist/bin/main.js`, the bundle `npm run synth` runs)', f2(example.seconds), f1(example.maxRssMiB), example.stacks],
        ['ratio', `${f2(example.seconds / floor.seconds)}x`, `${f2(example.maxRssMiB / floor.maxRssMiB)}x`, ''],
      ],
    ),
    '',
    '## Commands as users type them',
    '',
    'Wall time from the shell, npm or npx included, with the bundles already built (a changed source rebuilds once, about a second).',
    '',
    table(
      ['command', 'wall (s)', 'x floor'],
      [
        ['`npm run synth`', f2(commands.npmSynth), f2(commands.npmSynth / floor.seconds)],
        ['`node tooling/run.js main.ts` (what `npm run synth` starts)', f2(commands.runSynth), f2(commands.runSynth / floor.seconds)],
        ['`npx cdktf synth`', f2(commands.cdktfSynth), f2(commands.cdktfSynth / floor.seconds)],
        ['`npm run policy -- cdktf.out`', f2(commands.policy), f2(commands.policy / floor.seconds)],
        ['`npm run policy -- --help`', f2(commands.policyHelp), f2(commands.policyHelp / floor.seconds)],
      ],
    ),
    '',
    `\`npm run synth\` is npm's own start (${f2(commands.npmSynth - commands.runSynth)} s, ` +
      `${f2((commands.npmSynth - commands.runSynth) / floor.seconds)}x the floor, the difference of the two rows) and the app ` +
      `as npm starts it (${f2(commands.runSynth)} s, ${f2(commands.runSynth / floor.seconds)}x). Past the floor the app spends its ` +
      "time in cdktf: building the construct tree and resolving every token of five stacks once (the app's stacks skip " +
      "cdktf's second, cross-stack resolving pass, which they never need); reading and checking the configuration is a few " +
      'hundredths of a second.',
    '',
    `\`npx cdktf synth\` misses 3x because of cdktf-cli itself, not the app or a setting: \`require()\` of its command bundle ` +
      `(\`cdktf-cli/bundle/bin/cmds/handlers.js\`, loaded whole before any command runs) takes ${f2(cdktfCliLoad)} s alone, ` +
      `${f2(cdktfCliLoad / floor.seconds)}x the floor: it requires what any command might need (the HCL converter with ` +
      'jsii-rosetta and TypeScript, the provider generator, prettier, two HCL WebAssembly modules, the terminal layout engine).',
    '',
    'Where the time goes, traced on 2026-12-02 on this machine (timestamps of one run outside a profiler): npx ~0.3 s ' +
      "before cdktf-cli's Node starts; its entry bundle (yargs, every command, Sentry) ~0.3 s; the command bundle " +
      '~1.1-1.3 s; `node --version` and `terraform -v` ~0.1-0.2 s (three copies of @cdktf/commons each start a ' +
      '`terraform version -json` in the background as they load); the app ~0.45 s; then re-reading every stack and a telemetry POST to ' +
      'checkpoint-api.hashicorp.com ~0.15 s. No cdktf.json setting changes any of it (`terraformProviders` is empty and ' +
      '`sendCrashReports` off already). Only the user can set, in their environment: `CHECKPOINT_DISABLE=1` (no ' +
      'telemetry, no terraform checkpoint) and `NODE_COMPILE_CACHE=<dir>` (a V8 code cache for those modules); together, ' +
      'medians of 11 interleaved runs: 2.76 s against 3.27 s wall (CPU user+sys 3.62 s against 4.02 s), still ~9x the ' +
      'floor. In a terminal also `DISABLE_VERSION_CHECK=1`: with stdout a terminal cdktf-cli runs `npm view cdktf-cli ' +
      'version` once a day (~0.6 s), and with the registry unreachable on every run, since a failed check is not ' +
      'remembered: ~70 s of npm retries per run (measured). `npm run synth` runs the same app without cdktf-cli.',
    '',
    '## Scaling (every capability on, CloudTrail trail created)',
    '',
    table(
      ['account-regions', 'stacks (incl. bootstrap)', 'wall (s)', 'peak RSS (MiB)', 'output per stack (KiB)'],
      [...scaling, { ...hubFleet, n: `${hubFleet.n} with a hub (1 run)` }].map((s) => [
        s.n,
        s.stacks,
        f2(s.seconds),
        f1(s.maxRssMiB),
        f1(s.bytesPerStack / 1024),
      ]),
    ),
    '',
    `Marginal cost per added account-region: ${(marginalSeconds * 1000).toFixed(0)} ms and ${f1(marginalRssMiB)} MiB (least-squares slope).`,
    '',
    '## Lambda bundles',
    '',
    'Cold load is `require()` of the bundle in a fresh Node process minus an empty one; the AWS SDK is external (provided by the runtime) and loaded from node_modules here.',
    '',
    table(
      ['bundle', 'index.js (KiB)', 'zip (KiB)', 'cold load (ms)'],
      bundles.map((b) => [b.name, f1(b.bytes / 1024), f1(b.zipBytes / 1024), b.coldLoadMs.toFixed(0)]),
    ),
    '',
    '## Patch-history state machine',
    '',
    'State transitions per run (parent and child executions), counted by executing the definition in the local executor of the execution tests, next to what the run model says.',
    '',
    table(
      ['nodes', 'patch pages each', 'transitions per run (executed)', 'transitions per run (model)'],
      machine.map((m) => [m.nodes, m.pagesPerNode, m.executed, m.modeled]),
    ),
    '',
    patchHistoryModelMarkdown(),
    '',
    ...(suite !== undefined
      ? [
          '## Test suite',
          '',
          `\`npm run test:unit\`: ${suite.unit.toFixed(0)} s (median of ${UNIT_LANE_RUNS} runs); \`npm test\` (type check, unit and terraform lanes): ${suite.all.toFixed(0)} s (one run), wall on this machine.`,
          '',
        ]
      : []),
  ].join('\n');
  writeFileSync(join(root, 'BENCHMARKS.md'), md);
  process.stdout.write(`${md}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
