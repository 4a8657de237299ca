import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { ROOT, StackJson, resourcesOf, synthStack } from '../helpers/synth';
import { IamSim } from '../helpers/iam-sim';
import type { IamPolicy } from '../../policies/document';

const config = () => parseConfig(JSON.parse(readFileSync(join(ROOT, 'config', 'example-organization.json'), 'utf8')), 'example');
const PREFIX = 'session-transcripts/account=111111111111/region=us-east-1';

describe('Session Manager with a hub: transcripts replicate to the hub transcript bucket', () => {
  let prod: StackJson;
  let sim: IamSim;
  let bucketArn: string;
  beforeAll(() => {
    prod = synthStack(config(), 1, 'us-east-1');
    sim = new IamSim(prod, { accountId: '111111111111', region: 'us-east-1' });
    bucketArn = 'arn:aws:s3:::ssmb-111111111111-us-east-1-sessions';
  });

  test('the preferences write transcripts under the archive layout, which replication keeps', () => {
    const [doc] = Object.values(resourcesOf(prod, 'aws_ssm_document'));
    expect(JSON.parse(doc.content).inputs.s3KeyPrefix).toBe(PREFIX);
  });

  test('one rule: new SSE-KMS transcripts of that prefix to the hub bucket, owned and encrypted there, no delete markers', () => {
    const [replication] = Object.values(resourcesOf(prod, 'aws_s3_bucket_replication_configuration'));
    expect(replication.token).toBeUndefined();
    expect(replication.rule).toEqual([
      {
        id: 'transcripts-to-hub',
        status: 'Enabled',
        filter: { prefix: `${PREFIX}/` },
        delete_marker_replication: { status: 'Disabled' },
        source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
        destination: {
          bucket: 'arn:aws:s3:::ssmb-333333333333-eu-west-1-transcripts',
          account: '333333333333',
          access_control_translation: { owner: 'Destination' },
          encryption_configuration: { replica_kms_key_id: 'arn:aws:kms:eu-west-1:333333333333:alias/ssmb-transcripts' },
        },
      },
    ]);
    expect(replication.depends_on.join(' ')).toMatch(/aws_s3_bucket_versioning\.session-manager_preferences_transcripts/);
  });

  test('only S3, for this bucket of this account, assumes the replication role', async () => {
    const role = 'ssmb-transcript-replication-us-east-1';
    const ok = { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': bucketArn };
    expect(await sim.canAssume(role, 's3.amazonaws.com', ok)).toBe('Allowed');
    expect(await sim.canAssume(role, 's3.amazonaws.com', { ...ok, 'aws:SourceArn': 'arn:aws:s3:::someone-elses-bucket' })).not.toBe(
      'Allowed',
    );
    expect(await sim.canAssume(role, 's3.amazonaws.com', { ...ok, 'aws:SourceAccount': '999999999999' })).not.toBe('Allowed');
  });

  test('the role reads transcript versions with their lock and decrypts them through S3, nothing more here', async () => {
    const role = 'ssmb-transcript-replication-us-east-1';
    const object = `${bucketArn}/${PREFIX}/alice@example.com-0a1b2c3d4e5f60718.log`;
    const table = await sim.roleTable(role, {
      allowed: [
        ['s3:GetReplicationConfiguration', bucketArn],
        ['s3:ListBucket', bucketArn],
        ['s3:GetObjectVersionForReplication', object],
        ['s3:GetObjectRetention', object],
        ['s3:GetObjectLegalHold', object],
      ],
      denied: [
        ['s3:GetObject', object],
        ['s3:DeleteObjectVersion', object],
        ['s3:PutObjectRetention', object],
        ['s3:BypassGovernanceRetention', object],
        ['s3:GetObjectVersionForReplication', `${bucketArn}/other/x.log`],
      ],
    });
    expect(table).toEqual([]);
    const [key] = Object.keys(resourcesOf(prod, 'aws_kms_key'));
    const keyArn = sim.arn('aws_kms_key', key);
    expect(await sim.canRole(role, 'kms:Decrypt', keyArn, { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('Allowed');
    expect(await sim.canRole(role, 'kms:Decrypt', keyArn, {})).not.toBe('Allowed');
  });

  test('the hub key is named by alias through S3 in the hub region only', async () => {
    const role = 'ssmb-transcript-replication-us-east-1';
    const hubKey = 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const via = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:ResourceAliases': ['alias/ssmb-transcripts'] };
    // A stand-in for the hub key's policy that admits the whole spoke account: the role's own policy decides.
    const keyPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }],
    } as const;
    const ask = (ctx: Record<string, string | string[]>) =>
      sim.canRole(role, 'kms:Encrypt', hubKey, ctx, { resourcePolicy: keyPolicy as unknown as IamPolicy });
    expect(await ask(via)).toBe('Allowed');
    expect(await ask({ ...via, 'kms:ResourceAliases': ['alias/ssmb-archive'] })).not.toBe('Allowed');
    expect(await ask({ ...via, 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).not.toBe('Allowed');
  });

  test("the hub account's own region replicates within the account: no owner override", () => {
    const security = synthStack(config(), 0, 'eu-west-1');
    const [replication] = Object.values(resourcesOf(security, 'aws_s3_bucket_replication_configuration'));
    expect(replication.rule[0].destination.account).toBeUndefined();
    expect(replication.rule[0].destination.access_control_translation).toBeUndefined();
    expect(replication.rule[0].filter.prefix).toBe('session-transcripts/account=333333333333/region=eu-west-1/');
  });
});
