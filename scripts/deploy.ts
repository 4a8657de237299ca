// `npm run --silent deploy -- <command> ...`: the glue of the apply workflow
// (.github/workflows/apply.yml), runnable alone from its bundle (node builtins only).
//
//   order <cdktf.out>                 the apply order: writes <cdktf.out>/apply-order.json and
//                                     prints {"stacks": N, "units": [{name, include}]}
//   compare <reviewed> <fresh>        two `terraform show -json` plans: exit 0 when applying
//                                     the fresh one does exactly what the reviewed one showed
//   redact <in> <out>                 a `terraform show -json` plan without its sensitive values
//                                     (in may be out): what every workflow uploads or renders
//   gate <cdktf.out> --stack S --results DIR --output FILE
//                                     exit 0: S may run; exit 1: a dependency failed, was
//                                     refused or skipped: the skipped result goes to FILE
//   record --stack S --outcome O [--detail TEXT] --output FILE
//                                     writes one stack's result
//   summary <cdktf.out> --results DIR [--output FILE]
//                                     the run's summary; exit 1 unless every stack succeeded
//   artifact <plan|apply|drift> <stack>
//                                     prints the artifact name of a stack's files
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJsonFile } from '../tooling/synth-output';
import { Io, UsageError, processIo, runMain, strictArgs, usageError } from './cli-args';
import { ARTIFACT_KINDS, ArtifactKind, artifactName } from './deploy/artifacts';
import { comparePlans, renderDifferences } from './deploy/compare';
import { isPlan, redactPlan } from './deploy/redact';
import {
  APPLY_ORDER_FILE,
  OUTCOMES,
  Outcome,
  applyOrder,
  gate,
  readApplyOrder,
  readResults,
  renderApplySummary,
  writeResult,
} from './deploy/order';

export const USAGE = `usage: npm run --silent deploy -- order <cdktf.out dir>
       npm run --silent deploy -- compare <reviewed plan.json> <fresh plan.json>
       npm run --silent deploy -- redact <plan.json> <redacted plan.json>
       npm run --silent deploy -- gate <cdktf.out dir> --stack S --results DIR --output FILE
       npm run --silent deploy -- record --stack S --outcome ${OUTCOMES.join('|')} [--detail TEXT] --output FILE
       npm run --silent deploy -- summary <cdktf.out dir> --results DIR [--output FILE]
       npm run --silent deploy -- artifact ${ARTIFACT_KINDS.join('|')} <stack>

  --stack S       the stack
  --results DIR   the downloaded apply-* artifacts (one result.json each)
  --output FILE   where to write (a result, or the summary instead of stdout)
  --outcome O     how the stack's apply ended
  --detail TEXT   one line: why
  --help          print this and exit

exit status: 0 done / same plan / may run / all succeeded; 1 plans differ / stopped by a
dependency / a stack did not succeed; 2 usage or input error
`;

const COMMANDS: Record<string, number> = { order: 1, compare: 2, redact: 2, gate: 1, record: 0, summary: 1, artifact: 2 };

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let args;
  try {
    args = strictArgs(
      {
        options: {
          stack: { type: 'string' },
          results: { type: 'string' },
          output: { type: 'string' },
          outcome: { type: 'string' },
          detail: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        allowPositionals: true,
      },
      argv,
    );
    if (args.values.help) {
      io.out(USAGE);
      return 0;
    }
    const [command, ...rest] = args.positionals;
    if (!command) throw new UsageError('no command given');
    if (!(command in COMMANDS)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    if (rest.length !== COMMANDS[command]) throw new UsageError(`${command} takes ${COMMANDS[command]} argument(s), got ${rest.length}`);
    const need = (...names: Array<'stack' | 'results' | 'output' | 'outcome'>) => {
      for (const n of names) if (args!.values[n] === undefined) throw new UsageError(`${command} needs --${n}`);
    };
    if (command === 'gate') need('stack', 'results', 'output');
    if (command === 'record') need('stack', 'outcome', 'output');
    if (command === 'summary') need('results');
    if (command === 'record' && !OUTCOMES.includes(args.values.outcome as Outcome))
      throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`);
    if (command === 'artifact' && !ARTIFACT_KINDS.includes(rest[0] as ArtifactKind))
      throw new UsageError(`artifact kind must be one of ${ARTIFACT_KINDS.join(', ')}`);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, USAGE, err);
    throw err;
  }
  const [command, ...rest] = args.positionals;
  const v = args.values;
  switch (command) {
    case 'order': {
      const outdir = resolve(rest[0]);
      const order = applyOrder(outdir);
      writeFileSync(resolve(outdir, APPLY_ORDER_FILE), `${JSON.stringify(order, null, 2)}\n`);
      io.out(`${JSON.stringify({ stacks: order.stacks, units: order.units })}\n`);
      return 0;
    }
    case 'compare': {
      const [reviewed, fresh] = rest.map((f) => readJsonFile(resolve(f)) as { errored?: boolean });
      if (fresh.errored) {
        io.out('the plan errored: nothing to compare\n');
        return 1;
      }
      const diffs = comparePlans(reviewed, fresh);
      io.out(renderDifferences(diffs));
      return diffs.length ? 1 : 0;
    }
    case 'redact': {
      const plan = readJsonFile(resolve(rest[0]));
      if (!isPlan(plan)) {
        io.err(`${rest[0]}: not a \`terraform show -json\` plan\n`);
        return 2;
      }
      writeFileSync(resolve(rest[1]), `${JSON.stringify(redactPlan(plan))}\n`);
      return 0;
    }
    case 'gate': {
      const order = readApplyOrder(resolve(rest[0]));
      const skipped = gate(order, v.stack!, readResults(resolve(v.results!)));
      if (!skipped) {
        io.out(`${v.stack}: every stack it depends on succeeded in this run\n`);
        return 0;
      }
      writeResult(v.output!, skipped);
      io.out(`${v.stack}: not applied because of ${skipped.because!.join(', ')}${skipped.detail ? ` (${skipped.detail})` : ''}\n`);
      return 1;
    }
    case 'record': {
      const detail = v.detail
        ?.split(/\r?\n/)
        .find((l) => l.trim())
        ?.trim()
        .slice(0, 300);
      writeResult(v.output!, { stack: v.stack!, outcome: v.outcome as Outcome, ...(detail ? { detail } : {}) });
      return 0;
    }
    case 'summary': {
      const { markdown, ok } = renderApplySummary(readApplyOrder(resolve(rest[0])), readResults(resolve(v.results!)));
      if (v.output !== undefined) writeFileSync(v.output, markdown);
      else io.out(markdown);
      return ok ? 0 : 1;
    }
    default:
      io.out(`${artifactName(rest[0] as ArtifactKind, rest[1])}\n`);
      return 0;
  }
}

if (require.main === module) runMain('deploy', () => main(process.argv.slice(2)));
