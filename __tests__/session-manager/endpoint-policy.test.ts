import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { IamPolicy } from '../../policies/document';
import { ROOT, StackJson, policyStatements, resourcesOf, synthStack } from '../helpers/synth';
import { iamSim } from '../helpers/iam-sim';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const FOREIGN = '999999999999';
const input = (): BaselineConfigInput => JSON.parse(readFileSync(join(ROOT, 'config', 'example-bastion.json'), 'utf8'));

const endpointPolicy = (stack: StackJson, service: string) => {
  const [body] = Object.values(resourcesOf(stack, 'aws_vpc_endpoint')).filter(
    (e) => e.service_name === `com.amazonaws.${REGION}.${service}`,
  );
  if (!body) throw new Error(`no endpoint for ${service}`);
  return body.policy as string;
};

// The endpoints are shared by the whole VPC (private DNS, route tables): their policies
// draw the account's perimeter, and on S3 add read-only access to the AWS-owned buckets
// the SSM Agent and Amazon Linux 2023 read.
describe('session manager bastion: endpoint policies', () => {
  const stack = synthStack(parseConfig(input(), 'config/example-bastion.json'));

  it.each(['ssm', 'ec2messages', 'logs', 'kms'])('%s: only principals of this account', (service) => {
    expect(policyStatements(stack, endpointPolicy(stack, service))).toEqual([
      {
        sid: 'ThisAccountPrincipals',
        effect: 'Allow',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: ['*'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'aws:PrincipalAccount', values: [ACCOUNT] }],
      },
    ]);
  });

  it("ssmmessages: signed requests only from this account's principals (the session client's data channel is token-authenticated)", () => {
    expect(policyStatements(stack, endpointPolicy(stack, 'ssmmessages'))).toEqual([
      expect.objectContaining({
        actions: ['*'],
        resources: ['*'],
        condition: [{ test: 'StringEqualsIfExists', variable: 'aws:PrincipalAccount', values: [ACCOUNT] }],
      }),
    ]);
  });

  it("s3: this account's principals to this account's buckets, and objects of the AWS-owned agent and repository buckets", () => {
    const [own, aws] = policyStatements(stack, endpointPolicy(stack, 's3'));
    expect(own).toMatchObject({
      effect: 'Allow',
      actions: ['*'],
      resources: ['*'],
      condition: [
        { test: 'StringEquals', variable: 'aws:PrincipalAccount', values: [ACCOUNT] },
        { test: 'StringEquals', variable: 'aws:ResourceAccount', values: [ACCOUNT] },
      ],
    });
    expect(aws).toMatchObject({ effect: 'Allow', actions: ['s3:GetObject'], principals: [{ type: '*', identifiers: ['*'] }] });
    expect(aws.condition).toBeUndefined();
    expect(aws.resources).toEqual(
      expect.arrayContaining([
        `arn:aws:s3:::amazon-ssm-${REGION}/*`,
        `arn:aws:s3:::aws-ssm-${REGION}/*`,
        `arn:aws:s3:::amazon-ssm-packages-${REGION}/*`,
        `arn:aws:s3:::${REGION}-birdwatcher-prod/*`,
        `arn:aws:s3:::aws-windows-downloads-${REGION}/*`,
        `arn:aws:s3:::aws-ssm-distributor-file-${REGION}/*`,
        `arn:aws:s3:::aws-ssm-document-attachments-${REGION}/*`,
        `arn:aws:s3:::patch-baseline-snapshot-${REGION}/*`,
        `arn:aws:s3:::aws-patch-manager-${REGION}-*/*`,
        `arn:aws:s3:::al2023-repos-${REGION}-de612dc2/*`,
      ]),
    );
    // Every one of them an object ARN in this Region: no bucket-level action, no other Region.
    for (const r of aws.resources as string[]) expect(r).toMatch(new RegExp(`^arn:aws:s3:::[^/]*${REGION}[^/]*/\\*$`));
  });

  it('fullAccess writes AWS default policy out (policy is Optional+Computed: unset would keep a stricter one)', () => {
    const open = input();
    open.sessionManager!.bastion!.vpcEndpoints!.policy = 'fullAccess';
    const s = synthStack(parseConfig(open, 'fullAccess'));
    for (const service of ['ssm', 'ssmmessages', 'ec2messages', 'logs', 'kms', 's3']) {
      expect(policyStatements(s, endpointPolicy(s, service))).toEqual([
        { sid: 'FullAccess', effect: 'Allow', principals: [{ type: '*', identifiers: ['*'] }], actions: ['*'], resources: ['*'] },
      ]);
    }
  });

  it('names the field when the policy setting is unknown', () => {
    const bad = input();
    (bad.sessionManager!.bastion!.vpcEndpoints as Record<string, unknown>).policy = 'vpcOnly';
    expect(() => parseConfig(bad, 'bad')).toThrow(/sessionManager\.bastion\.vpcEndpoints\.policy/);
  });
});

// The S3 gateway endpoint policy evaluated by the IAM simulator together with the
// identity and bucket policies. A principal with a broad S3 grant and a bucket that
// welcomes it isolate the endpoint's share of the decision.
describe('session manager bastion: S3 endpoint policy, simulated', () => {
  const stack = synthStack(parseConfig(input(), 'config/example-bastion.json'));
  const sim = iamSim(stack);
  const endpoint = sim.policy(endpointPolicy(stack, 's3'));
  const transcripts = sim.arn('aws_s3_bucket', `ssmb-${ACCOUNT}-${REGION}-sessions`);
  const role = `ssmb-managed-instance-${REGION}`;
  const broad: IamPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
  const welcoming = (principal: string, bucket: string): IamPolicy => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal === '*' ? '*' : { AWS: principal }, Action: 's3:*', Resource: `${bucket}/*` }],
  });
  const simulate = async (q: {
    principal: string;
    action: string;
    resource: string;
    resourceAccount: string;
    identity: Array<{ name: string; policy: IamPolicy }>;
    resourcePolicy?: IamPolicy;
    withEndpoint?: boolean;
  }) => {
    const anonymous = q.principal === 'anonymous';
    const result = await runSimulation(
      {
        request: {
          principal: anonymous ? { type: 'Anonymous' } : q.principal,
          action: q.action,
          resource: { resource: q.resource, accountId: q.resourceAccount },
          contextVariables: {
            'aws:SecureTransport': 'true',
            'aws:ResourceAccount': q.resourceAccount,
            ...(anonymous ? {} : { 'aws:PrincipalAccount': q.principal.split(':')[4] }),
          },
        },
        identityPolicies: anonymous ? [] : q.identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(q.resourcePolicy ? { resourcePolicy: q.resourcePolicy } : {}),
        ...(q.withEndpoint === false ? {} : { vpcEndpointPolicies: [{ name: 'session-endpoints-s3', policy: endpoint }] }),
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };

  it("lets the agent upload a transcript to the session bucket with the instance role's own grants", async () => {
    const rp = sim.rolePolicies(role);
    const roleSession = `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/i-0123456789abcdef0`;
    expect(
      await simulate({
        principal: roleSession,
        action: 's3:PutObject',
        resource: `${transcripts}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`,
        resourceAccount: ACCOUNT,
        identity: rp.policies,
        resourcePolicy: sim.resourcePolicyFor(transcripts),
      }),
    ).toBe('Allowed');
  });

  it("stops writes to another account's bucket even for a role allowed s3:* and welcomed by the bucket", async () => {
    const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/web-tier-instances/i-0fedcba9876543210`;
    const foreign = `arn:aws:s3:::exfil-drop-${FOREIGN}`;
    const request = {
      principal,
      action: 's3:PutObject',
      resource: `${foreign}/dump.tar.gz`,
      resourceAccount: FOREIGN,
      identity: [{ name: 'broad', policy: broad }],
      resourcePolicy: welcoming('*', foreign),
    };
    // Without the endpoint policy the request would pass: the endpoint is what stops it.
    expect(await simulate({ ...request, withEndpoint: false })).toBe('Allowed');
    expect(await simulate(request)).not.toBe('Allowed');
  });

  it("stops another account's credentials, even towards this account's bucket", async () => {
    const principal = `arn:aws:sts::${FOREIGN}:assumed-role/attacker/laptop`;
    const ownBucket = `arn:aws:s3:::app-data-${ACCOUNT}`;
    const request = {
      principal,
      action: 's3:PutObject',
      resource: `${ownBucket}/x`,
      resourceAccount: ACCOUNT,
      identity: [{ name: 'broad', policy: broad }],
      resourcePolicy: welcoming(`arn:aws:iam::${FOREIGN}:root`, ownBucket),
    };
    expect(await simulate({ ...request, withEndpoint: false })).toBe('Allowed');
    expect(await simulate(request)).not.toBe('Allowed');
  });

  it('lets dnf read the Amazon Linux 2023 repository unsigned, and nobody write there', async () => {
    const repo = `arn:aws:s3:::al2023-repos-${REGION}-de612dc2`;
    const publicRead: IamPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${repo}/*` }],
    };
    const awsAccount = '137112412989';
    expect(
      await simulate({
        principal: 'anonymous',
        action: 's3:GetObject',
        resource: `${repo}/core/mirrors/2023.6.20250115/x86_64/mirror.list`,
        resourceAccount: awsAccount,
        identity: [],
        resourcePolicy: publicRead,
      }),
    ).toBe('Allowed');
    expect(
      await simulate({
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/i-0123456789abcdef0`,
        action: 's3:PutObject',
        resource: `${repo}/core/x`,
        resourceAccount: awsAccount,
        identity: [{ name: 'broad', policy: broad }],
        resourcePolicy: welcoming('*', repo),
      }),
    ).not.toBe('Allowed');
  });

  it('does not let anonymous reads reach any other public bucket', async () => {
    const other = `arn:aws:s3:::public-tools-${FOREIGN}`;
    expect(
      await simulate({
        principal: 'anonymous',
        action: 's3:GetObject',
        resource: `${other}/payload.sh`,
        resourceAccount: FOREIGN,
        identity: [],
        resourcePolicy: welcoming('*', other),
      }),
    ).not.toBe('Allowed');
  });
});
