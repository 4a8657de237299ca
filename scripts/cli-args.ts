// What the project's command-line scripts share: where they write (so tests can run
// `main` in-process and read both streams), strict `parseArgs`, and the exit codes
// (0 done, 1 the checked thing failed, 2 usage or input error).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../tooling/lambda-bundle';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

/** A bad command line: the message, then the usage, on stderr; exit 2. */
export class UsageError extends Error {}

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;

/**
 * `parseArgs` in strict mode: an unknown flag, a missing value or an unexpected
 * positional is a UsageError instead of node's TypeError.
 */
export function strictArgs<T extends ParseArgsConfig>(config: T, argv: string[]): ReturnType<typeof parseArgs<T>> {
  try {
    // Spreading the config loses parseArgs' inference of the option types; they are T's.
    return parseArgs({ ...config, args: argv, strict: true }) as ReturnType<typeof parseArgs<T>>;
  } catch (err) {
    if (String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message);
    throw err;
  }
}

/** Writes a usage error (message and usage) to stderr; the exit code to return. */
export function usageError(io: Io, usage: string, err: UsageError): number {
  io.err(`${err.message}\n${usage}`);
  return 2;
}

/**
 * A script's whole command-line handling: strict parsing, `--help` (declare it in
 * `config`; the usage on stdout, exit 0) and every UsageError of parsing or of `check`
 * (the script's own rules; message and usage on stderr, exit 2). Returns the parsed
 * arguments, or the exit code when the command line ends the run.
 */
export function commandLine<T extends ParseArgsConfig>(
  argv: string[],
  io: Io,
  usage: string,
  config: T,
  check: (args: ReturnType<typeof parseArgs<T>>) => void = () => undefined,
): ReturnType<typeof parseArgs<T>> | number {
  try {
    const args = strictArgs(config, argv);
    if ((args.values as { help?: boolean }).help) {
      io.out(usage);
      return 0;
    }
    check(args);
    return args;
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, usage, err);
    throw err;
  }
}

/** The one positional a script takes (`what` names it: `cdktf.out folder`), else a UsageError. */
export function onePositional(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? `expected one ${what}, got ${positionals.length}` : `no ${what} given`);
  return positionals[0];
}

/** Runs a script's `main` as the process: its result is the exit code; a throw prints `<name> failed: ...`, exit `failCode`. */
export function runMain(
  name: string,
  main: () => Promise<number>,
  opts: { failCode?: number; plain?: (err: unknown) => boolean } = {},
): void {
  main().then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`${opts.plain?.(err) ? '' : `${name} failed: `}${(err as Error).message}\n`);
      process.exitCode = opts.failCode ?? 2;
    },
  );
}

/**
 * The whole command line of a generator (`npm run schema`, `npm run outputs`): `--help`,
 * or write `produce()` to `file` (relative to the project root) and say so.
 */
export function generateFile(argv: string[], io: Io, usage: string, file: string, produce: () => string): number {
  const args = commandLine(argv, io, usage, { options: { help: { type: 'boolean', short: 'h' } } });
  if (typeof args === 'number') return args;
  const path = join(projectRoot(), file);
  writeFileSync(path, produce());
  io.out(`wrote ${path}\n`);
  return 0;
}
