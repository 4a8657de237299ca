import { z } from 'zod';
import { accountId, logRetentionDays, shown, tagKey, tagValue } from '../../platform/config/common';

/**
 * Limits Session Manager itself enforces on the preferences document (console and
 * UpdateDocument reject anything else): idle timeout 1-60 minutes, maximum session
 * duration 1-1440 minutes.
 */
export const IDLE_TIMEOUT_RANGE = { min: 1, max: 60 } as const;
export const MAX_SESSION_DURATION_RANGE = { min: 1, max: 1440 } as const;

/** IAM's size limit of a customer-managed policy (characters, whitespace not counted). */
export const MANAGED_POLICY_MAX_LENGTH = 6144;

/** Upper bound of one shell profile: the whole document must stay well under SSM's 64 KB. */
export const MAX_SHELL_PROFILE_LENGTH = 8192;

const quoted = shown;

const intInRange = (min: number, max: number, what: string) =>
  z
    .number({ error: (iss) => `must be a whole number of ${what}, got ${quoted(iss.input)}` })
    .int({ error: (iss) => `must be a whole number of ${what}, got ${quoted(iss.input)}` })
    .min(min, { error: (iss) => `must be between ${min} and ${max} ${what}, got ${quoted(iss.input)}` })
    .max(max, { error: (iss) => `must be between ${min} and ${max} ${what}, got ${quoted(iss.input)}` });

/** An S3 key prefix of safe characters, without a leading "/"; a trailing "/" is optional. */
const s3KeyPrefix = z
  .string()
  .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/, {
    error: (iss) =>
      `must be an S3 key prefix of letters, digits and !_.*'()- separated by "/", without a leading "/" (e.g. "sessionmanager/"), got ${quoted(iss.input)}`,
  })
  .refine((p) => !p.split('/').some((seg) => seg === '.' || seg === '..'), {
    error: (iss) => `must not contain "." or ".." path segments, got ${quoted(iss.input)}`,
  });

/** EC2 instance ids (i-) or hybrid managed-node ids (mi-). */
const managedNodeId = z.string().regex(/^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/, {
  error: (iss) => `must be an EC2 instance id (i-0123456789abcdef0) or a managed node id (mi-0123456789abcdef0), got ${quoted(iss.input)}`,
});

const awsId = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`), {
    error: (iss) => `must be an id like ${example}, got ${quoted(iss.input)}`,
  });
const vpcId = awsId('vpc', 'vpc-0123456789abcdef0');
const subnetId = awsId('subnet', 'subnet-0123456789abcdef0');
const routeTableId = awsId('rtb', 'rtb-0123456789abcdef0');

const ipv4Cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, {
    error: (iss) => `must be an IPv4 CIDR block like 10.0.0.0/16, got ${quoted(iss.input)}`,
  })
  .refine(
    (c) => {
      const [ip, len] = c.split('/');
      return ip.split('.').every((o) => Number(o) <= 255) && Number(len) <= 32;
    },
    { error: (iss) => `must be an IPv4 CIDR block (octets 0-255, prefix 0-32), got ${quoted(iss.input)}` },
  );

/**
 * Bastion: EC2 instance families and the processor architecture of their Amazon Linux image,
 * from the Amazon EC2 Instance Types guide ("Specifications": the Architecture column;
 * the family is everything before the "." of the type name). The config schema refuses a family that is not listed instead of guessing its architecture, and
 * the bastion picks its image from it. Add a family here when AWS launches one.
 */
export type Architecture = 'x86_64' | 'arm64';

/** Graviton (AWS Arm) families, the first-generation A1, and Grace-based P6e. */
const ARM64 = [
  'a1',
  't4g',
  'm6g',
  'm6gd',
  'm7g',
  'm7gd',
  'm8g',
  'm8gb',
  'm8gd',
  'm8gn',
  'c6g',
  'c6gd',
  'c6gn',
  'c7g',
  'c7gd',
  'c7gn',
  'c8g',
  'c8gd',
  'c8gn',
  'r6g',
  'r6gd',
  'r7g',
  'r7gd',
  'r8g',
  'r8gd',
  'x2gd',
  'x8g',
  'i4g',
  'i8g',
  'i8ge',
  'im4gn',
  'is4gen',
  'g5g',
  'hpc7g',
  'p6e-gb200',
] as const;

/** Intel and AMD families. */
const X86_64 = [
  // general purpose
  't2',
  't3',
  't3a',
  'm4',
  'm5',
  'm5a',
  'm5ad',
  'm5d',
  'm5dn',
  'm5n',
  'm5zn',
  'm6a',
  'm6i',
  'm6id',
  'm6idn',
  'm6in',
  'm7a',
  'm7i',
  'm7i-flex',
  'm8a',
  'm8azn',
  'm8i',
  'm8i-flex',
  'm8id',
  // compute optimized
  'c4',
  'c5',
  'c5a',
  'c5ad',
  'c5d',
  'c5n',
  'c6a',
  'c6i',
  'c6id',
  'c6in',
  'c7a',
  'c7i',
  'c7i-flex',
  'c8a',
  'c8i',
  'c8i-flex',
  'c8id',
  // memory optimized
  'r4',
  'r5',
  'r5a',
  'r5ad',
  'r5b',
  'r5d',
  'r5dn',
  'r5n',
  'r6a',
  'r6i',
  'r6id',
  'r6idn',
  'r6in',
  'r7a',
  'r7i',
  'r7iz',
  'r8a',
  'r8i',
  'r8i-flex',
  'r8id',
  'x1',
  'x1e',
  'x2idn',
  'x2iedn',
  'x2iezn',
  'x8i',
  'z1d',
  'u-3tb1',
  'u-6tb1',
  'u-9tb1',
  'u-12tb1',
  'u-18tb1',
  'u-24tb1',
  'u7i-6tb',
  'u7i-8tb',
  'u7i-12tb',
  'u7in-16tb',
  'u7in-24tb',
  'u7in-32tb',
  'u7inh-32tb',
  // storage optimized
  'd2',
  'd3',
  'd3en',
  'h1',
  'i3',
  'i3en',
  'i4i',
  'i7i',
  'i7ie',
  // accelerated computing
  'dl1',
  'dl2q',
  'f1',
  'f2',
  'g3',
  'g4ad',
  'g4dn',
  'g5',
  'g6',
  'g6e',
  'g6f',
  'gr6',
  'gr6f',
  'inf1',
  'inf2',
  'p3',
  'p3dn',
  'p4d',
  'p4de',
  'p5',
  'p5e',
  'p5en',
  'p6-b200',
  'trn1',
  'trn1n',
  'trn2',
  'vt1',
  // high-performance computing
  'hpc6a',
  'hpc6id',
  'hpc7a',
  'hpc8a',
] as const;

/** EC2 Mac families run macOS only (x86_64_mac, arm64_mac): no Amazon Linux image exists for them. */
export const MAC_FAMILIES: readonly string[] = ['mac1', 'mac2', 'mac2-m1ultra', 'mac2-m2', 'mac2-m2pro', 'mac-m4', 'mac-m4pro'];

/** Family -> architecture of its Amazon Linux 2023 image. */
export const INSTANCE_FAMILY_ARCHITECTURE: Readonly<Record<string, Architecture>> = Object.freeze({
  ...Object.fromEntries(X86_64.map((f) => [f, 'x86_64' as const])),
  ...Object.fromEntries(ARM64.map((f) => [f, 'arm64' as const])),
});

/** The family of an instance type: everything before the first ".". */
export function instanceFamily(instanceType: string): string {
  return instanceType.split('.')[0];
}

/** The architecture of an instance type's family, or undefined when the family is not listed. */
export function architectureOf(instanceType: string): Architecture | undefined {
  const family = instanceFamily(instanceType);
  return Object.hasOwn(INSTANCE_FAMILY_ARCHITECTURE, family) ? INSTANCE_FAMILY_ARCHITECTURE[family] : undefined;
}

/**
 * EC2 instance type names: family (with generation digit and options), a dot, a size
 * (`metal-48xl` has a hyphen). The family must be in the table, so the image's
 * architecture is known rather than guessed.
 */
const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+(-[a-z0-9]+)*$/, {
    error: (iss) => `must be an EC2 instance type like t3.micro or t4g.small, got ${quoted(iss.input)}`,
    abort: true,
  })
  .superRefine((type, ctx) => {
    const family = instanceFamily(type);
    if (MAC_FAMILIES.includes(family)) {
      ctx.addIssue({ code: 'custom', message: `${quoted(type)} runs macOS only; the bastion runs Amazon Linux 2023` });
    } else if (architectureOf(type) === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          `family ${quoted(family)} is not one the bastion knows the architecture of (x86_64 or arm64 image), got ${quoted(type)}: ` +
          'use a listed family (t3, t4g, m7i, m7g...) or add it to INSTANCE_FAMILY_ARCHITECTURE in stacks/capabilities/session-manager/config.ts',
      });
    }
  });

/** Linux user names as useradd accepts them by default; root is refused below. */
const linuxUser = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, {
  error: (iss) => `must be a Linux user name (lower-case letters, digits, _ . -; at most 32 characters), got ${quoted(iss.input)}`,
});

/** Role ARNs for the guard's exemption; `*` is allowed (ArnLike), e.g. for IAM Identity Center role suffixes. */
const roleArnPattern = z.string().regex(/^arn:aws:iam::(\d{12}|\*):role\/[\w+=,.@/*-]{1,512}$/, {
  error: (iss) =>
    `must be an IAM role ARN (wildcards allowed) like arn:aws:iam::123456789012:role/Admin or arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_*, got ${quoted(iss.input)}`,
});

const shellProfile = z
  .string()
  .max(MAX_SHELL_PROFILE_LENGTH, {
    error: (iss) => `must be at most ${MAX_SHELL_PROFILE_LENGTH} characters, got ${String((iss.input as string).length)}`,
  })
  .refine((s) => !s.includes('\0'), { error: 'must not contain NUL characters' });

export const sessionOperatorsConfig = z
  .strictObject({
    instanceIds: z
      .array(managedNodeId)
      .max(100, { error: 'at most 100 instance ids (use a tag for larger fleets)' })
      .default([])
      .describe(
        'Managed nodes operators may open sessions on, in every account-region of the baseline (an id that does not exist there grants nothing). ' +
          'The bastion, when enabled, is added automatically. @default []',
      ),
    tag: z
      .strictObject({
        key: tagKey.describe('Tag key (ssm:resourceTag/<key>)'),
        values: z
          .array(tagValue.min(1, { error: 'must not be empty' }))
          .min(1, { error: 'must list at least one value' })
          .max(20)
          .describe('Tag values, matched exactly'),
      })
      .optional()
      .describe(
        'Also allow managed nodes carrying this tag with one of these values. Whoever may tag instances can then grant access: ' +
          'protect the tag (e.g. with an SCP on ec2:CreateTags). @default - no tag-based targets',
      ),
  })
  .describe('Which managed nodes the operator policy lets its holders start sessions on');

export const sessionGuardConfig = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Create the guard policy. @default false'),
    adminRoleArns: z
      .array(roleArnPattern)
      .max(20)
      .default([])
      .describe(
        "Roles still allowed to change or delete the preferences document (the account's deployRoleArn is always exempt, so Terraform can apply). @default []",
      ),
  })
  .describe(
    'A managed policy that denies changing or deleting SSM-SessionManagerRunShell to everyone but the admin roles; ' +
      'attach it to every non-admin principal (or copy its statement into an SCP)',
  );

export const bastionEndpointsConfig = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Create the VPC endpoints. @default false'),
    subnetIds: z
      .array(subnetId)
      .max(16)
      .default([])
      .describe("Subnets of the interface endpoints (one per Availability Zone; include the bastion's zone). Required when enabled"),
    routeTableIds: z
      .array(routeTableId)
      .max(16)
      .default([])
      .describe("Route tables of the S3 gateway endpoint (include the bastion subnet's). Required when enabled: transcripts go to S3"),
    clientCidrs: z
      .array(ipv4Cidr)
      .max(20)
      .default([])
      .describe(
        'Other networks (e.g. private subnets of managed instances) allowed to reach the interface endpoints on 443. @default [] - only the bastion',
      ),
    policy: z
      .enum(['accountOnly', 'fullAccess'])
      .default('accountOnly')
      .describe(
        "Endpoint policies. accountOnly: only this account's principals, and on S3 only this account's buckets plus the AWS-owned buckets the SSM Agent and Amazon Linux 2023 read; fullAccess: AWS's default policy, for a VPC whose other workloads use other accounts' principals or buckets through these endpoints. @default accountOnly",
      ),
  })
  .describe('Interface endpoints (ssm, ssmmessages, ec2messages, logs, kms) and an S3 gateway endpoint, for a VPC without internet egress');

export const bastionConfig = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Create the bastion. @default false'),
    accountId: accountId.optional().describe('Account (one of accounts[].id) the bastion lives in. Required when enabled'),
    region: z.string().optional().describe("Region (one of that account's regions) the bastion lives in. Required when enabled"),
    vpcId: vpcId.optional().describe('VPC of the bastion subnet (for its security group). Required when enabled'),
    subnetId: subnetId.optional().describe('Subnet the bastion runs in. Required when enabled'),
    instanceType: instanceType
      .default('t3.micro')
      .describe(
        'Instance type of a family in the family table; arm64 families (a1, t4g, m7g...) get the arm64 Amazon Linux 2023 image, the others x86_64. @default t3.micro',
      ),
    associatePublicIp: z
      .boolean()
      .default(false)
      .describe(
        'Give the bastion a public IPv4 address (only for a public subnet without NAT or endpoints; nothing listens on it). @default false',
      ),
    rootVolumeSizeGiB: z
      .number()
      .int()
      .min(8, { error: (iss) => `must be at least 8 GiB (the Amazon Linux 2023 image size), got ${quoted(iss.input)}` })
      .max(1024, { error: (iss) => `must be at most 1024 GiB for a bastion, got ${quoted(iss.input)}` })
      .optional()
      .describe("Root volume size (encrypted gp3). @default - the image's size (8 GiB)"),
    vpcEndpoints: bastionEndpointsConfig.prefault({}),
  })
  .superRefine((b, ctx) => {
    if (!b.enabled) {
      if (b.vpcEndpoints.enabled) {
        ctx.addIssue({
          code: 'custom',
          path: ['vpcEndpoints', 'enabled'],
          message: "needs bastion.enabled (the endpoints are created in the bastion's VPC)",
        });
      }
      return;
    }
    for (const field of ['accountId', 'region', 'vpcId', 'subnetId'] as const) {
      if (b[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required when the bastion is enabled' });
    }
    if (b.vpcEndpoints.enabled) {
      if (b.vpcEndpoints.subnetIds.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['vpcEndpoints', 'subnetIds'],
          message: 'must list at least one subnet when the endpoints are enabled',
        });
      }
      if (b.vpcEndpoints.routeTableIds.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['vpcEndpoints', 'routeTableIds'],
          message:
            'must list at least one route table when the endpoints are enabled (without the S3 gateway endpoint transcripts cannot be uploaded)',
        });
      }
    }
  })
  .describe('An optional bastion reached only through Session Manager: no inbound rules, IMDSv2 only, encrypted root volume, no key pair');

/** Audited Session Manager access. */
export const sessionManagerConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
    adoptExistingDocument: z
      .union([z.boolean(), z.array(z.string()).min(1)], {
        error: (iss) => `must be true, false, or a list of stack names like "prod-ap-northeast-1", got ${quoted(iss.input)}`,
      })
      .default(false)
      .describe(
        'Import an SSM-SessionManagerRunShell document that already exists (the console creates it when someone first saves preferences) ' +
          'instead of failing on create: true for every stack, or the stack names (<account name>-<region>) where it exists. ' +
          'Harmless once imported. @default false',
      ),
    s3KeyPrefix: s3KeyPrefix
      .default('sessionmanager/')
      .describe('Key prefix of the transcripts in the log bucket. @default sessionmanager/'),
    logBucket: z
      .strictObject({
        retentionDays: intInRange(1, 3650, 'days').default(400).describe('Days transcripts are kept. @default 400'),
        glacierTransitionDays: intInRange(0, 3649, 'days')
          .optional()
          .describe(
            'Move transcripts to S3 Glacier Flexible Retrieval after this many days (Glacier bills at least 90 days). @default - no transition',
          ),
        objectLock: z
          .strictObject({
            enabled: z
              .boolean()
              .default(true)
              .describe(
                'S3 Object Lock (governance mode) on the transcript bucket, so no transcript version can be deleted or rewritten before its lock ends. ' +
                  'Set when the bucket is created: changing it replaces the bucket, which the plan refuses (the bucket is protected). @default true',
              ),
            retentionDays: intInRange(1, 3650, 'days')
              .optional()
              .describe('Days each transcript version stays locked, at most retentionDays. @default - retentionDays'),
          })
          .prefault({})
          .describe('Write-once transcripts'),
      })
      .prefault({})
      .superRefine((b, ctx) => {
        if (b.glacierTransitionDays !== undefined && b.glacierTransitionDays >= b.retentionDays) {
          ctx.addIssue({
            code: 'custom',
            path: ['glacierTransitionDays'],
            message: `must be less than retentionDays (${b.retentionDays}), got ${b.glacierTransitionDays}`,
          });
        }
        const lock = b.objectLock.retentionDays;
        if (lock !== undefined && lock > b.retentionDays) {
          ctx.addIssue({
            code: 'custom',
            path: ['objectLock', 'retentionDays'],
            message: `must be at most retentionDays (${b.retentionDays}), got ${lock}`,
          });
        }
      })
      .describe('The transcript bucket (SSE-KMS with the session key, versioned, Object Lock, TLS only)'),
    cloudWatch: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Also log sessions to an encrypted CloudWatch Logs group. @default true'),
        streaming: z
          .boolean()
          .default(true)
          .describe(
            'Stream while the session runs (S3 transcripts are uploaded only at the end, and are lost if the instance stops first). @default true',
          ),
        retentionDays: logRetentionDays.default(400).describe('Retention of the session log group. @default 400'),
      })
      .prefault({})
      .describe('CloudWatch Logs for session output'),
    encryptSessionData: z
      .boolean()
      .default(false)
      .describe(
        'Encrypt session data with the session key (kmsKeyId) on top of TLS. Account-region wide: every managed node then needs kms:Decrypt ' +
          '(the managed instance policy has it) and every user who opens sessions kms:GenerateDataKey on the key (the operator policy has it); ' +
          'anyone else loses Session Manager. Transcripts and session logs are KMS-encrypted either way. @default false',
      ),
    idleSessionTimeout: intInRange(IDLE_TIMEOUT_RANGE.min, IDLE_TIMEOUT_RANGE.max, 'minutes')
      .default(20)
      .describe('Minutes of inactivity before a session ends (1-60). @default 20'),
    maxSessionDuration: intInRange(MAX_SESSION_DURATION_RANGE.min, MAX_SESSION_DURATION_RANGE.max, 'minutes')
      .optional()
      .describe('Minutes after which any session ends (1-1440). @default - no limit'),
    runAs: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Run Linux sessions as an OS user instead of ssm-user. @default false'),
        defaultUser: linuxUser
          .refine((u) => u !== 'root', { error: 'must not be root: pick an unprivileged account that exists on the instances' })
          .optional()
          .describe('OS user for principals without an SSMSessionRunAs tag. Required when enabled'),
      })
      .prefault({})
      .refine((r) => !r.enabled || r.defaultUser !== undefined, { path: ['defaultUser'], error: 'is required when runAs is enabled' })
      .describe('Run As support for Linux sessions'),
    shellProfile: z
      .strictObject({
        linux: shellProfile.default('').describe('Commands run at the start of every Linux session. @default ""'),
        windows: shellProfile.default('').describe('Commands run at the start of every Windows session. @default ""'),
      })
      .prefault({})
      .describe('Shell profiles'),
    operators: sessionOperatorsConfig.prefault({}),
    guard: sessionGuardConfig.prefault({}).refine((g) => !g.enabled || g.adminRoleArns.length > 0, {
      path: ['adminRoleArns'],
      error: 'must list at least one role when the guard is enabled (otherwise only Terraform could ever change the preferences)',
    }),
    loginAlerts: z
      .strictObject({
        enabled: z.boolean().default(true).describe('E-mail every StartSession / ResumeSession. @default true'),
        failedAttempts: z
          .boolean()
          .default(true)
          .describe('Also e-mail failed attempts (CloudTrail records with errorCode), flagged as such. @default true'),
      })
      .prefault({})
      .describe('Login alerts from CloudTrail (needs a trail logging management events: see cloudTrail)'),
    bastion: bastionConfig.prefault({}),
  })
  .superRefine((sm, ctx) => {
    const estimate = estimateOperatorPolicyLength(sm);
    if (sm.enabled && estimate > MANAGED_POLICY_MAX_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['operators'],
        message:
          `would make the operator policy about ${estimate} characters, over IAM's ${MANAGED_POLICY_MAX_LENGTH}-character limit: ` +
          `list fewer instanceIds (tag larger fleets and use operators.tag) or fewer tag values`,
      });
    }
  })
  .describe('Audited Session Manager access');

export type SessionManagerConfig = z.infer<typeof sessionManagerConfig>;
export type BastionConfig = SessionManagerConfig['bastion'];

/**
 * An upper bound of the operator policy's length as IAM counts it, from measured
 * statement sizes (the longest region and node ARN forms): the fixed statements, the
 * StartSession statements once there is a target, then every node ARN and tag value.
 */
export function estimateOperatorPolicyLength(sm: Pick<SessionManagerConfig, 'operators' | 'bastion'>): number {
  const FIXED = 1120;
  const PER_NODE = 82;
  const ids = sm.operators.instanceIds.length + (sm.bastion.enabled ? 1 : 0);
  const tag = sm.operators.tag;
  let length = FIXED;
  if (ids > 0) length += 500 + PER_NODE * ids;
  if (tag) length += 600 + tag.key.length + tag.values.reduce((sum, v) => sum + v.length + 3, 0);
  return length;
}

/** What the cross-section checks need from the root config. */
export interface SessionManagerPlacement {
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly name: string; readonly regions: readonly string[] }>;
  readonly sessionManager: SessionManagerConfig;
}

/**
 * Checks that need the accounts list: the bastion's account-region and the stacks
 * named in adoptExistingDocument must exist. Called from the root schema.
 */
export function checkSessionManagerPlacement(
  cfg: SessionManagerPlacement,
  addIssue: (path: (string | number)[], message: string) => void,
): void {
  const sm = cfg.sessionManager;
  const stacks = cfg.accounts.flatMap((a) => a.regions.map((r) => `${a.name}-${r}`));
  if (Array.isArray(sm.adoptExistingDocument)) {
    sm.adoptExistingDocument.forEach((name, i) => {
      if (!stacks.includes(name)) {
        addIssue(['sessionManager', 'adoptExistingDocument', i], `names no stack: got ${quoted(name)}, stacks are ${stacks.join(', ')}`);
      }
    });
  }
  const b = sm.bastion;
  if (!b.enabled || b.accountId === undefined) return;
  const account = cfg.accounts.find((a) => a.id === b.accountId);
  if (!account) {
    addIssue(
      ['sessionManager', 'bastion', 'accountId'],
      `must be one of accounts[].id (${cfg.accounts.map((a) => a.id).join(', ')}), got ${quoted(b.accountId)}`,
    );
  } else if (b.region !== undefined && !account.regions.includes(b.region)) {
    addIssue(
      ['sessionManager', 'bastion', 'region'],
      `must be one of account ${account.name}'s regions (${account.regions.join(', ')}), got ${quoted(b.region)}`,
    );
  }
}

/** Does this stack adopt (import) an existing preferences document? */
export function adoptsDocument(sm: SessionManagerConfig, stackName: string): boolean {
  return sm.adoptExistingDocument === true || (Array.isArray(sm.adoptExistingDocument) && sm.adoptExistingDocument.includes(stackName));
}

/** Is the bastion placed in this account-region? */
export function bastionHere(sm: SessionManagerConfig, accountIdHere: string, region: string): boolean {
  return sm.bastion.enabled && sm.bastion.accountId === accountIdHere && sm.bastion.region === region;
}
