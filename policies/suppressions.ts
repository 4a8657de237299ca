// Reading suppressions written in code (see suppress.ts) and matching them to findings.
import type { Suppression } from './types';

/** At least this many characters of reason: a suppression must say why. */
export const MIN_REASON_LENGTH = 10;

/** Valid suppressions of a resource, and what is wrong with the others. */
export function validateSuppressions(raw: readonly unknown[], ruleIds: readonly string[]): { valid: Suppression[]; problems: string[] } {
  const valid: Suppression[] = [];
  const problems: string[] = [];
  raw.forEach((entry, i) => {
    const s = entry as Partial<Suppression> | null;
    const label = `suppression ${i + 1}${s && typeof s.rule === 'string' ? ` (${s.rule})` : ''}`;
    if (!s || typeof s !== 'object' || typeof s.rule !== 'string') {
      problems.push(`${label} names no rule`);
      return;
    }
    if (!ruleIds.includes(s.rule)) {
      problems.push(`${label} names a rule that does not exist`);
      return;
    }
    const reason = typeof s.reason === 'string' ? s.reason.trim() : '';
    if (reason.length < MIN_REASON_LENGTH) {
      problems.push(
        `${label} has ${reason ? `the reason "${reason}", shorter than ${MIN_REASON_LENGTH} characters` : 'no reason'}; it suppresses nothing`,
      );
      return;
    }
    if (s.appliesTo !== undefined && (!Array.isArray(s.appliesTo) || s.appliesTo.some((a) => typeof a !== 'string'))) {
      problems.push(`${label} has an appliesTo that is not a list of strings`);
      return;
    }
    valid.push({ rule: s.rule, reason, ...(s.appliesTo ? { appliesTo: s.appliesTo } : {}) });
  });
  return { valid, problems };
}

/** The suppression covering a finding of `rule` about `subject`, if any. */
export function findSuppression(valid: readonly Suppression[], rule: string, subject: string | undefined): Suppression | undefined {
  return valid.find((s) => s.rule === rule && (!s.appliesTo || (subject !== undefined && s.appliesTo.includes(subject))));
}
