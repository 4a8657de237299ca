/**
 * An association run as the SSM API knows it: the run (DescribeAssociationExecutions), its
 * targets' results (DescribeAssociationExecutionTargets) and the managed nodes the
 * association targets now (DescribeInstanceInformation with the association's own target
 * filter). A node the association targets that has no result in the run never reported:
 * State Manager does not run an association on a stopped instance, so a stopped instance
 * shows here and nowhere else (its PingStatus is ConnectionLost). Every list is paged.
 */
import {
  Association,
  AssociationExecution,
  AssociationExecutionTarget,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionsCommand,
  DescribeInstanceInformationCommand,
  InstanceInformation,
  InstanceInformationStringFilter,
  ListAssociationsCommand,
  SSMClient,
  Target,
} from '@aws-sdk/client-ssm';

/** The API's page maximum for the execution lists and for DescribeInstanceInformation with filters. */
export const PAGE_SIZE = 50;

/**
 * How far back a check looks for runs. Longer than any run of a large fleet at a low
 * concurrency plus a weekend of failed checks; shorter than the ledger's memory
 * (RUN_MEMORY_SECONDS), so a run is never mailed again after its item expired.
 */
export const LOOKBACK_SECONDS = 7 * 24 * 3600;

/** Run statuses (of the run or of its targets) that mean it has not finished. */
export const UNFINISHED = ['Pending', 'InProgress'];

/** "{Failed=1, Success=3}" as counts by status. */
export function countsByStatus(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of (text ?? '').matchAll(/([A-Za-z]+)\s*=\s*(\d+)/g)) out[m[1]] = Number(m[2]);
  return out;
}

/** A run is over when neither it nor any of its targets is pending or in progress. */
export function isFinished(e: AssociationExecution): boolean {
  if (UNFINISHED.includes(e.Status ?? '')) return false;
  const counts = countsByStatus(e.ResourceCountByStatus);
  return !UNFINISHED.some((s) => (counts[s] ?? 0) > 0);
}

/**
 * Pages through a list call: `page` asks for the page after `token` (undefined: the first)
 * and returns its items and the next token. Stops at the last page, or at the first page
 * on which `done` holds for the items gathered so far.
 */
async function paged<T>(
  page: (token: string | undefined) => Promise<{ items?: T[]; next?: string }>,
  done: (items: readonly T[]) => boolean = () => false,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const out = await page(token);
    items.push(...(out.items ?? []));
    token = out.next;
  } while (token && !done(items));
  return items;
}

const nextToken = (token: string | undefined) => (token ? { NextToken: token } : {});

/** The association whose `key` is `value` (ListAssociations: no resource-level permissions, returns targets, never parameters); undefined when none. */
async function findAssociationWhere(
  ssm: SSMClient,
  key: 'AssociationId' | 'AssociationName',
  value: string,
): Promise<Association | undefined> {
  const matches = (a: Association) => a[key] === value;
  const seen = await paged(
    async (token) => {
      const out = await ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key, value }], ...nextToken(token) }));
      return { items: out.Associations, next: out.NextToken };
    },
    (items) => items.some(matches),
  );
  return seen.find(matches);
}

/** The association by id; undefined when gone. */
export function findAssociation(ssm: SSMClient, associationId: string): Promise<Association | undefined> {
  return findAssociationWhere(ssm, 'AssociationId', associationId);
}

/**
 * The association by its name (the hub knows the deterministic name, not the id SSM made
 * in each spoke); undefined when none has it. The baseline creates one of that name.
 */
export function findAssociationByName(ssm: SSMClient, associationName: string): Promise<Association | undefined> {
  return findAssociationWhere(ssm, 'AssociationName', associationName);
}

/** The runs created since `since` (every page). */
export function recentRuns(ssm: SSMClient, associationId: string, since: Date): Promise<AssociationExecution[]> {
  return paged(async (token) => {
    const out = await ssm.send(
      new DescribeAssociationExecutionsCommand({
        AssociationId: associationId,
        Filters: [{ Key: 'CreatedTime', Value: since.toISOString(), Type: 'GREATER_THAN' }],
        MaxResults: PAGE_SIZE,
        ...nextToken(token),
      }),
    );
    return { items: out.AssociationExecutions, next: out.NextToken };
  });
}

/** Every target result of one run. */
export function runTargets(ssm: SSMClient, associationId: string, executionId: string): Promise<AssociationExecutionTarget[]> {
  return paged(async (token) => {
    const out = await ssm.send(
      new DescribeAssociationExecutionTargetsCommand({
        AssociationId: associationId,
        ExecutionId: executionId,
        MaxResults: PAGE_SIZE,
        ...nextToken(token),
      }),
    );
    return { items: out.AssociationExecutionTargets, next: out.NextToken };
  });
}

/**
 * The DescribeInstanceInformation filters that select the association's targets, or why
 * they cannot be expressed (resource groups, several target entries, ...): then the
 * digest says that never-reported targets were not checked.
 */
export function targetFilters(targets: readonly Target[] | undefined): { filters: InstanceInformationStringFilter[] } | { reason: string } {
  if (!targets || targets.length !== 1)
    return { reason: `the association has ${targets?.length ?? 0} target entries; only one can be compared` };
  const [{ Key: key, Values: values = [] }] = targets;
  if (key === 'InstanceIds' && values.length === 1 && values[0] === '*') return { filters: [] };
  if (values.length === 0 || values.length > 100) return { reason: `target ${key} has ${values.length} values` };
  if (key === 'InstanceIds') return { filters: [{ Key: 'InstanceIds', Values: [...values] }] };
  if (key === 'tag-key') return { filters: [{ Key: 'tag-key', Values: [...values] }] };
  if (key?.startsWith('tag:') && key.length > 4) return { filters: [{ Key: key, Values: [...values] }] };
  return { reason: `targets of kind ${key ?? '(none)'} cannot be listed with DescribeInstanceInformation` };
}

/** The managed nodes matching the filters now (every page). */
export function managedNodes(ssm: SSMClient, filters: InstanceInformationStringFilter[]): Promise<InstanceInformation[]> {
  return paged(async (token) => {
    const out = await ssm.send(
      new DescribeInstanceInformationCommand({
        ...(filters.length > 0 ? { Filters: filters } : {}),
        MaxResults: PAGE_SIZE,
        ...nextToken(token),
      }),
    );
    return { items: out.InstanceInformationList, next: out.NextToken };
  });
}

/** One run, reconciled. */
export interface RunReport {
  readonly association: Association;
  readonly run: AssociationExecution;
  readonly succeeded: AssociationExecutionTarget[];
  /** Every result that is not Success (Failed, TimedOut, Cancelled, Skipped, ...). */
  readonly failed: AssociationExecutionTarget[];
  /** Targeted managed nodes without a result in the run. */
  readonly neverReported: InstanceInformation[];
  /** Why never-reported targets could not be checked. @default - they were */
  readonly unchecked?: string;
  /** Managed-node details by id, for names in the lists. */
  readonly nodes: ReadonlyMap<string, InstanceInformation>;
}

/** Reads a finished run's results and the association's targets, and sorts them into the three lists. */
export async function reconcileRun(ssm: SSMClient, association: Association, run: AssociationExecution): Promise<RunReport> {
  const results = await runTargets(ssm, association.AssociationId!, run.ExecutionId!);
  const wanted = targetFilters(association.Targets);
  const listed = 'filters' in wanted ? await managedNodes(ssm, wanted.filters) : [];
  const nodes = new Map(listed.filter((n) => n.InstanceId).map((n) => [n.InstanceId!, n]));
  const reported = new Set(results.map((t) => t.ResourceId));
  const byId = (a: { ResourceId?: string; InstanceId?: string }, b: { ResourceId?: string; InstanceId?: string }) =>
    (a.ResourceId ?? a.InstanceId ?? '').localeCompare(b.ResourceId ?? b.InstanceId ?? '');
  return {
    association,
    run,
    succeeded: results.filter((t) => t.Status === 'Success').sort(byId),
    failed: results.filter((t) => t.Status !== 'Success').sort(byId),
    neverReported: listed.filter((n) => n.InstanceId && !reported.has(n.InstanceId)).sort(byId),
    ...('reason' in wanted ? { unchecked: wanted.reason } : {}),
    nodes,
  };
}
