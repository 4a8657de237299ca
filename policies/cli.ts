// `npm run policy -- [options] <cdktf.out dir | stack dir | cdk.tf.json | plan.json>...`
// Checks synthesized stacks or terraform plans against the rules in policies/rules and
// exits 1 when any finding, non-compliant or could-not-tell, is not suppressed in code
// (2 on bad input).
import { writeFileSync } from 'node:fs';
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

exit status: 0 no unsuppressed finding, 1 unsuppressed findings (non-compliant, or a value
             the rules could not tell), 2 usage or input error; warnings (a runtime near its
             deprecation date) are shown but never change it`;

interface Args {
  format: 'table' | 'json' | 'sarif';
  output?: string;
  plans: boolean;
  rulesMd: boolean;
  paths: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { format: 'table', plans: false, rulesMd: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new InputError(`${a} needs a value`);
      return v;
    };
    if (a === '--format' || a.startsWith('--format=')) {
      const f = value();
      if (f !== 'table' && f !== 'json' && f !== 'sarif') throw new InputError(`--format must be table, json or sarif, got ${f}`);
      args.format = f;
    } else if (a === '--output' || a.startsWith('--output=')) args.output = value();
    else if (a === '--plans') args.plans = true;
    else if (a === '--rules-md') args.rulesMd = true;
    else if (a === '--help' || a === '-h') throw new InputError(USAGE);
    else if (a.startsWith('--')) throw new InputError(`unknown option ${a}\n${USAGE}`);
    else args.paths.push(a);
  }
  if (!args.rulesMd && args.paths.length === 0) throw new InputError(USAGE);
  return args;
}

export interface MainOptions {
  /** "Today" for date-based rules; @default now */
  readonly now?: Date;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), opts: MainOptions = {}): Promise<number> {
  const args = parseArgs(argv);
  if (args.rulesMd) {
    out(rulesMarkdown());
    return 0;
  }
  const stacks = args.paths.flatMap((p) => loadPath(p, { preferPlans: args.plans }));
  const report = await evaluate(stacks, { now: opts.now });
  const text =
    args.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : args.format === 'sarif' ? formatSarif(report, RULES) : formatTable(report);
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
      process.stderr.write(`${err instanceof InputError ? '' : 'policy check failed: '}${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
