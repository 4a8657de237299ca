// The pull-request comment: one markdown summary of every stack's plan, with add /
// change / destroy counts per stack, every destroy and replace called out, IAM and
// resource-policy changes, and the policy findings on the plans. Plans come from the
// synth folder (<stack dir>/plan.json, written by the offline harness and by
// .github/workflows/plan.yml); a stack whose plan failed has plan-error.txt instead, one
// deliberately not planned plan-skipped.txt.
import { dirname, join } from 'node:path';
import { evaluate } from '../../policies/engine';
import { PlanJson, StackModel, TerraformJson, references, stackFromPlan, stackFromSynth } from '../../policies/model';
import type { Finding, Report } from '../../policies/types';
import { STACK_FILE, StackFolder, SynthOutputError, listStacks, readStackFolder } from '../../tooling/synth-output';

/** The hidden marker the workflow looks for to update its one comment instead of adding another. */
export const COMMENT_MARKER = '<!-- ssm-baseline:plan-summary -->';
/** GitHub refuses comments over 65,536 characters; lists are cut well before. */
const MAX_ROWS = 40;
const MAX_LENGTH = 60_000;

export interface StackPlan {
  readonly name: string;
  /** Parsed `terraform show -json`, when the plan succeeded. */
  readonly plan?: PlanJson;
  /** Why there is no plan (terraform's output), when it failed. */
  readonly error?: string;
  /** Why the stack was deliberately not planned. */
  readonly skipped?: string;
  /** The stack's cdk.tf.json: backend and suppressions for the policy checks. */
  readonly synth?: TerraformJson;
  /** Where the plan was read from (findings point there). */
  readonly file: string;
}

interface ResourceChange {
  address: string;
  mode: string;
  type: string;
  name: string;
  action_reason?: string;
  change: { actions: string[]; before?: any; after?: any; after_unknown?: any; replace_paths?: unknown[] };
}

export type Kind = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op';

export function kindOf(actions: string[]): Kind {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  if (actions.includes('read')) return 'read';
  return 'no-op';
}

const POLICY_TYPES = new Set([
  'aws_s3_bucket_policy',
  'aws_sns_topic_policy',
  'aws_sqs_queue_policy',
  'aws_kms_key',
  'aws_lambda_permission',
  'aws_cloudwatch_log_resource_policy',
  'aws_cloudwatch_event_bus_policy',
  'aws_secretsmanager_secret_policy',
  'aws_ecr_repository_policy',
  'aws_glue_resource_policy',
]);

/** IAM resources and the resources that carry a resource policy. */
export function isPermissionChange(c: Pick<ResourceChange, 'type' | 'mode'>): boolean {
  return c.mode === 'managed' && (c.type.startsWith('aws_iam_') || POLICY_TYPES.has(c.type));
}

/** Top-level attributes an update changes: known differences, and values that become known only at apply. */
export function changedAttributes(c: ResourceChange): string[] {
  const before = (c.change.before ?? {}) as Record<string, unknown>;
  const after = (c.change.after ?? {}) as Record<string, unknown>;
  const unknown = (c.change.after_unknown ?? {}) as Record<string, unknown>;
  const changed = new Set<string>();
  for (const k of new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])) {
    if (k === 'tags_all') continue; // follows tags and the provider's default_tags
    const had = before[k] !== undefined && before[k] !== null;
    if (unknown[k] === true) {
      if (had) changed.add(k);
    } else if (JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)) changed.add(k);
  }
  return [...changed].sort();
}

/** A reference (`${aws_sns_topic.x.arn}`) as the address it points at, or the value itself. */
function shown(value: unknown): string {
  const ref = references(value)[0];
  return ref ? `${ref.mode === 'data' ? 'data.' : ''}${ref.type}.${ref.name}` : String(value);
}

/** What a permission change is about: the role, policy or grant's name, what it guards, what it allows. */
function describe(c: ResourceChange, model: StackModel | undefined): string {
  const v = (model?.get(c.type, c.name)?.values ?? c.change.after ?? c.change.before ?? {}) as Record<string, any>;
  const parts: string[] = [];
  const name = v.name ?? v.bucket ?? v.function_name ?? v.statement_id;
  if (name !== undefined) parts.push(`\`${shown(name)}\``);
  for (const key of ['role', 'bucket', 'arn', 'queue_url', 'function_name', 'policy_arn'] as const) {
    if (v[key] !== undefined && v[key] !== name) parts.push(`${key.replace(/_/g, ' ')} \`${shown(v[key])}\``);
  }
  if (c.type === 'aws_lambda_permission') parts.push(`${v.principal ?? '?'}${v.source_arn ? ` from \`${shown(v.source_arn)}\`` : ''}`);
  const uses = model?.policies().uses.filter((u) => u.resource.address === c.address) ?? [];
  const allowed = [...new Set(uses.flatMap((u) => u.statements.filter((st) => st.effect === 'Allow').flatMap((st) => st.actions)))];
  if (allowed.length) parts.push(`allows ${allowed.slice(0, 8).join(', ')}${allowed.length > 8 ? `, +${allowed.length - 8} more` : ''}`);
  const principals = [
    ...new Set(
      uses.flatMap((u) =>
        u.kind === 'identity'
          ? []
          : u.statements.filter((st) => st.effect === 'Allow').flatMap((st) => Object.values(st.principals ?? {}).flat()),
      ),
    ),
  ];
  if (principals.length) parts.push(`to ${principals.slice(0, 5).map(shown).join(', ')}${principals.length > 5 ? ', ...' : ''}`);
  const attrs = kindOf(c.change.actions) === 'update' ? changedAttributes(c) : [];
  if (attrs.length) parts.push(`changes ${attrs.map((a) => `\`${a}\``).join(', ')}`);
  return parts.join('; ');
}

function replaceWhy(c: ResourceChange): string {
  const paths = (c.change.replace_paths ?? []).map((p) => (Array.isArray(p) ? p.join('.') : String(p)));
  const reason = c.action_reason ? c.action_reason.replace(/_/g, ' ') : '';
  return [paths.length ? `forces replacement: ${paths.map((p) => `\`${p}\``).join(', ')}` : '', reason].filter(Boolean).join('; ');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function capped<T>(rows: T[], render: (r: T) => string): string[] {
  const out = rows.slice(0, MAX_ROWS).map(render);
  if (rows.length > MAX_ROWS) out.push(`| … | ${rows.length - MAX_ROWS} more | | |`);
  return out;
}

interface Counts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

function counts(changes: ResourceChange[]): Counts {
  const c: Counts = { add: 0, change: 0, destroy: 0, replace: 0 };
  for (const rc of changes) {
    const k = kindOf(rc.change.actions);
    // Terraform counts a replacement as one add and one destroy; so do we, and list it separately.
    if (k === 'create') c.add++;
    else if (k === 'update') c.change++;
    else if (k === 'delete') c.destroy++;
    else if (k === 'replace') {
      c.replace++;
      c.add++;
      c.destroy++;
    }
  }
  return c;
}

function findingsCell(findings: Finding[]): string {
  const open = findings.filter((f) => !f.suppressed).length;
  const suppressed = findings.length - open;
  if (open === 0) return `✅ none${suppressed ? ` (${suppressed} suppressed)` : ''}`;
  return `❌ ${open}${suppressed ? ` (+${suppressed} suppressed)` : ''}`;
}

/** Renders the markdown comment. `report` holds the policy findings (see `policyModels`). */
export function renderPlanSummary(stacks: readonly StackPlan[], report: Report | undefined): string {
  const managed = (p: StackPlan) => ((p.plan?.resource_changes ?? []) as ResourceChange[]).filter((c) => c.mode === 'managed');
  const total = stacks.reduce(
    (t, s) => {
      const c = counts(managed(s));
      return { add: t.add + c.add, change: t.change + c.change, destroy: t.destroy + c.destroy, replace: t.replace + c.replace };
    },
    { add: 0, change: 0, destroy: 0, replace: 0 } as Counts,
  );
  const failed = stacks.filter((s) => !s.plan && !s.skipped);
  const byStack = (name: string) => (report?.findings ?? []).filter((f) => f.stack === name);

  const lines: string[] = [COMMENT_MARKER, '## Terraform plan', ''];
  lines.push(
    `**${stacks.length} stack(s)**: ${total.add} to add, ${total.change} to change, ${total.destroy} to destroy` +
      (total.replace ? ` (${total.replace} replacement(s))` : '') +
      (failed.length ? `; ⚠️ ${failed.length} stack(s) could not be planned` : ''),
  );
  if (report) {
    const s = report.summary;
    lines.push(
      '',
      s.unsuppressed === 0
        ? `**Policy checks: ✅ pass** (${s.rules} rules, ${s.suppressed} suppressed finding(s))`
        : `**Policy checks: ❌ ${s.unsuppressed} unsuppressed finding(s)** (${s.rules} rules, ${s.suppressed} suppressed)`,
    );
  }
  if (total.destroy > 0) lines.push('', `> [!WARNING]\n> This plan destroys or replaces ${total.destroy} resource(s); see below.`);
  lines.push('', '| stack | add | change | destroy | replace | policy findings |', '| --- | ---: | ---: | ---: | ---: | --- |');
  for (const s of stacks) {
    if (!s.plan) {
      // The policy checks still ran on the stack's cdk.tf.json (as `policy --plans` does).
      const checked = report ? `; ${findingsCell(byStack(s.name))} on cdk.tf.json` : '';
      lines.push(`| ${s.name} | – | – | – | – | ${s.skipped ? '⏭️ not planned' : '⚠️ plan failed'}${checked} |`);
      continue;
    }
    const c = counts(managed(s));
    lines.push(
      `| ${s.name} | ${c.add} | ${c.change} | ${c.destroy} | ${c.replace} | ${report ? findingsCell(byStack(s.name)) : 'not checked'} |`,
    );
  }

  for (const s of stacks) {
    const section: string[] = [];
    if (!s.plan && s.skipped) {
      section.push(`Not planned: ${s.skipped.trim()}`);
    } else if (!s.plan) {
      const tail = (s.error ?? 'no plan.json was written').trim().split('\n').slice(-30).join('\n');
      section.push('**The plan failed:**', '', '```', tail.replace(/```/g, "'''"), '```', '');
    }
    if (s.plan) {
      const model = stackFromPlan(s.plan, s.name, s.file, s.synth);
      const changes = managed(s);
      const risky = changes.filter((c) => ['delete', 'replace'].includes(kindOf(c.change.actions)));
      if (risky.length) {
        section.push('**Destroyed or replaced**', '', '| | address | why |', '| --- | --- | --- |');
        section.push(
          ...capped(
            risky,
            (c) =>
              `| ${kindOf(c.change.actions) === 'replace' ? '🔁 replace' : '🗑️ destroy'} | \`${cell(c.address)}\` | ${cell(replaceWhy(c))} |`,
          ),
        );
        section.push('');
      }
      const perms = changes.filter((c) => isPermissionChange(c) && kindOf(c.change.actions) !== 'no-op');
      if (perms.length) {
        section.push('**IAM and resource-policy changes**', '', '| | address | what |', '| --- | --- | --- |');
        section.push(...capped(perms, (c) => `| ${kindOf(c.change.actions)} | \`${cell(c.address)}\` | ${cell(describe(c, model))} |`));
        section.push('');
      }
    }
    const open = byStack(s.name).filter((f) => !f.suppressed);
    if (open.length) {
      section.push(
        s.plan ? '**Policy findings**' : '**Policy findings** (on cdk.tf.json)',
        '',
        '| severity | rule | address | finding |',
        '| --- | --- | --- | --- |',
      );
      section.push(
        ...capped(open, (f) => `| ${f.severity} | ${f.rule} | \`${cell(f.address)}\` | ${cell(f.message)}<br>Fix: ${cell(f.fix)} |`),
      );
      section.push('');
    }
    const suppressed = byStack(s.name).filter((f) => f.suppressed);
    if (suppressed.length) {
      section.push(
        `<details><summary>${suppressed.length} suppressed finding(s)</summary>`,
        '',
        '| rule | address | reason |',
        '| --- | --- | --- |',
      );
      section.push(...capped(suppressed, (f) => `| ${f.rule} | \`${cell(f.address)}\` | ${cell(f.suppressed!.reason)} |`));
      section.push('', '</details>', '');
    }
    if (section.length) lines.push('', `### ${s.name}`, '', ...section);
  }
  const md = `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
  return md.length > MAX_LENGTH ? truncate(md, MAX_LENGTH) : md;
}

/**
 * Cuts the comment at the last line break before `max` characters, then closes what
 * the cut leaves open (a ``` fence, a <details> block) so the note after it renders as
 * text, not as part of a code block.
 */
export function truncate(md: string, max: number): string {
  const cut = md.lastIndexOf('\n', max);
  const kept = md.slice(0, cut > 0 ? cut : max);
  const closing: string[] = [];
  if (kept.split('\n').filter((l) => /^\s*```/.test(l)).length % 2 === 1) closing.push('```');
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) closing.push('</details>');
  return `${[kept, ...closing].join('\n')}\n\n…summary cut at ${max} characters; the workflow run's artifacts hold every plan.\n`;
}

/**
 * Reads every stack's plan (or why there is none) from a synth folder. An unreadable
 * plan.json (a cut-off artifact, say) is that stack's failure, reported with the file
 * and position, not the whole summary's: the other stacks still get their rows.
 */
export function readPlans(outdir: string): StackPlan[] {
  return listStacks(outdir).map((entry) => {
    let s: StackFolder;
    try {
      s = readStackFolder(entry, { plans: true });
    } catch (err) {
      if (!(err instanceof SynthOutputError)) throw err;
      // Without the plan: an unreadable cdk.tf.json still fails the whole summary here.
      const folder = readStackFolder(entry);
      return { name: folder.name, synth: folder.synth, file: folder.planFile, error: `plan.json is unreadable: ${err.message}` };
    }
    const common = { name: s.name, synth: s.synth, file: s.planFile };
    if (s.plan) return { ...common, plan: s.plan };
    if (s.planSkipped !== undefined) return { ...common, skipped: s.planSkipped };
    return { ...common, error: s.planError };
  });
}

/**
 * What the policy checks read for each stack, exactly as `npm run policy -- --plans`
 * does (and so the review job's verdict): the plan where there is one, else cdk.tf.json.
 */
export function policyModels(plans: readonly StackPlan[]): StackModel[] {
  return plans.map((p) => {
    if (p.plan) return stackFromPlan(p.plan, p.name, p.file, p.synth);
    const synthFile = join(dirname(p.file), STACK_FILE);
    if (!p.synth) throw new Error(`${dirname(p.file)} holds no ${STACK_FILE} or plan.json`);
    return stackFromSynth(p.synth, p.name, synthFile);
  });
}

/** Plans + policy findings (on the plans, and on cdk.tf.json where a stack has none) -> markdown. */
export async function summarize(outdir: string, opts: { now?: Date } = {}): Promise<string> {
  const plans = readPlans(outdir);
  const models = policyModels(plans);
  const report = models.length ? await evaluate(models, { now: opts.now }) : undefined;
  return renderPlanSummary(plans, report);
}
