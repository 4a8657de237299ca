/**
 * The digest mail: one plain-text message per association run with three lists (not
 * succeeded, never reported, succeeded), each capped so that the message stays far under
 * SNS's 256 KB whatever the fleet size; the counts are always complete.
 */
import type { AssociationExecutionTarget, InstanceInformation } from '@aws-sdk/client-ssm';
import { consoleLinks } from '../../shared/console-links';
import { Notification, fieldLines } from '../../shared/notify';
import type { DigestRequest } from './request';
import type { RunReport } from './reconcile';

/** Lines per list. 10,000 targets must fit: 3 x 200 lines of ~150 bytes is ~90 KB. */
export const LIST_CAPS = { failed: 200, neverReported: 200, succeeded: 100 } as const;

export interface DigestMessageSettings {
  readonly accountName: string;
  readonly outputBucket?: string;
  readonly outputPrefix?: string;
}

const iso = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

function nodeLabel(id: string, node: InstanceInformation | undefined): string {
  const name = node?.ComputerName?.split('.')[0] || node?.Name;
  return name ? `${id} (${name})` : id;
}

/** Up to `cap` lines, then "and N more". */
export function capped(lines: string[], cap: number): string[] {
  if (lines.length <= cap) return lines;
  return [...lines.slice(0, cap), `... and ${(lines.length - cap).toLocaleString('en-US')} more`];
}

function resultLine(t: AssociationExecutionTarget, nodes: ReadonlyMap<string, InstanceInformation>): string {
  const id = t.ResourceId ?? '(unknown)';
  const status = t.DetailedStatus && t.DetailedStatus !== t.Status ? `${t.Status} (${t.DetailedStatus})` : (t.Status ?? 'unknown');
  return [nodeLabel(id, nodes.get(id)), status, iso(t.LastExecutionDate)].filter(Boolean).join('  ');
}

function neverReportedLine(n: InstanceInformation, runStarted: Date | undefined): string {
  const id = n.InstanceId!;
  const why =
    runStarted && n.RegistrationDate && n.RegistrationDate > runStarted
      ? 'registered after the run started'
      : n.PingStatus === 'Online'
        ? 'online, but not run'
        : `${n.PingStatus ?? 'unknown'} (stopped or unreachable), last ping ${iso(n.LastPingDateTime) ?? 'unknown'}`;
  return `${nodeLabel(id, n)}  ${why}`;
}

/** `[prod ap-northeast-1] SSM Agent update run: 1 failed, 1 never reported, 3 succeeded`. */
export function digestSubject(r: RunReport, request: DigestRequest, settings: DigestMessageSettings): string {
  const unchecked = r.unchecked ? ', never-reported unchecked' : `, ${r.neverReported.length} never reported`;
  return `[${settings.accountName} ${request.region}] SSM Agent update run: ${r.failed.length} failed${unchecked}, ${r.succeeded.length} succeeded`;
}

function section(title: string, lines: string[]): string[] {
  return ['', title, ...lines.map((l) => `  ${l}`)];
}

export function composeDigest(r: RunReport, request: DigestRequest, settings: DigestMessageSettings): Notification {
  const { association: a, run } = r;
  const started = run.CreatedTime;
  const outputs = settings.outputBucket
    ? `s3://${settings.outputBucket}/${settings.outputPrefix ? `${settings.outputPrefix}/` : ''}<instance id>/`
    : undefined;
  const lines = [
    `SSM Agent update run of ${a.AssociationName ?? a.AssociationId}: ${r.failed.length} failed, ${
      r.unchecked ? 'never-reported targets not checked' : `${r.neverReported.length} never reported`
    }, ${r.succeeded.length} succeeded`,
    // The hub knows other accounts by id only.
    `Account ${settings.accountName === request.account ? request.account : `${settings.accountName} (${request.account})`}, region ${request.region}`,
    ...section(
      'Run',
      fieldLines([
        ['Association', a.AssociationName],
        ['Association id', a.AssociationId],
        ['Document', a.DocumentVersion ? `${a.Name} (version ${a.DocumentVersion})` : a.Name],
        ['Execution id', run.ExecutionId],
        ['Status', run.DetailedStatus && run.DetailedStatus !== run.Status ? `${run.Status} (${run.DetailedStatus})` : run.Status],
        ['Started', iso(started)],
        ['Last result', iso(run.LastExecutionDate)],
        ['Counts (SSM)', run.ResourceCountByStatus],
      ]),
    ),
    ...section(
      `Failed or not successful (${r.failed.length})`,
      r.failed.length === 0
        ? ['none']
        : capped(
            r.failed.map((t) => resultLine(t, r.nodes)),
            LIST_CAPS.failed,
          ),
    ),
    ...section(
      `Never reported (${r.unchecked ? 'not checked' : r.neverReported.length})`,
      r.unchecked
        ? [`not checked: ${r.unchecked}`]
        : r.neverReported.length === 0
          ? ['none']
          : [
              'Targeted now, but no result in this run: stopped when it ran (State Manager skips stopped',
              'instances and sends no event), registered since, or its result was lost.',
              ...capped(
                r.neverReported.map((n) => neverReportedLine(n, started)),
                LIST_CAPS.neverReported,
              ),
            ],
    ),
    ...section(
      `Succeeded (${r.succeeded.length})`,
      r.succeeded.length === 0
        ? ['none']
        : capped(
            r.succeeded.map((t) => resultLine(t, r.nodes)),
            LIST_CAPS.succeeded,
          ),
    ),
    ...section(
      'Where to look',
      fieldLines([
        ['Execution history', consoleLinks.association(request.region, a.AssociationId!)],
        ['Output per instance', outputs],
      ]),
    ),
  ];
  if (r.failed.length > 0 || r.neverReported.length > 0) {
    lines.push(
      '',
      'What to do',
      '  Failed: read stdout of the instance in the output above (the error is in stdout, stderr stays empty).',
      '  Never reported: start the instance, or run the association again ("Apply association now") once it is running.',
    );
  }
  return { subject: digestSubject(r, request, settings), body: `${lines.join('\n')}\n` };
}
