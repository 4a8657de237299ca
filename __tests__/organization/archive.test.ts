import { Testing } from 'cdktf';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { HubArchive, HubArchiveProps, archiveBucketStatements } from '../../stacks/organization/archive';
import { denyInsecureTransport } from '../../stacks/constructs/policy-document';
import { archiveBucketName, patchHistoryPrefix, sessionTranscriptPrefix } from '../../stacks/organization/archive-names';
import { POLICY_SIZE_LIMITS, renderPolicy } from '../../stacks/organization/policy-size';
import { Context, Decision, IamSim } from '../helpers/iam-sim';
import type { IamPolicy } from '../../policies/document';
import type { StackJson } from '../helpers/synth';

const HUB = '111111111111';
const REGION = 'ap-northeast-1';
const SPOKE = '222222222222';
const OTHER_SPOKE = '333333333333';
const OUTSIDER = '999999999999';
const ORG = 'o-a1b2c3d4e5';
const BASE: HubArchiveProps = { namePrefix: 'ssmb', hubAccountId: HUB, hubRegion: REGION, memberAccountIds: [SPOKE, OTHER_SPOKE] };
const BUCKET = archiveBucketName(BASE);
const OBJECTS = `arn:aws:s3:::${BUCKET}`;

/** n distinct realistic account ids. */
const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(200000000000 + i * 7919));

function synthArchive(props: HubArchiveProps): { stack: StackJson; archive: HubArchive } {
  let archive!: HubArchive;
  const stack = JSON.parse(Testing.synthScope((scope) => void (archive = new HubArchive(scope, 'archive', props)))) as StackJson;
  return { stack, archive };
}

/**
 * A cross-account request: the spoke principal's own identity policy allows it broadly
 * (so the hub's resource policy is what decides), and AWS requires both to allow.
 */
async function crossAccount(
  sim: IamSim,
  principal: string,
  action: string,
  resource: string,
  target: string,
  context: Context = {},
): Promise<Decision> {
  const account = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(principal)![1];
  const identity: IamPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] };
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: HUB },
        contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': account, ...context },
      },
      identityPolicies: [{ name: 'spoke-identity', policy: identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: sim.resourcePolicyFor(target),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const spokeRole = (account: string) => `arn:aws:iam::${account}:role/ssmb-patch-history-${REGION}`;
const snapshotKey = (account: string) =>
  `${OBJECTS}/${patchHistoryPrefix(account, REGION)}/year=2025/month=06/day=01/instanceid=i-0123456789abcdef0/a1b2c3d4-run-1.json`;
const transcriptKey = (account: string) => `${OBJECTS}/${sessionTranscriptPrefix(account, REGION)}/alice-0a1b2c3d4e5f67890.log`;
const syncKey = (account: string, type = 'AWS:Application') =>
  `${OBJECTS}/inventory/${type}/accountid=${account}/region=${REGION}/resourcetype=ManagedInstanceInventory/i-0123456789abcdef0.json`;
const syncContext = (account: string): Context => ({
  'aws:SourceAccount': account,
  'aws:SourceArn': `arn:aws:ssm:${REGION}:${account}:resource-data-sync/ssmb-inventory-archive`,
  's3:x-amz-acl': 'bucket-owner-full-control',
});

describe.each([
  ['by account', {}],
  ['by organization', { organizationId: ORG }],
])('HubArchive bucket policy (%s)', (_mode, extra) => {
  let sim: IamSim;
  const org = 'organizationId' in extra;
  // Requests by a member carry its org id; an outsider's carries another one.
  const member = (_account: string): Context => (org ? { 'aws:PrincipalOrgID': ORG, 'aws:SourceOrgID': ORG } : {}) as Context;
  const outsider: Context = org ? { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz', 'aws:SourceOrgID': 'o-zzzzzzzzzz' } : {};
  beforeAll(() => {
    const { stack } = synthArchive({ ...BASE, ...extra });
    sim = new IamSim(stack, { accountId: HUB, region: REGION });
  });

  test("a spoke's role writes snapshots and transcripts under its own account prefix only", async () => {
    const ask = (principal: string, action: string, resource: string, ctx: Context = {}) =>
      crossAccount(sim, principal, action, resource, OBJECTS, ctx);
    const instanceRole = `arn:aws:sts::${SPOKE}:assumed-role/ssmb-managed-instance-${REGION}/i-0123456789abcdef0`;
    expect(await ask(spokeRole(SPOKE), 's3:PutObject', snapshotKey(SPOKE), member(SPOKE))).toBe('Allowed');
    expect(await ask(instanceRole, 's3:PutObject', transcriptKey(SPOKE), member(SPOKE))).toBe('Allowed');
    expect(await ask(instanceRole, 's3:GetEncryptionConfiguration', OBJECTS, member(SPOKE))).toBe('Allowed');
    // another member's prefix, the sync's folder, reading, and a non-member
    expect(await ask(spokeRole(SPOKE), 's3:PutObject', snapshotKey(OTHER_SPOKE), member(SPOKE))).not.toBe('Allowed');
    expect(await ask(instanceRole, 's3:PutObject', transcriptKey(OTHER_SPOKE), member(SPOKE))).not.toBe('Allowed');
    expect(await ask(spokeRole(SPOKE), 's3:PutObject', syncKey(SPOKE), member(SPOKE))).not.toBe('Allowed');
    expect(await ask(spokeRole(SPOKE), 's3:GetObject', snapshotKey(SPOKE), member(SPOKE))).not.toBe('Allowed');
    expect(await ask(spokeRole(OUTSIDER), 's3:PutObject', snapshotKey(OUTSIDER), outsider)).not.toBe('Allowed');
    expect(await ask(spokeRole(OUTSIDER), 's3:GetEncryptionConfiguration', OBJECTS, outsider)).not.toBe('Allowed');
  });

  test("the Resource Data Sync service writes a member account's inventory into that account's folder only", async () => {
    const ctx = (account: string, more: Context = {}) => ({ ...syncContext(account), ...member(account), ...more });
    const table = await sim.resourceTable(OBJECTS, {
      allowed: [
        ['ssm.amazonaws.com', 's3:GetBucketAcl', OBJECTS],
        ['ssm.amazonaws.com', 's3:PutObject', syncKey(SPOKE), ctx(SPOKE)],
        ['ssm.amazonaws.com', 's3:PutObject', syncKey(OTHER_SPOKE, 'AWS:InstanceInformation'), ctx(OTHER_SPOKE)],
      ],
      denied: [
        // another account's folder, without the owner ACL, a non-member, a nested forged folder, outside the sync prefix
        ['ssm.amazonaws.com', 's3:PutObject', syncKey(OTHER_SPOKE), ctx(SPOKE)],
        ['ssm.amazonaws.com', 's3:PutObject', syncKey(SPOKE), ctx(SPOKE, { 's3:x-amz-acl': 'private' })],
        ['ssm.amazonaws.com', 's3:PutObject', syncKey(OUTSIDER), { ...syncContext(OUTSIDER), ...outsider }],
        [
          'ssm.amazonaws.com',
          's3:PutObject',
          `${OBJECTS}/inventory/AWS:Application/accountid=${OTHER_SPOKE}/region=${REGION}/resourcetype=x/AWS:Application/accountid=${SPOKE}/region=${REGION}/i-0123456789abcdef0.json`,
          ctx(SPOKE),
        ],
        ['ssm.amazonaws.com', 's3:PutObject', snapshotKey(SPOKE), ctx(SPOKE)],
        // another SSM feature writing as the service, not a data sync
        [
          'ssm.amazonaws.com',
          's3:PutObject',
          syncKey(SPOKE),
          ctx(SPOKE, { 'aws:SourceArn': `arn:aws:ssm:${REGION}:${SPOKE}:association/0a1b2c3d-4e5f-6789-0abc-def012345678` }),
        ],
      ],
    });
    expect(table).toEqual([]);
  });

  test('the key lets member principals and the sync use it only through S3 for this bucket', () => {
    // iam-simulate does not evaluate kms:EncryptionContext:<key> conditions (it denies
    // whatever the context says), so the key policy is checked as data here.
    const keyArn = sim.arn('aws_kms_key', Object.keys(sim.stack.resource!.aws_kms_key)[0]);
    const statements = sim.resourcePolicyFor(keyArn)!.Statement as Array<Record<string, any>>;
    const writers = statements.find((st) => st.Sid === 'SpokeWritersThroughS3')!;
    expect(writers.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(writers.Condition.StringEquals['kms:ViaService']).toEqual([`s3.${REGION}.amazonaws.com`]);
    expect(writers.Condition.StringEquals[org ? 'aws:PrincipalOrgID' : 'aws:PrincipalAccount']).toEqual(org ? [ORG] : [SPOKE, OTHER_SPOKE]);
    expect(writers.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual([
      OBJECTS,
      `${OBJECTS}/patch-history/account=*`,
      `${OBJECTS}/session-transcripts/account=*`,
    ]);
    const sync = statements.find((st) => st.Sid === 'InventorySyncThroughS3')!;
    expect(sync.Principal).toEqual({ Service: ['ssm.amazonaws.com'] });
    expect([sync.Action].flat()).toEqual(['kms:GenerateDataKey']);
    expect(sync.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual([OBJECTS, `${OBJECTS}/inventory/*`]);
  });
});

describe.each([
  ['by account', {}],
  ['by organization', { organizationId: ORG }],
])("HubArchive key: Resource Data Sync's data keys (%s)", (_mode, extra) => {
  // The SSM user guide's key policy for an encrypted data sync (confused-deputy prevention):
  // kms:GenerateDataKey for ssm.amazonaws.com only with aws:SourceAccount and aws:SourceArn
  // of a resource data sync. iam-simulate cannot evaluate kms:EncryptionContext:* (see
  // above), so the statement is simulated without that condition: what remains must
  // still confine the service to the members' data syncs.
  const org = 'organizationId' in extra;
  let policy: IamPolicy;
  beforeAll(() => {
    const { stack } = synthArchive({ ...BASE, ...extra });
    const sim = new IamSim(stack, { accountId: HUB, region: REGION });
    const keyArn = sim.arn('aws_kms_key', Object.keys(sim.stack.resource!.aws_kms_key)[0]);
    const statements = sim.resourcePolicyFor(keyArn)!.Statement as Array<Record<string, any>>;
    const sync = structuredClone(statements.find((st) => st.Sid === 'InventorySyncThroughS3')!);
    delete sync.Condition.StringLike['kms:EncryptionContext:aws:s3:arn'];
    if (Object.keys(sync.Condition.StringLike).length === 0) delete sync.Condition.StringLike;
    policy = { Version: '2012-10-17', Statement: [sync] } as IamPolicy;
  });
  const ask = async (context: Context): Promise<Decision> => {
    const result = await runSimulation(
      {
        request: {
          principal: 'ssm.amazonaws.com',
          action: 'kms:GenerateDataKey',
          resource: { resource: `arn:aws:kms:${REGION}:${HUB}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, accountId: HUB },
          contextVariables: { 'aws:SecureTransport': 'true', 'kms:ViaService': `s3.${REGION}.amazonaws.com`, ...context },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy,
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };
  const orgOf = (id: string): Context => (org ? { 'aws:SourceOrgID': id } : {});

  test("a member's data sync gets data keys", async () => {
    expect(await ask({ ...syncContext(SPOKE), ...orgOf(ORG) })).toBe('Allowed');
  });

  test("another account's data sync does not", async () => {
    expect(await ask({ ...syncContext(OUTSIDER), ...orgOf('o-zzzzzzzzzz') })).not.toBe('Allowed');
  });

  test('another SSM feature of a member, acting as the service, does not', async () => {
    const association = `arn:aws:ssm:${REGION}:${SPOKE}:association/0a1b2c3d-4e5f-6789-0abc-def012345678`;
    expect(await ask({ ...syncContext(SPOKE), 'aws:SourceArn': association, ...orgOf(ORG) })).not.toBe('Allowed');
  });
});

describe('HubArchive: the bucket', () => {
  let synth: string;
  beforeAll(() => (synth = Testing.synthScope((scope) => void new HubArchive(scope, 'archive', BASE))));

  test('encrypts with its own rotating customer key', () => {
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [expect.objectContaining({ apply_server_side_encryption_by_default: expect.objectContaining({ sse_algorithm: 'aws:kms' }) })],
    });
  });

  test('has no Object Lock, which Resource Data Sync cannot write to', () => {
    expect(synth).not.toHaveResource(S3BucketObjectLockConfigurationA);
  });

  test('refuses bad props field by field, all at once', () => {
    expect(() =>
      Testing.synthScope(
        (scope) =>
          void new HubArchive(scope, 'archive', {
            ...BASE,
            hubAccountId: '1111',
            memberAccountIds: ['22', SPOKE, SPOKE],
            organizationId: 'org-1',
          }),
      ),
    ).toThrow(
      /hubAccountId: must be 12 digits[\s\S]*memberAccountIds: must be 12 digits[\s\S]*lists an account twice[\s\S]*organizationId: must look like/,
    );
  });
});

describe('HubArchive: policy sizes at 1,000 member accounts', () => {
  test('by organization, both policies stay far below their limits', () => {
    const { archive } = synthArchive({ ...BASE, memberAccountIds: accounts(1000), organizationId: ORG });
    expect(archive.policySizes.bucketPolicy).toBeLessThan(POLICY_SIZE_LIMITS.bucketPolicy / 4);
    expect(archive.policySizes.keyPolicy).toBeLessThan(POLICY_SIZE_LIMITS.keyPolicy / 4);
  });

  test('by account list, synth fails naming organizationId as the way out', () => {
    expect(() => synthArchive({ ...BASE, memberAccountIds: accounts(1000) })).toThrow(
      /archive bucket policy for 1000 member accounts is \d+ bytes, over AWS's limit of 20480\. Set organizationId/,
    );
  });

  test('the estimate measures the very statements Terraform renders', () => {
    // 300 accounts fit; the resolved data source must hold the statements the estimate measured.
    const { stack, archive } = synthArchive({ ...BASE, memberAccountIds: accounts(300) });
    const sim = new IamSim(stack, { accountId: HUB, region: REGION });
    const normalize = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(normalize)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v).map(([k, x]) => [
                k,
                normalize(typeof x === 'string' && k !== 'Effect' && k !== 'Sid' && k !== 'Version' && k !== 'Principal' ? [x] : x),
              ]),
            )
          : v;
    const estimated = JSON.parse(
      renderPolicy([
        denyInsecureTransport(['s3:*'], [OBJECTS, `${OBJECTS}/*`]),
        ...archiveBucketStatements(OBJECTS, { memberAccountIds: accounts(300) }),
      ]),
    );
    expect(normalize(sim.resourcePolicyFor(OBJECTS))).toEqual(normalize(estimated));
    expect(archive.policySizes.bucketPolicy).toBeLessThanOrEqual(POLICY_SIZE_LIMITS.bucketPolicy);
  });

  test('the largest account list that fits, for the docs', () => {
    let fits = 0;
    for (let n = 100; n <= 1000; n += 10) {
      try {
        synthArchive({ ...BASE, memberAccountIds: accounts(n) });
        fits = n;
      } catch {
        break;
      }
    }
    // Pinned so a change to the statements that shrinks the fleet a bucket policy serves shows here (and in the docs).
    expect(fits).toBe(320);
  });
});
