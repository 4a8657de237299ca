// A spoke of a configuration with a hub: the snapshot records go to the hub's fleet archive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ROOT, StackJson, findResource, resourcesOf, synthStack } from '../helpers/synth';
import { IamSim, iamSim } from '../helpers/iam-sim';
import { parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfig } from '../../stacks/platform/config/schema';
import { HubArchive } from '../../stacks/organization/archive';
import { archiveBucketName, patchHistoryPrefix } from '../../stacks/organization/archive-names';
import { DEFAULT_PROPS, fleet, node, patch, runSnapshot } from '../../scripts/patch-history-executor';
import type { IamPolicy } from '../../policies/document';

// config/example-organization.json: hub 333333333333 in eu-west-1, spokes 111111111111 and 222222222222.
const HUB = '333333333333';
const SPOKE = '111111111111';
const OTHER_SPOKE = '222222222222';
const REGION = 'eu-west-1';
const ARCHIVE = 'ssmb-333333333333-eu-west-1-archive';
const SPOKE_BUCKET = `ssmb-${SPOKE}-${REGION}-patch-history`;
const PREFIX = `patch-history/account=${SPOKE}/region=${REGION}`;
const MACHINE_ROLE = `ssmb-patch-history-${REGION}`;
const RUN = '4f3c1e2a-9b7d-4c61-8a5e-0d2b6f9e1a37';

function organizationConfig(): BaselineConfig {
  const input = JSON.parse(readFileSync(join(ROOT, 'config', 'example-organization.json'), 'utf8'));
  return parseConfig(input, 'config/example-organization.json');
}

type Json = Record<string, any>;
/** Every state of the machine, the child's included. */
function states(definition: Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, st] of Object.entries(definition.States as Record<string, Json>)) {
    out[name] = st;
    if (st.ItemProcessor) Object.assign(out, states(st.ItemProcessor));
  }
  return out;
}

describe('patch history in a spoke of a hub (prod, eu-west-1)', () => {
  let stack: StackJson;
  let definition: Json;
  beforeAll(() => {
    const config = organizationConfig();
    expect(archiveBucketName({ namePrefix: config.namePrefix, hubAccountId: HUB, hubRegion: REGION })).toBe(ARCHIVE);
    stack = synthStack(config, 1, REGION);
    const [, machine] = findResource(stack, 'aws_sfn_state_machine', (b) => b.name === 'ssmb-patch-history');
    definition = JSON.parse(machine.definition);
  });

  test('pages, instance records and the run manifest go to its own folder of the hub archive', () => {
    const all = states(definition);
    for (const name of ['WritePage', 'WriteRecord', 'WriteManifest']) {
      expect(all[name].Parameters.Bucket).toBe(ARCHIVE);
      expect(all[name].Parameters['Key.$']).toMatch(new RegExp(`^States\\.Format\\('${PREFIX}/`));
      // The archive's default encryption (its KMS key) applies: the request names none.
      expect(Object.keys(all[name].Parameters).filter((k) => /ServerSideEncryption|SSEKMS/i.test(k))).toEqual([]);
    }
  });

  test("the distributed Map's result files stay in the spoke's own bucket", () => {
    const writer = definition.States.SnapshotNodes.ResultWriter.Parameters;
    expect(writer.Bucket).toBe(SPOKE_BUCKET);
    expect(writer['Prefix.$']).toBe('$.map_results_prefix');
    expect(definition.States.Partition.Parameters['map_results_prefix.$']).toMatch(/^States\.Format\('patch-history\/_runs\//);
  });

  test('no per-account Glue tables or workgroup; the query-results bucket is forgotten, not destroyed', () => {
    expect(resourcesOf(stack, 'aws_glue_catalog_table')).toEqual({});
    expect(resourcesOf(stack, 'aws_athena_workgroup')).toEqual({});
    const removed = (stack as Json).removed as Array<{ from: string; lifecycle: { destroy: boolean } }>;
    const results = removed.filter((r) => /patch-history_query_results/.test(r.from));
    expect(results.filter((r) => r.from.startsWith('aws_s3_bucket.'))).toHaveLength(1);
    expect(results.every((r) => r.lifecycle.destroy === false)).toBe(true);
    // The history bucket itself stays managed: it holds the result files.
    expect(Object.values(resourcesOf(stack, 'aws_s3_bucket')).map((b) => b.bucket)).toContain(SPOKE_BUCKET);
  });
});

describe('patch history with a hub: execution in the local executor', () => {
  const hubProps = { bucket: ARCHIVE, prefix: PREFIX, results: { bucket: DEFAULT_PROPS.bucket, prefix: DEFAULT_PROPS.prefix } };
  const theFleet = () =>
    fleet({
      nodes: [
        node('i-0123456789abcdef0', { patches: [patch(1, 'Missing'), patch(2)] }),
        node('i-0fedcba9876543210', { patchState: null }),
        node('i-0aaaabbbbccccdddd', { deregistered: true }),
      ],
    });

  test('every record lands under the account/region prefix with the same body as without a hub', async () => {
    const local = await runSnapshot(theFleet());
    const hub = await runSnapshot(theFleet(), hubProps);
    expect(local.status).toBe('SUCCEEDED');
    expect(hub.status).toBe('SUCCEEDED');
    const records = (objects: Map<string, string>, prefix: string) =>
      [...objects]
        .filter(([k]) => !k.startsWith(`${prefix}/_runs/`))
        .map(([k, body]) => [k.slice(prefix.length + 1), body])
        .sort();
    expect(records(local.objects, DEFAULT_PROPS.prefix).length).toBeGreaterThan(3);
    expect([...hub.objects.keys()].every((k) => k.startsWith(`${PREFIX}/`))).toBe(true);
    expect(records(hub.objects, PREFIX)).toEqual(records(local.objects, DEFAULT_PROPS.prefix));
    // Nothing of the Map Run in the archive; its files are in the spoke's bucket.
    expect([...hub.objects.keys()].filter((k) => k.includes('/_runs/'))).toEqual([]);
    expect([...hub.resultObjects.keys()].length).toBeGreaterThan(0);
    expect([...hub.resultObjects.keys()].every((k) => k.startsWith(`${DEFAULT_PROPS.prefix}/_runs/year=`))).toBe(true);
  });
});

describe('patch history with a hub: IAM across accounts', () => {
  let sim: IamSim;
  let archivePolicy: IamPolicy;
  let keyPolicy: IamPolicy;
  beforeAll(() => {
    sim = iamSim(synthStack(organizationConfig(), 1, REGION));
    const hubStack = JSON.parse(
      Testing.synthScope((scope) => {
        new HubArchive(scope, 'archive', {
          namePrefix: 'ssmb',
          hubAccountId: HUB,
          hubRegion: REGION,
          memberAccountIds: [SPOKE, OTHER_SPOKE],
          organizationId: 'o-a1b2c3d4e5',
        });
      }),
    ) as StackJson;
    const hub = new IamSim(hubStack, { accountId: HUB, region: REGION });
    archivePolicy = hub.resourcePolicyFor(`arn:aws:s3:::${ARCHIVE}`)!;
    // iam-simulate does not evaluate kms:EncryptionContext:* (archive.test.ts checks that
    // condition as data), so it is left out here; every other condition of the key policy stays.
    const policy = hub.resourcePolicyFor(hub.arn('aws_kms_key', Object.keys(hubStack.resource!.aws_kms_key)[0]))!;
    keyPolicy = {
      ...policy,
      Statement: (policy.Statement as Array<Record<string, any>>).map((st) => {
        if (!st.Condition?.StringLike) return st;
        const { ['kms:EncryptionContext:aws:s3:arn']: _context, ...like } = st.Condition.StringLike;
        return { ...st, Condition: { ...st.Condition, StringLike: like } };
      }),
    } as IamPolicy;
  });

  /** The spoke role's own policies and the archive's bucket policy, the bucket owned by the hub. */
  async function ask(action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy = archivePolicy) {
    const role = sim.rolePolicies(MACHINE_ROLE);
    const result = await runSimulation(
      {
        request: {
          principal: role.roleArn,
          action,
          resource: { resource, accountId: HUB },
          contextVariables: {
            'aws:SecureTransport': 'true',
            'aws:PrincipalAccount': SPOKE,
            'aws:PrincipalOrgID': 'o-a1b2c3d4e5',
            ...context,
          },
        },
        identityPolicies: role.policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }
  const object = (prefix: string) =>
    `arn:aws:s3:::${ARCHIVE}/${prefix}/instances/year=2025/month=06/day=01/${RUN}/i-0123456789abcdef0.json`;

  test('the state machine role writes under its own account prefix of the archive, nowhere else there', async () => {
    expect(await ask('s3:PutObject', object(PREFIX))).toBe('Allowed');
    expect(await ask('s3:PutObject', `arn:aws:s3:::${ARCHIVE}/${PREFIX}/runs/year=2025/month=06/day=01/${RUN}.json`)).toBe('Allowed');
    expect(await ask('s3:PutObject', object(patchHistoryPrefix(OTHER_SPOKE, REGION)))).not.toBe('Allowed');
    expect(await ask('s3:PutObject', object(patchHistoryPrefix(SPOKE, 'us-east-1')))).not.toBe('Allowed');
    expect(await ask('s3:PutObject', `arn:aws:s3:::${ARCHIVE}/session-transcripts/account=${SPOKE}/region=${REGION}/x.log`)).not.toBe(
      'Allowed',
    );
    expect(await ask('s3:GetObject', object(PREFIX))).not.toBe('Allowed');
  });

  test('it may have S3 ask for data keys of the archive key only, only through S3 in the hub region', async () => {
    const key = `arn:aws:kms:${REGION}:${HUB}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
    const via = { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:ResourceAliases': ['alias/ssmb-archive'] };
    const can = (action: string, resource: string, ctx: Record<string, string | string[]>) => ask(action, resource, ctx, keyPolicy);
    expect(await can('kms:GenerateDataKey', key, via)).toBe('Allowed');
    expect(await can('kms:GenerateDataKey', key, { ...via, 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' })).not.toBe('Allowed');
    expect(await can('kms:GenerateDataKey', key, { ...via, 'kms:ResourceAliases': ['alias/ssmb-other'] })).not.toBe('Allowed');
    expect(await can('kms:GenerateDataKey', key.replace(HUB, OTHER_SPOKE), via)).not.toBe('Allowed');
    expect(await can('kms:Decrypt', key, via)).not.toBe('Allowed');
  });

  test("the Map Run's result files are written in the spoke's bucket", async () => {
    const file = `arn:aws:s3:::${SPOKE_BUCKET}/patch-history/_runs/year=2025/month=06/day=01/${RUN}/map/2d0a3c6e/manifest.json`;
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'])
      expect(await sim.canRole(MACHINE_ROLE, action, file)).toBe('Allowed');
    expect(await sim.canRole(MACHINE_ROLE, 's3:PutObject', `arn:aws:s3:::${SPOKE_BUCKET}/patch-history/year=2025/x.json`)).not.toBe(
      'Allowed',
    );
  });
});
