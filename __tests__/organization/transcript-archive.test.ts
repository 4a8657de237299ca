import { Testing } from 'cdktf';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { parseConfig } from '../../stacks/platform/config/load';
import type { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { HubStack } from '../../stacks/organization/hub-stack';
import { HubTranscriptArchive, HubTranscriptArchiveProps } from '../../stacks/organization/transcript-archive';
import { sessionTranscriptPrefix, transcriptArchiveBucketName } from '../../stacks/organization/archive-names';
import { POLICY_SIZE_LIMITS } from '../../stacks/organization/policy-size';
import { StackJson, organizationInput, resourcesOf, synthStack } from '../helpers/synth';
import { Context, Decision, IamSim } from '../helpers/iam-sim';
import type { IamPolicy } from '../../policies/document';

const HUB = '333333333333';
const PROD = '111111111111';
const STAGING = '222222222222';
const OUTSIDER = '999999999999';
const ORG = 'o-a1b2c3d4e5';
const BUCKET = `arn:aws:s3:::${transcriptArchiveBucketName({ namePrefix: 'ssmb', hubAccountId: HUB, hubRegion: 'eu-west-1' })}`;
const replicationRole = (account: string, region = 'us-east-1') => `arn:aws:iam::${account}:role/ssmb-transcript-replication-${region}`;
const key = (account: string, region = 'us-east-1') =>
  `${BUCKET}/${sessionTranscriptPrefix(account, region)}/alice@example.com-0a1b2c3d4e5f60718.log`;

function hubStack(input: BaselineConfigInput): StackJson {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new HubStack(app, { config: parseConfig(input, 'example') }))) as StackJson;
}

/** A cross-account request: the spoke's identity policies and the hub bucket's policy must both allow it. */
async function crossAccount(
  identity: Array<{ name: string; policy: IamPolicy }>,
  hubPolicy: IamPolicy,
  principal: string,
  action: string,
  resource: string,
  context: Context,
): Promise<Decision> {
  const account = /^arn:aws:iam::(\d{12}):/.exec(principal)![1];
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: HUB },
        contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': account, 'aws:PrincipalArn': principal, ...context },
      },
      identityPolicies: identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: hubPolicy,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('HubTranscriptArchive in the hub stack (example organization)', () => {
  let hub: StackJson;
  beforeAll(() => (hub = hubStack(organizationInput())));

  test('a versioned, Object Lock (governance) bucket with its own key, both refusing destroy', () => {
    const [bucket] = Object.values(resourcesOf(hub, 'aws_s3_bucket')).filter((b) => b.bucket === BUCKET.slice('arn:aws:s3:::'.length));
    expect(bucket).toMatchObject({ object_lock_enabled: true, lifecycle: { prevent_destroy: true } });
    const lock = Object.values(resourcesOf(hub, 'aws_s3_bucket_object_lock_configuration'));
    // The spokes' settings: sessionManager.logBucket.retentionDays (400) and its lock days.
    expect(lock.map((l) => l.rule)).toEqual([{ default_retention: { mode: 'GOVERNANCE', days: 400 } }]);
    const alias = Object.values(resourcesOf(hub, 'aws_kms_alias')).find((a) => a.name === 'alias/ssmb-transcripts')!;
    expect(alias).toBeDefined();
    const [keyId] = /aws_kms_key\.([^.]+)\./.exec(alias.target_key_id)!.slice(1);
    expect(resourcesOf(hub, 'aws_kms_key')[keyId].lifecycle).toEqual({ prevent_destroy: true });
    const sse = Object.values(resourcesOf(hub, 'aws_s3_bucket_server_side_encryption_configuration')).find((c) =>
      JSON.stringify(c.rule).includes(keyId),
    );
    expect(sse).toBeDefined();
  });

  test('no transcript bucket in the hub when Session Manager is off', () => {
    const input = organizationInput();
    const off = hubStack({ ...input, sessionManager: { ...(input.sessionManager as object), enabled: false } } as BaselineConfigInput);
    expect(Object.values(resourcesOf(off, 'aws_s3_bucket')).map((b) => b.bucket)).not.toContain(BUCKET.slice('arn:aws:s3:::'.length));
  });
});

describe.each([
  ['by organization', true],
  ['by account', false],
])("a spoke's replication role against the hub transcript bucket (%s)", (_mode, org) => {
  let hubPolicy: IamPolicy;
  let prodRole: Array<{ name: string; policy: IamPolicy }>;
  const member: Context = org ? { 'aws:PrincipalOrgID': ORG } : {};
  const outsider: Context = org ? { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } : {};
  /** Identity that allows everything: the hub's policy alone must refuse. */
  const broad = [
    { name: 'broad', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } as IamPolicy },
  ];
  beforeAll(() => {
    const input = organizationInput();
    if (!org) delete (input.hub as { organizationId?: string }).organizationId;
    const config = parseConfig(input, 'example');
    hubPolicy = new IamSim(hubStack(input), { accountId: HUB, region: 'eu-west-1' }).resourcePolicyFor(BUCKET)!;
    const prod = synthStack(config, 1, 'us-east-1');
    prodRole = new IamSim(prod, { accountId: PROD, region: 'us-east-1' }).rolePolicies('ssmb-transcript-replication-us-east-1').policies;
  });

  test('replicates, with tags and owner override, under its own account and region prefix only', async () => {
    const ask = (action: string, resource: string) => crossAccount(prodRole, hubPolicy, replicationRole(PROD), action, resource, member);
    for (const action of ['s3:ReplicateObject', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'])
      expect(await ask(action, key(PROD))).toBe('Allowed');
    expect(await ask('s3:GetBucketVersioning', BUCKET)).toBe('Allowed');
    expect(await ask('s3:ReplicateObject', key(STAGING))).not.toBe('Allowed');
    expect(await ask('s3:ReplicateObject', key(PROD, 'eu-west-1'))).not.toBe('Allowed');
  });

  test('cannot delete, change retention or read replicas in the hub', async () => {
    for (const action of [
      's3:ReplicateDelete',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
      's3:BypassGovernanceRetention',
      's3:GetObject',
      's3:PutObject',
    ])
      expect([action, await crossAccount(prodRole, hubPolicy, replicationRole(PROD), action, key(PROD), member)]).not.toEqual([
        action,
        'Allowed',
      ]);
    expect(await crossAccount(prodRole, hubPolicy, replicationRole(PROD), 's3:PutBucketVersioning', BUCKET, member)).not.toBe('Allowed');
  });

  test("the hub admits neither another account's prefix, a non-member, nor another principal of a member", async () => {
    const ask = (principal: string, resource: string, ctx: Context) =>
      crossAccount(broad, hubPolicy, principal, 's3:ReplicateObject', resource, ctx);
    // A role of the same name in staging, its identity allowing everything: still only staging's prefix.
    expect(await ask(replicationRole(STAGING), key(STAGING), member)).toBe('Allowed');
    expect(await ask(replicationRole(STAGING), key(PROD), member)).not.toBe('Allowed');
    expect(await ask(replicationRole(OUTSIDER), key(OUTSIDER), outsider)).not.toBe('Allowed');
    expect(await ask(`arn:aws:iam::${PROD}:role/ssmb-managed-instance-us-east-1`, key(PROD), member)).not.toBe('Allowed');
  });
});

describe('HubTranscriptArchive: policy sizes at 1,000 member accounts', () => {
  const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(200000000000 + i * 7919));
  const props = (extra: Partial<HubTranscriptArchiveProps>): HubTranscriptArchiveProps => ({
    namePrefix: 'ssmb',
    hubAccountId: HUB,
    hubRegion: 'eu-west-1',
    memberAccountIds: accounts(1000),
    ...extra,
  });
  test('with an organization id both policies stay far under their limits', () => {
    let archive!: HubTranscriptArchive;
    Testing.synthScope((scope) => void (archive = new HubTranscriptArchive(scope, 'transcripts', props({ organizationId: ORG }))));
    expect(archive.policySizes.bucketPolicy).toBeLessThan(POLICY_SIZE_LIMITS.bucketPolicy / 4);
    expect(archive.policySizes.keyPolicy).toBeLessThan(POLICY_SIZE_LIMITS.keyPolicy / 4);
  });
  test('an account list too long for the bucket policy fails at synth and names the way out', () => {
    expect(() => Testing.synthScope((scope) => void new HubTranscriptArchive(scope, 'transcripts', props({})))).toThrow(
      /bucket policy for 1000 member accounts is \d+ bytes, over AWS's limit of 20480\. Set organizationId/,
    );
  });
});
