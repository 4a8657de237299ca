import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

// Child-process wrapper for the benchmarks: runs a script in this process and, at exit,
// records its peak RSS (process.resourceUsage().maxRSS, in KiB) to $BENCH_OUT.
// Usage: node measure.js <script.js> [args...]
const out = process.env.BENCH_OUT;
const target = process.argv[2];
if (!out || !target) {
  process.stderr.write('usage: BENCH_OUT=<file> node measure.js <script.js> [args...]\n');
  process.exit(2);
}
process.argv.splice(2, 1);
process.on('exit', () => writeFileSync(out, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the measured script in this process
require(resolve(target));
