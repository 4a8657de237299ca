// `npm run policy -- [options] <cdktf.out dir | stack dir | cdk.tf.json | plan.json>...`
// Checks synthesized stacks or terraform plans against the rules in policies/rules and
// exits 1 when any finding, non-compliant or could-not-tell, is not suppressed in code
// (2 on bad input).
import { writeFileSync } from 'node:fs';
import { parseArgs as parseArgv } from 'node:util';
import { evaluate } from './engine';
import { formatSarif } from './format/sarif';
import { formatTable, summaryLine } from './format/table';
import { InputError, loadPath } from './load';
import { RULES, rulesMarkdown } from './rules';

const USAGE = `usage: npm run policy -- [--format table|json|sarif] [--output FILE] [--plans] <path>...

  <path>           a cdktf.out folder, a stack folder, a cdk.tf.json or a plan JSON
                   (terraform show -json <planfile>); several may be given
  --format FMT     table (default), json, or sarif (SARIF 2.1.0 for code scanning)
  --output FILE    write the report to FILE and only the summary line to stdout
  --plans          in stack folders, read plan.json instead of cdk.tf.json when present
  --rules-md       print the rule table (policies/RULES.md) and exit
  -h, --help       print this help and exit

exit status: 0 no unsuppressed finding, 1 unsuppressed findings (non-compliant, or a value
             the rules could not tell), 2 usage or input error; warnings (a runtime near its
             deprecation date) are shown but never change it`;

interface Args {
  format: 'table' | 'json' | 'sarif';
  output?: string;
  plans: boolean;
  rulesMd: boolean;
  help: boolean;
  paths: string[];
}

/** A mistake in the command line: reported with the usage. */
class UsageError extends InputError {}

function parseArgs(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgv({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        output: { type: 'string' },
        plans: { type: 'boolean' },
        'rules-md': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // node:util reports unknown options and missing values as TypeErrors with an ERR_PARSE_ARGS_* code.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message);
    throw err;
  }
  const { values, positionals } = parsed;
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'sarif')
    throw new UsageError(`--format must be table, json or sarif, got ${format}`);
  const args: Args = {
    format,
    output: values.output,
    plans: !!values.plans,
    rulesMd: !!values['rules-md'],
    help: !!values.help,
    paths: positionals,
  };
  if (!args.help && !args.rulesMd && args.paths.length === 0) throw new UsageError('no path given');
  return args;
}

export interface MainOptions {
  /** "Today" for date-based rules; @default now */
  readonly now?: Date;
  /** Where errors go; @default stderr */
  readonly err?: (s: string) => void;
}

/** Runs the CLI; returns the exit status. Bad input is reported on `err` with status 2. */
export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  opts: MainOptions = {},
): Promise<number> {
  const err = opts.err ?? ((s: string) => process.stderr.write(s));
  try {
    return await run(argv, out, opts.now);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    err(e instanceof UsageError ? `${e.message}\n${USAGE}\n` : `${e.message}\n`);
    return 2;
  }
}

async function run(argv: string[], out: (s: string) => void, now: Date | undefined): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  if (args.rulesMd) {
    out(rulesMarkdown());
    return 0;
  }
  const stacks = args.paths.flatMap((p) => {
    const found = loadPath(p, { preferPlans: args.plans });
    // A manifest listing no stacks would otherwise pass with nothing checked.
    if (found.length === 0) throw new InputError(`${p}: no stacks found`);
    return found;
  });
  const report = await evaluate(stacks, { now });
  const text =
    args.format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : args.format === 'sarif'
        ? formatSarif(report, RULES)
        : formatTable(report);
  if (args.output) {
    writeFileSync(args.output, text);
    out(`${summaryLine(report)}\n`);
  } else out(text);
  return report.summary.unsuppressed === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`policy check failed: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 2;
    },
  );
}
