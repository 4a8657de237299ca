// `npm run compare-synth -- --write <dir>`: synthesize every configuration under config/
// into <dir>/<config name>/. `npm run compare-synth -- <before dir> <after dir>`: compare
// every stack's cdk.tf.json of two such folders byte for byte (exit 1 on any difference).
// A refactor keeps them identical: construct ids and resource addresses are API.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../tooling/lambda-bundle';
import { ensureBuilt } from '../tooling/run';

const USAGE = `usage: npm run compare-synth -- --write <dir>
       npm run compare-synth -- [--mask-lambda-code] <before dir> <after dir>

  --write DIR           synthesize every config/*.json (schema.json excepted) into DIR/<name>/
  --mask-lambda-code    ignore the Lambda zip name and code hashes (a handler's sources moved)`;

/** Stack file paths (relative to a compare folder) of every config's synth output. */
function stackFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((config) => existsSync(join(dir, config, 'stacks')))
    .flatMap((config) => readdirSync(join(dir, config, 'stacks')).map((stack) => join(config, 'stacks', stack, 'cdk.tf.json')))
    .sort();
}

/** The zip name and hashes of Lambda code, for comparing across a move of handler sources. */
export function maskLambdaCode(text: string): string {
  return text
    .replace(/("filename": "assets\/[^/"]+\/)[0-9a-f]+\/[^/"]+\.zip"/g, '$1<hash>/<name>.zip"')
    .replace(/("source_code_hash": ")[^"]+"/g, '$1<hash>"');
}

/** The stack files that differ (or exist on one side only) between two compare folders. */
export function compareSynth(before: string, after: string, opts: { maskLambdaCode?: boolean } = {}): string[] {
  const a = stackFiles(before);
  const b = stackFiles(after);
  const differences = [
    ...a.filter((f) => !b.includes(f)).map((f) => `only before: ${f}`),
    ...b.filter((f) => !a.includes(f)).map((f) => `only after: ${f}`),
  ];
  const read = (root: string, f: string) => {
    const text = readFileSync(join(root, f), 'utf8');
    return opts.maskLambdaCode ? maskLambdaCode(text) : text;
  };
  for (const f of a.filter((x) => b.includes(x))) if (read(before, f) !== read(after, f)) differences.push(`differs: ${f}`);
  return differences;
}

function writeAll(dir: string): void {
  const root = projectRoot();
  for (const file of readdirSync(join(root, 'config'))
    .filter((f) => f.endsWith('.json') && f !== 'schema.json')
    .sort()) {
    const out = join(dir, basename(file, '.json'));
    rmSync(out, { recursive: true, force: true });
    execFileSync(process.execPath, [ensureBuilt('main.ts')], {
      env: { ...process.env, SSMB_CONFIG: join(root, 'config', file), CDKTF_OUTDIR: out },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    process.stdout.write(`synthesized config/${file} -> ${out}\n`);
  }
}

function main(argv: string[]): number {
  let values: { write?: string; 'mask-lambda-code'?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { write: { type: 'string' }, 'mask-lambda-code': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.write) {
    writeAll(values.write);
    return 0;
  }
  if (positionals.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const differences = compareSynth(positionals[0], positionals[1], { maskLambdaCode: values['mask-lambda-code'] });
  const files = stackFiles(positionals[0]).length;
  for (const d of differences) process.stdout.write(`${d}\n`);
  process.stdout.write(differences.length === 0 ? `identical: ${files} cdk.tf.json files\n` : `${differences.length} difference(s)\n`);
  return differences.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
