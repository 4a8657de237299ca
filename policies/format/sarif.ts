// SARIF 2.1.0 for GitHub code scanning: one result per finding, located in the
// synthesized file (the line of the resource's logical id), suppressions kept as
// `inSource` with their reason. A finding the rule could not tell is a "warning" whatever
// the rule's severity, with `properties.outcome = "unknown"`; a warning is a "note" with
// `properties.outcome = "warning"`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Finding, Report, Rule, Severity } from '../types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub ranks code-scanning alerts by this property (0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/** 1-based line where the finding's resource is declared (cdk.tf.json key, plan address, backend), or 1. */
function lineOf(file: string, address: string, cache: Map<string, string[]>): number {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  const needles = address.startsWith('terraform.backend') ? ['"backend"'] : [`"address": "${address}"`, `"${address.split('.').pop()}": {`];
  for (const needle of needles) {
    const at = lines.findIndex((l) => l.includes(needle));
    if (at >= 0) return at + 1;
  }
  return 1;
}

export function formatSarif(report: Report, rules: readonly Rule[], root: string = process.cwd()): string {
  const cache = new Map<string, string[]>();
  const result = (f: Finding) => ({
    ruleId: f.rule,
    ruleIndex: rules.findIndex((r) => r.id === f.rule),
    level: f.outcome === 'unknown' ? 'warning' : f.outcome === 'warning' ? 'note' : LEVEL[f.severity],
    message: { text: `${f.stack} ${f.address}: ${f.outcome === 'unknown' ? 'could not tell: ' : ''}${f.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: relative(root, f.file).split('\\').join('/') },
          region: { startLine: lineOf(f.file, f.address, cache) },
        },
        logicalLocations: [{ fullyQualifiedName: `${f.stack}/${f.address}`, kind: 'resource' }],
      },
    ],
    partialFingerprints: { ssmbFinding: `${f.rule}|${f.stack}|${f.address}|${f.subject ?? ''}` },
    properties: { outcome: f.outcome },
    ...(f.suppressed ? { suppressions: [{ kind: 'inSource', justification: f.suppressed.reason }] } : {}),
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ssm-baseline-policies',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: r.fix, markdown: `**Fix:** ${r.fix}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { tags: ['security', r.service], 'security-severity': SECURITY_SEVERITY[r.severity] },
            })),
          },
        },
        results: [...report.findings, ...report.warnings].map(result),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
