import type { ActionCatalog } from './catalog';
import type { StackModel } from './model';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/**
 * What a rule can conclude about one thing it checks, besides "compliant" (it reports
 * nothing) and "not applicable" (nothing to check):
 * - non-compliant: the property does not hold;
 * - unknown: the rule could not tell, because a value it needs is not readable (a
 *   Terraform expression naming no resource, a value known only at apply). It fails the
 *   run like a non-compliant finding until someone reviews it and suppresses it;
 * - warning: compliant today, but not for long (a runtime close to its deprecation
 *   date). Reported apart (`Report.warnings`), it never fails the run.
 */
export type Outcome = 'non-compliant' | 'unknown' | 'warning';

/** What a rule reports: where, what is wrong, and optionally exactly what (an action, a statement) for `appliesTo`. */
export interface Violation {
  /** Terraform address (`aws_iam_role_policy.x`) or `terraform.backend.s3`. */
  readonly address: string;
  readonly message: string;
  /** The precise thing at fault (an action, a principal, a statement Sid); suppressions may name it in `appliesTo`. */
  readonly subject?: string;
  /** @default 'non-compliant' */
  readonly outcome?: Outcome;
}

export interface RuleEnv {
  readonly catalog: ActionCatalog;
  /** Every stack of the run, for rules that compare stacks (unique backend keys). */
  readonly stacks: readonly StackModel[];
  /** Ids of every rule of the run (suppressions must name one). */
  readonly ruleIds: readonly string[];
  /** "Today", for date-based rules (runtime deprecation). */
  readonly now: Date;
}

/** One rule: one property that must hold, checked over one stack. */
export interface Rule {
  /** Stable id, e.g. SSMB-IAM-001 (suppressions name it). */
  readonly id: string;
  /** File name under rules/<service>/. */
  readonly name: string;
  readonly service: string;
  readonly title: string;
  readonly severity: Severity;
  /** Why it matters. */
  readonly rationale: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * false: no suppression covers its findings. For rules about the suppressions
   * themselves, which a suppression could otherwise silence.
   * @default true
   */
  readonly suppressible?: false;
  check(stack: StackModel, env: RuleEnv): Violation[];
}

/** A suppression written next to the resource in code (see policies/suppress.ts). */
export interface Suppression {
  readonly rule: string;
  readonly reason: string;
  /** Only these subjects (actions, principals, Sids); @default - everything the rule reports on the resource */
  readonly appliesTo?: string[];
}

export interface Finding {
  readonly rule: string;
  readonly outcome: Outcome;
  readonly title: string;
  readonly severity: Severity;
  readonly stack: string;
  readonly address: string;
  readonly message: string;
  readonly fix: string;
  readonly subject?: string;
  /** cdktf construct path of the resource, when known. */
  readonly constructPath?: string;
  /** File the stack was read from (cdk.tf.json or plan.json). */
  readonly file: string;
  /** Present when a suppression in code covers the finding. */
  readonly suppressed?: { readonly reason: string };
}

export interface Summary {
  readonly stacks: number;
  readonly rules: number;
  readonly findings: number;
  readonly unsuppressed: number;
  readonly suppressed: number;
  /** Unsuppressed non-compliant findings by severity. */
  readonly bySeverity: Record<Severity, number>;
  /** Unsuppressed findings the rules could not tell (`unsuppressed` counts them too). */
  readonly unknown: number;
  /** Warnings (not in `findings`, not in `unsuppressed`). */
  readonly warnings: number;
}

export interface Report {
  /** Non-compliant and could-not-tell findings: unsuppressed, they fail the run. */
  readonly findings: Finding[];
  /** Warnings: shown, never failing the run. */
  readonly warnings: Finding[];
  readonly summary: Summary;
}
