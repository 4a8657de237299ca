// The drift report: the scheduled workflow plans every stack with its account's read-only
// plan role (`terraform plan -detailed-exitcode`: 0 no changes, 1 error, 2 changes) and
// keeps one issue listing the stacks whose real resources no longer match the
// configuration. The issue carries a hidden marker so the workflow finds its own issue;
// it is closed when every stack planned clean.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changedAttributes, kindOf, readPlans, truncate } from '../plan-summary/render';

export const DRIFT_MARKER = '<!-- ssm-baseline:drift -->';
export const DRIFT_TITLE = 'Drift: deployed stacks differ from the configuration';
/** `terraform plan -detailed-exitcode`'s status, written beside plan.json by the drift job. */
export const DRIFT_STATUS_FILE = 'drift-exitcode.txt';
const MAX_LENGTH = 60_000;
const MAX_ROWS = 40;

interface Change {
  address: string;
  mode: string;
  type: string;
  name: string;
  change: { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown };
}

export interface DriftedResource {
  readonly address: string;
  /** What the next apply would do (create, update, delete, replace), or `changed outside Terraform`. */
  readonly action: string;
  readonly attributes: readonly string[];
}

export type StackDrift =
  | { readonly stack: string; readonly status: 'clean' }
  | {
      readonly stack: string;
      readonly status: 'drifted';
      readonly resources: readonly DriftedResource[];
      readonly outside: readonly DriftedResource[];
    }
  | { readonly stack: string; readonly status: 'error'; readonly error: string }
  | { readonly stack: string; readonly status: 'not-checked'; readonly reason: string };

/** One stack's drift from its plan (`terraform show -json`) and the plan's exit status. */
export function stackDrift(
  stack: string,
  plan: { resource_changes?: unknown[]; resource_drift?: unknown[] },
  exitCode: number | undefined,
): StackDrift {
  const rows = (list: unknown[] | undefined, outsideTerraform: boolean) =>
    ((list ?? []) as Change[])
      .filter((c) => c.mode === 'managed' && kindOf(c.change.actions) !== 'no-op')
      .map((c) => ({
        address: c.address,
        action: outsideTerraform ? 'changed outside Terraform' : kindOf(c.change.actions),
        attributes: kindOf(c.change.actions) === 'update' ? changedAttributes(c) : [],
      }));
  const resources = rows(plan.resource_changes, false);
  const outside = rows(plan.resource_drift, true);
  // Exit status 2 also covers output-only changes; the plan's resources say which.
  if (exitCode === 2 || resources.length) return { stack, status: 'drifted', resources, outside };
  return { stack, status: 'clean' };
}

/** Every stack of a synth folder after the drift jobs put their files beside it. */
export function readDrift(outdir: string): StackDrift[] {
  return readPlans(outdir).map((p) => {
    if (p.plan) {
      const statusFile = join(p.file, '..', DRIFT_STATUS_FILE);
      const code = existsSync(statusFile) ? Number(readFileSync(statusFile, 'utf8').trim()) : undefined;
      return stackDrift(p.name, p.plan as never, code);
    }
    if (p.skipped) return { stack: p.name, status: 'not-checked', reason: p.skipped.trim() };
    return { stack: p.name, status: 'error', error: (p.error ?? 'the drift job left no plan.json').trim() };
  });
}

export interface DriftIssue {
  /** `clean`: close the issue; otherwise create or update it. */
  readonly state: 'clean' | 'drift';
  readonly title: string;
  readonly body: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The issue: drifted stacks and their resources, stacks that could not be checked; `clean` when there is neither. */
export function renderDriftIssue(stacks: readonly StackDrift[], opts: { runUrl?: string } = {}): DriftIssue {
  const drifted = stacks.filter((s) => s.status === 'drifted');
  const errors = stacks.filter((s) => s.status === 'error');
  const notChecked = stacks.filter((s) => s.status === 'not-checked');
  const clean = stacks.filter((s) => s.status === 'clean');
  const state = drifted.length || errors.length ? 'drift' : 'clean';
  const lines = [DRIFT_MARKER, `## ${state === 'clean' ? 'No drift' : 'Drift'}`, ''];
  lines.push(
    `${drifted.length} drifted, ${errors.length} could not be planned, ${clean.length} clean` +
      (notChecked.length ? `, ${notChecked.length} not checked here` : '') +
      ` (${stacks.length} stack(s))${opts.runUrl ? `; [drift run](${opts.runUrl})` : ''}.`,
  );
  if (drifted.length) {
    lines.push('', '| stack | resources the next apply changes | changed outside Terraform |', '| --- | ---: | ---: |');
    for (const s of drifted) lines.push(`| ${s.stack} | ${s.resources.length} | ${s.outside.length} |`);
  }
  for (const s of drifted) {
    lines.push('', `### ${s.stack}`, '', '| resource | what | attributes |', '| --- | --- | --- |');
    const rows = [...s.resources, ...s.outside];
    for (const r of rows.slice(0, MAX_ROWS))
      lines.push(`| \`${cell(r.address)}\` | ${r.action} | ${r.attributes.map((a) => `\`${cell(a)}\``).join(', ')} |`);
    if (rows.length > MAX_ROWS) lines.push(`| … | ${rows.length - MAX_ROWS} more | |`);
    if (!rows.length) lines.push('| (outputs only) | | |');
  }
  for (const s of errors) {
    const tail = s.error.split('\n').slice(-20).join('\n').replace(/```/g, "'''");
    lines.push('', `### ${s.stack}: the plan failed`, '', '```', tail, '```');
  }
  if (notChecked.length) {
    lines.push('', '<details><summary>Not checked here</summary>', '');
    for (const s of notChecked) lines.push(`- ${s.stack}: ${s.reason}`);
    lines.push('', '</details>');
  }
  if (state === 'drift')
    lines.push(
      '',
      'Apply the configuration through a pull request (the apply workflow), or change the configuration to what is deployed. This issue is updated by every drift run and closed when every stack plans clean.',
    );
  const body = `${lines.join('\n')}\n`;
  return { state, title: DRIFT_TITLE, body: body.length > MAX_LENGTH ? truncate(body, MAX_LENGTH) : body };
}
