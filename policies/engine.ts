// Runs the rules over stacks and applies the suppressions written in code.
import { ActionCatalog } from './catalog';
import type { StackModel } from './model';
import { RULES } from './rules';
import { sdkActions } from './rules/states/machine';
import { findSuppression, validateSuppressions } from './suppressions';
import { Finding, Report, Rule, SEVERITIES, Severity, Suppression } from './types';

/** One catalog per process: iam-data is read once per service, however many runs. */
let sharedCatalog: ActionCatalog | undefined;

export interface EvaluateOptions {
  readonly rules?: readonly Rule[];
  /** @default now */
  readonly now?: Date;
}

export async function evaluate(stacks: readonly StackModel[], opts: EvaluateOptions = {}): Promise<Report> {
  const rules = opts.rules ?? RULES;
  const ruleIds = RULES.map((r) => r.id).concat(rules.map((r) => r.id));
  const catalog = (sharedCatalog ??= new ActionCatalog());
  await catalog.load(
    stacks.flatMap((s) => [
      ...s.policies().uses.flatMap((u) => u.statements.flatMap((st) => [...st.actions, ...st.notActions])),
      // The SDK integrations of state machines are checked against the same catalog.
      ...sdkActions(s),
    ]),
  );
  const env = { catalog, stacks, ruleIds, now: opts.now ?? new Date() };

  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  for (const stack of stacks) {
    const byAddress = new Map<string, Suppression[]>(
      stack.resources.map((r) => [r.address, validateSuppressions(r.suppressions, ruleIds).valid]),
    );
    const stackLevel = validateSuppressions(stack.stackSuppressions, ruleIds).valid;
    const paths = new Map(stack.resources.map((r) => [r.address, r.constructPath]));
    for (const rule of rules) {
      for (const v of rule.check(stack, env)) {
        const suppression =
          rule.suppressible === false ? undefined : findSuppression(byAddress.get(v.address) ?? stackLevel, rule.id, v.subject);
        (v.outcome === 'warning' ? warnings : findings).push({
          rule: rule.id,
          outcome: v.outcome ?? 'non-compliant',
          title: rule.title,
          severity: rule.severity,
          stack: stack.name,
          address: v.address,
          message: v.message,
          fix: rule.fix,
          file: stack.file,
          ...(v.subject !== undefined ? { subject: v.subject } : {}),
          ...(paths.get(v.address) ? { constructPath: paths.get(v.address) } : {}),
          ...(suppression ? { suppressed: { reason: suppression.reason } } : {}),
        });
      }
    }
  }
  const order = (a: Finding, b: Finding) =>
    a.stack.localeCompare(b.stack) ||
    a.address.localeCompare(b.address) ||
    a.rule.localeCompare(b.rule) ||
    a.message.localeCompare(b.message);
  findings.sort(order);
  warnings.sort(order);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let unknown = 0;
  for (const f of findings) {
    if (f.suppressed) continue;
    if (f.outcome === 'unknown') unknown++;
    else bySeverity[f.severity]++;
  }
  const suppressed = findings.filter((f) => f.suppressed).length;
  return {
    findings,
    warnings,
    summary: {
      stacks: stacks.length,
      rules: rules.length,
      findings: findings.length,
      suppressed,
      unsuppressed: findings.length - suppressed,
      bySeverity,
      unknown,
      warnings: warnings.length,
    },
  };
}
