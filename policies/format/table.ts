// The human-readable report: one block per finding, then the summary line.
import type { Finding, Report } from '../types';

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

/** What to do about a finding the rule could not tell: the rule's fix may not apply. */
const REVIEW = 'check it by hand; make the value one the checks can read, or suppress the finding with the reason it is acceptable';

function block(f: Finding): string {
  const label = f.suppressed
    ? 'SUPPRESSED'
    : f.outcome === 'unknown'
      ? 'UNKNOWN'
      : f.outcome === 'warning'
        ? 'WARNING'
        : f.severity.toUpperCase();
  const head = `${label}  ${f.rule}  ${f.stack}  ${f.address}`;
  const message = f.outcome === 'unknown' ? `could not tell: ${f.message}` : f.message;
  const lines = [head, `    ${wrap(message, 100, '    ')}`];
  if (f.suppressed) lines.push(`    reason: ${wrap(f.suppressed.reason, 92, '            ')}`);
  else if (f.outcome === 'unknown') lines.push(`    review: ${wrap(REVIEW, 92, '            ')}`);
  else lines.push(`    fix: ${wrap(f.fix, 95, '         ')}`);
  if (f.constructPath) lines.push(`    construct: ${f.constructPath}`);
  return lines.join('\n');
}

export function summaryLine(report: Report): string {
  const s = report.summary;
  const sev = (['critical', 'high', 'medium', 'low'] as const)
    .filter((k) => s.bySeverity[k] > 0)
    .map((k) => `${s.bySeverity[k]} ${k}`)
    .concat(s.unknown > 0 ? [`${s.unknown} could not tell`] : [])
    .join(', ');
  const verdict = s.unsuppressed === 0 ? 'PASS' : 'FAIL';
  const warnings = s.warnings ? `, ${s.warnings} warning(s) (not failing)` : '';
  return `${verdict}: ${s.unsuppressed} unsuppressed finding(s)${sev ? ` (${sev})` : ''}, ${s.suppressed} suppressed${warnings}; ${s.rules} rules over ${s.stacks} stack(s)`;
}

/** Unsuppressed findings first (by severity, the ones the rules could not tell last), then warnings, then the suppressed ones as an audit trail. */
export function formatTable(report: Report): string {
  const rank = (f: Finding) => (f.outcome === 'unknown' ? 4 : { critical: 0, high: 1, medium: 2, low: 3 }[f.severity]);
  const open = report.findings.filter((f) => !f.suppressed).sort((a, b) => rank(a) - rank(b));
  const suppressed = report.findings.filter((f) => f.suppressed);
  const parts = [...open.map(block), ...report.warnings.map(block), ...suppressed.map(block)];
  return `${parts.join('\n\n')}${parts.length ? '\n\n' : ''}${summaryLine(report)}\n`;
}
