import type { InstanceInformation } from '@aws-sdk/client-ssm';
import { consoleLinks } from '../shared/console-links';
import { MAX_SUBJECT_LENGTH, Notification, fieldLines } from '../shared/notify';
import type { AssociationResult } from './event';

/** What the function knows besides the event (from its environment). */
export interface MessageSettings {
  readonly accountName: string;
  readonly associationName?: string;
  readonly outputBucket?: string;
  readonly outputPrefix?: string;
}

/** The instance's details, or why they are missing (the mail goes out either way). */
export type Enrichment = { readonly ok: true; readonly info: InstanceInformation } | { readonly ok: false; readonly reason: string };

/** A short host label for the subject: the first DNS label of the computer name, or the hybrid node's name. */
export function shortName(info: InstanceInformation | undefined): string | undefined {
  const name = info?.ComputerName?.split('.')[0] || info?.Name;
  return name ? name.replace(/[^\x21-\x7e]/g, '') || undefined : undefined;
}

/**
 * `[prod ap-northeast-1] SSM Agent update Failed on web-1 (i-0123...)`, within SNS's
 * 100 printable ASCII characters: the host label is shortened first, so the account,
 * status and instance id always survive.
 */
export function subject(r: AssociationResult, settings: MessageSettings, info?: InstanceInformation): string {
  const head = `[${settings.accountName} ${r.region}] SSM Agent update ${r.status} on `;
  const id = r.instanceId;
  const name = shortName(info);
  const plain = `${head}${id}`;
  if (!name) return plain;
  const room = MAX_SUBJECT_LENGTH - plain.length - ' ()'.length;
  if (room < 4) return plain;
  const label = name.length <= room ? name : `${name.slice(0, room - 3)}...`;
  return `${head}${label} (${id})`;
}

/** The advice that fits the result: where to look, and the field report's hard-won facts. */
function nextSteps(r: AssociationResult): string[] {
  if (r.status === 'Failed') {
    return [
      'What to do',
      '  The agent writes the update error to stdout (the stderr object stays empty):',
      '  open stdout in the S3 output above, or the execution history of the association.',
      '  Then re-run it from the association page ("Apply association now") once fixed.',
    ];
  }
  if (r.status === 'Success') {
    return ['Nothing to do. stdout in the S3 output says which version was installed, or that the update was skipped.'];
  }
  return [];
}

function section(title: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : ['', title, ...lines.map((l) => `  ${l}`)];
}

function platform(info: InstanceInformation): string | undefined {
  const name = [info.PlatformName, info.PlatformVersion].filter(Boolean).join(' ');
  if (!name && !info.PlatformType) return undefined;
  return info.PlatformType ? `${name || 'unknown'} (${info.PlatformType})`.trim() : name;
}

/**
 * The plain-text e-mail: result, instance, association, output, links. `unconfirmed`
 * says why the result could not be matched to the configured association.
 */
export function composeMessage(
  r: AssociationResult,
  settings: MessageSettings,
  enrichment: Enrichment,
  unconfirmed?: string,
): Notification {
  const info = enrichment.ok ? enrichment.info : undefined;
  const outputPrefix = settings.outputBucket ? `${settings.outputPrefix ? `${settings.outputPrefix}/` : ''}${r.instanceId}/` : undefined;

  const lines: string[] = [
    `SSM Agent update ${r.status} on ${shortName(info) ?? r.instanceId} (${r.instanceId})`,
    `Account ${settings.accountName} (${r.account}), region ${r.region}`,
    ...section(
      'Result',
      fieldLines([
        ['Status', r.status],
        ['Detailed status', r.detailedStatus],
        ['Error code', r.errorCode],
        ['Summary', r.executionSummary],
        ['Executed at', r.lastExecutionDate ?? r.time],
        ['Last success', r.lastSuccessfulExecutionDate],
      ]),
    ),
    ...section(
      'Instance',
      info
        ? fieldLines([
            ['Instance id', r.instanceId],
            ['Computer name', info.ComputerName],
            ['Name', info.Name],
            ['Platform', platform(info)],
            [
              'Agent version',
              info.AgentVersion ? `${info.AgentVersion}${info.IsLatestVersion === false ? ' (not the latest)' : ''}` : undefined,
            ],
            ['Ping status', info.PingStatus],
            ['IP address', info.IPAddress],
          ])
        : [...fieldLines([['Instance id', r.instanceId]]), `(details unavailable: ${(enrichment as { reason: string }).reason})`],
    ),
    ...section(
      'Association',
      fieldLines([
        ['Name', settings.associationName],
        ['Association id', r.associationId],
        ['Document', r.documentVersion ? `${r.documentName} (version ${r.documentVersion})` : r.documentName],
        [
          'Association check',
          unconfirmed ? `not confirmed to be ${settings.associationName ?? "this baseline's association"} (${unconfirmed})` : undefined,
        ],
      ]),
    ),
    ...section(
      'Output',
      fieldLines([
        ['Output URL', r.outputUrl],
        ['S3 output', outputPrefix ? `s3://${settings.outputBucket}/${outputPrefix}` : undefined],
      ]),
    ),
    ...section(
      'Links',
      fieldLines([
        ['Association', consoleLinks.association(r.region, r.associationId)],
        ['Managed node', consoleLinks.managedInstance(r.region, r.instanceId)],
        ['EC2 instance', r.instanceId.startsWith('i-') ? consoleLinks.instance(r.region, r.instanceId) : undefined],
        ['S3 output', outputPrefix ? consoleLinks.s3Prefix(r.region, settings.outputBucket!, outputPrefix) : undefined],
      ]),
    ),
  ];
  const steps = nextSteps(r);
  if (steps.length > 0) lines.push('', ...steps);
  lines.push('', `Event ${r.eventId} at ${r.time}.`);
  return { subject: subject(r, settings, info), body: `${lines.join('\n')}\n` };
}
