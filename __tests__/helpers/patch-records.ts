/**
 * Test fleets in the record layout the state machine writes (pages, instance records, run
 * manifests: keys and fields exactly as the records contract fixes them), as a map of S3
 * key -> JSON body, the shape of the local executor's `run.objects`.
 */

/** One item of DescribeInstancePatches' `Patches` (PatchComplianceData). */
export interface PatchItem {
  readonly Title: string;
  readonly KBId: string;
  readonly Classification: string;
  readonly Severity: string;
  readonly State: string;
  readonly InstalledTime: string;
  readonly CVEIds?: string;
}

/** The Unix epoch: what DescribeInstancePatches reports as InstalledTime of a patch never installed. */
const NEVER = '1970-01-01T00:00:00Z';

/** A Windows Server cumulative update, missing unless said otherwise. */
export function windowsPatch(kb: string, overrides: Partial<PatchItem> = {}): PatchItem {
  return {
    Title: `2025-02 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (${kb})`,
    KBId: kb,
    Classification: 'SecurityUpdates',
    Severity: 'Critical',
    State: 'Missing',
    InstalledTime: NEVER,
    CVEIds: 'CVE-2025-21418,CVE-2025-21391',
    ...overrides,
  };
}

/** An Amazon Linux 2023 package update, missing unless said otherwise. */
export function linuxPatch(pkg: string, overrides: Partial<PatchItem> = {}): PatchItem {
  return {
    Title: pkg,
    KBId: pkg,
    Classification: 'Security',
    Severity: 'Important',
    State: 'Missing',
    InstalledTime: NEVER,
    CVEIds: 'CVE-2024-5535',
    ...overrides,
  };
}

/** Provenance of a complete record (DescribeInstancePatchStates). */
export interface Provenance {
  /** Scan end, ISO 8601 UTC. @default - one hour before the run's start */
  readonly scanTime?: string;
  /** @default Scan */
  readonly operation?: 'Scan' | 'Install';
  /** @default pb-0123456789abcdef0 */
  readonly baselineId?: string;
  /** @default - none */
  readonly patchGroup?: string;
}

const COUNT_FIELDS = [
  'installed_count',
  'installed_other_count',
  'installed_pending_reboot_count',
  'installed_rejected_count',
  'missing_count',
  'failed_count',
  'not_applicable_count',
  'unreported_not_applicable_count',
  'critical_non_compliant_count',
  'security_non_compliant_count',
  'other_non_compliant_count',
] as const;

/** DescribeInstancePatches returns at most 100 patches a page. */
const PAGE_SIZE = 100;

/** All runs of a fleet, one objects map. */
export class FleetRecords {
  readonly objects = new Map<string, string>();
  private runs = 0;
  constructor(readonly prefix = 'patch-history') {}

  /** Starts a run at `start` (ISO 8601 UTC with milliseconds, the execution start). */
  run(start: string, runId?: string): RunRecords {
    this.runs++;
    const id = runId ?? `${start.slice(0, 10).replace(/-/g, '')}-${String(this.runs).padStart(4, '0')}-4b1e-9c3d-7f2a6e5d8c10`;
    return new RunRecords(this, start, id);
  }

  put(key: string, body: unknown): void {
    this.objects.set(key, JSON.stringify(body));
  }
}

export class RunRecords {
  private readonly part: string;
  private readonly statuses: Record<'complete' | 'failed' | 'not_scanned' | 'unmanaged', number> = {
    complete: 0,
    failed: 0,
    not_scanned: 0,
    unmanaged: 0,
  };
  private nodes = 0;
  private pages = 0;
  private patches = 0;

  constructor(
    private readonly fleet: FleetRecords,
    readonly snapshotTime: string,
    readonly runId: string,
  ) {
    const d = new Date(snapshotTime);
    const two = (n: number) => String(n).padStart(2, '0');
    this.part = `year=${d.getUTCFullYear()}/month=${two(d.getUTCMonth() + 1)}/day=${two(d.getUTCDate())}`;
  }

  /** Writes the pages (100 patches each) and returns how many. */
  private writePages(instanceId: string, items: readonly PatchItem[]): number {
    const count = Math.ceil(items.length / PAGE_SIZE);
    for (let page = 1; page <= count; page++) {
      this.fleet.put(`${this.fleet.prefix}/${this.part}/instanceid=${instanceId}/${this.runId}-${page}.json`, {
        instance_id: instanceId,
        snapshot_time: this.snapshotTime,
        run_id: this.runId,
        page,
        patches: items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      });
    }
    this.pages += count;
    this.patches += items.length;
    return count;
  }

  private record(instanceId: string, fields: Record<string, unknown>): void {
    this.nodes++;
    this.statuses[fields.status as keyof RunRecords['statuses']]++;
    const nulls = Object.fromEntries(COUNT_FIELDS.map((f) => [f, null]));
    this.fleet.put(`${this.fleet.prefix}/instances/${this.part}/${this.runId}/${instanceId}.json`, {
      instance_id: instanceId,
      run_id: this.runId,
      snapshot_time: this.snapshotTime,
      pages: 0,
      patches: 0,
      operation: null,
      operation_start_time: null,
      operation_end_time: null,
      baseline_id: null,
      patch_group: null,
      ...nulls,
      error: null,
      cause: null,
      ...fields,
    });
  }

  /** Every page written, then the complete record with provenance and counts. */
  complete(instanceId: string, items: readonly PatchItem[], provenance: Provenance = {}): this {
    const pages = this.writePages(instanceId, items);
    const end = provenance.scanTime ?? new Date(Date.parse(this.snapshotTime) - 3_600_000).toISOString();
    const by = (state: string) => items.filter((p) => p.State.replace(/_/g, '').toUpperCase() === state).length;
    const missing = by('MISSING');
    const failed = by('FAILED');
    const pendingReboot = by('INSTALLEDPENDINGREBOOT');
    const nonCompliant = items.filter((p) =>
      ['MISSING', 'FAILED', 'INSTALLEDPENDINGREBOOT'].includes(p.State.replace(/_/g, '').toUpperCase()),
    );
    this.record(instanceId, {
      status: 'complete',
      pages,
      patches: items.length,
      operation: provenance.operation ?? 'Scan',
      operation_start_time: new Date(Date.parse(end) - 240_000).toISOString(),
      operation_end_time: end,
      baseline_id: provenance.baselineId ?? 'pb-0123456789abcdef0',
      patch_group: provenance.patchGroup ?? null,
      installed_count: by('INSTALLED'),
      installed_other_count: by('INSTALLEDOTHER'),
      installed_pending_reboot_count: pendingReboot,
      installed_rejected_count: by('INSTALLEDREJECTED'),
      missing_count: missing,
      failed_count: failed,
      not_applicable_count: by('NOTAPPLICABLE'),
      unreported_not_applicable_count: 0,
      critical_non_compliant_count: nonCompliant.filter((p) => p.Severity === 'Critical').length,
      security_non_compliant_count: nonCompliant.filter((p) => /Security/.test(p.Classification)).length,
      other_non_compliant_count: nonCompliant.filter((p) => !/Security/.test(p.Classification)).length,
    });
    return this;
  }

  /** Some pages written, then an error after retries: the pages must never count. */
  failed(instanceId: string, writtenBeforeError: readonly PatchItem[]): this {
    const pages = this.writePages(instanceId, writtenBeforeError);
    this.record(instanceId, {
      status: 'failed',
      pages,
      patches: writtenBeforeError.length,
      error: 'Ssm.SsmException',
      cause: 'Rate exceeded (Service: Ssm, Status Code: 400, Request ID: 5c6e3a1b-8f2d-4e7a-9b0c-1d2e3f4a5b6c)',
    });
    return this;
  }

  /** Managed, but DescribeInstancePatchStates has no entry: never scanned. */
  notScanned(instanceId: string): this {
    this.record(instanceId, { status: 'not_scanned' });
    return this;
  }

  /** Listed, but SSM does not manage it (InvalidInstanceId). */
  unmanaged(instanceId: string): this {
    this.record(instanceId, {
      status: 'unmanaged',
      error: 'Ssm.InvalidInstanceIdException',
      cause: 'Instances [[' + instanceId + ']] not in a valid state for account 111111111111',
    });
    return this;
  }

  /** The run manifest, written last. */
  finish(finishedTime?: string): void {
    this.fleet.put(`${this.fleet.prefix}/runs/${this.part}/${this.runId}.json`, {
      run_id: this.runId,
      snapshot_time: this.snapshotTime,
      finished_time: finishedTime ?? new Date(Date.parse(this.snapshotTime) + 600_000).toISOString(),
      classifications: ['Security', 'CriticalUpdates', 'SecurityUpdates'],
      patch_states: [],
      tag_key: 'CheckPatch',
      tag_value: null,
      nodes: this.nodes,
      ...this.statuses,
      pages: this.pages,
      patches: this.patches,
      definition_version: 1,
    });
  }
}
