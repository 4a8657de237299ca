import { modelShapes, stateTransitions } from '../patch-history-executor';
import {
  FREE_TRANSITIONS_PER_MONTH,
  HISTORY_EVENT_LIMIT,
  PAYLOAD_LIMIT_BYTES,
  RUNS_PER_MONTH,
  SECONDS_PER_TASK,
  costRows,
  limits,
  modelRun,
} from '../patch-history-model';

export interface StateMachineFigure {
  nodes: number;
  pagesPerNode: number;
  /** Counted by executing the definition (parent and children) in the local executor. */
  executed: number;
  /** What the model says. */
  modeled: number;
}

/** Transitions per run, executed and modeled side by side (small fleets the executor runs). */
export async function stateMachineFigures(nodes = [1, 10], pages = [1, 3]): Promise<StateMachineFigure[]> {
  const out: StateMachineFigure[] = [];
  for (const n of nodes)
    for (const p of pages)
      out.push({ nodes: n, pagesPerNode: p, executed: await stateTransitions(n, p), modeled: modelRun(modelShapes(), n, p).transitions });
  return out;
}

const table = (head: string[], rows: Array<Array<string | number>>) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const kib = (b: number) => (b / 1024).toFixed(1);
const usd = (x: number) => x.toFixed(2);

/**
 * The model's part of the patch-history section of BENCHMARKS.md: limits at 10,000
 * nodes x 20 pages and cost per month. Deterministic, so a test keeps BENCHMARKS.md true.
 */
export function patchHistoryModelMarkdown(): string {
  const rows = [1, 120].map((cves) => ({ cves, m: modelRun(modelShapes(cves), 10_000, 20) }));
  const lim = limits();
  const hours = (s: number) => (s / 3600).toFixed(1);
  return [
    'Execution limits at fleet scale, from the run model (scripts/patch-history-model.ts, checked against the local executor on small fleets, parent and every child execution): a run is one parent execution plus one child execution per node, each with its own 25,000 history events and 256 KiB per state.',
    '',
    table(
      [
        'nodes',
        'patch pages each',
        'patch holds',
        'parent events',
        'child events',
        'parent peak (KiB)',
        'child peak (KiB)',
        'inside every limit',
      ],
      rows.map(({ cves, m }) => [
        m.nodes,
        m.patchPages,
        cves === 1 ? '1 CVE id' : `${cves} CVE ids`,
        m.parent.historyEvents,
        m.child.historyEvents,
        kib(m.parent.peakPayloadBytes),
        kib(m.child.peakPayloadBytes),
        Math.max(m.parent.historyEvents, m.child.historyEvents) <= HISTORY_EVENT_LIMIT &&
        Math.max(m.parent.peakPayloadBytes, m.child.peakPayloadBytes) <= PAYLOAD_LIMIT_BYTES
          ? 'yes'
          : 'NO',
      ]),
    ),
    '',
    `Headroom: the parent's events allow about ${lim.maxNodes} nodes per run, a child's about ${lim.maxPatchPages} pages of patches per node. Estimated duration at 10,000 x 20 (listing pages one after another, ${SECONDS_PER_TASK} s per SDK call assumed): ${hours(rows[0].m.estimatedSeconds)} h at maxConcurrency 2, ${hours(modelRun(modelShapes(), 10_000, 20, 10).estimatedSeconds)} h at 10, ${hours(modelRun(modelShapes(), 10_000, 20, 40).estimatedSeconds)} h at 40 (timeout 48 h).`,
    '',
    `Cost per month at the weekly default (${RUNS_PER_MONTH.toFixed(2)} runs), one page of patches per node: state transitions of the parent and every child at the Standard price of USD 0.025 per 1,000 after the ${FREE_TRANSITIONS_PER_MONTH} free a month (the free tier is per account, shared with other machines), and S3 PUT requests at USD 0.005 per 1,000 (pages, instance records, the manifest, the Map Runs' result files). API calls (SSM, DescribeMapRun) cost nothing.`,
    '',
    table(
      ['nodes', 'transitions per run', 'PUT requests per run', 'USD per month, transitions', 'USD per month, PUTs', 'USD per month'],
      costRows(modelShapes()).map((r) => [
        r.nodes,
        r.transitionsPerRun,
        r.putsPerRun,
        usd(r.usdTransitionsPerMonth),
        usd(r.usdPutsPerMonth),
        usd(r.usdPerMonth),
      ]),
    ),
  ].join('\n');
}
