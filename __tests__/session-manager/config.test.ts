import { ConfigError } from '../../stacks/platform/config/load';
import { adoptsDocument, bastionHere } from '../../stacks/capabilities/session-manager/config';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { testConfig } from '../helpers/synth';

const BASTION = {
  enabled: true,
  accountId: '111111111111',
  region: 'ap-northeast-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetId: 'subnet-0123456789abcdef0',
};

/** The `path: reason` lines of the ConfigError a sessionManager section raises (two-region test account). */
function problems(section: Record<string, unknown>, extra: Partial<BaselineConfigInput> = {}): string[] {
  try {
    testConfig({
      accounts: [{ id: '111111111111', name: 'prod', regions: ['ap-northeast-1', 'us-east-1'] }],
      sessionManager: section as BaselineConfigInput['sessionManager'],
      ...extra,
    });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('sessionManager config: defaults', () => {
  const sm = testConfig({ sessionManager: {} }).sessionManager; // the schema's defaults, not the example's settings

  it('records everything, encrypted, with a 20-minute idle timeout and no Run As', () => {
    expect(sm).toMatchObject({
      enabled: true,
      adoptExistingDocument: false,
      s3KeyPrefix: 'sessionmanager/',
      logBucket: { retentionDays: 400 },
      cloudWatch: { enabled: true, streaming: true, retentionDays: 400 },
      idleSessionTimeout: 20,
      runAs: { enabled: false },
      shellProfile: { linux: '', windows: '' },
      operators: { instanceIds: [] },
      guard: { enabled: false, adminRoleArns: [] },
      loginAlerts: { enabled: true, failedAttempts: true },
      bastion: { enabled: false, instanceType: 't3.micro', associatePublicIp: false, vpcEndpoints: { enabled: false } },
    });
    expect(sm.maxSessionDuration).toBeUndefined();
    expect(sm.logBucket.glacierTransitionDays).toBeUndefined();
    expect(sm.operators.tag).toBeUndefined();
  });

  it('adopts the document where asked only', () => {
    expect(adoptsDocument(sm, 'prod-ap-northeast-1')).toBe(false);
    expect(adoptsDocument({ ...sm, adoptExistingDocument: true }, 'prod-ap-northeast-1')).toBe(true);
    expect(adoptsDocument({ ...sm, adoptExistingDocument: ['prod-us-east-1'] }, 'prod-ap-northeast-1')).toBe(false);
    expect(adoptsDocument({ ...sm, adoptExistingDocument: ['prod-us-east-1'] }, 'prod-us-east-1')).toBe(true);
  });

  it('places the bastion in its one account-region', () => {
    const b = testConfig({ sessionManager: { bastion: BASTION } }).sessionManager;
    expect(bastionHere(b, '111111111111', 'ap-northeast-1')).toBe(true);
    expect(bastionHere(b, '111111111111', 'us-east-1')).toBe(false);
    expect(bastionHere(b, '222222222222', 'ap-northeast-1')).toBe(false);
    expect(bastionHere(sm, '111111111111', 'ap-northeast-1')).toBe(false);
  });
});

describe('sessionManager config: refusals name the field and the reason', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['idle timeout below 1', { idleSessionTimeout: 0 }, /^sessionManager\.idleSessionTimeout: must be between 1 and 60 minutes, got 0$/],
    ['idle timeout above 60', { idleSessionTimeout: 61 }, /^sessionManager\.idleSessionTimeout: must be between 1 and 60 minutes, got 61$/],
    [
      'fractional idle timeout',
      { idleSessionTimeout: 2.5 },
      /^sessionManager\.idleSessionTimeout: must be a whole number of minutes, got 2\.5$/,
    ],
    [
      'max duration above a day',
      { maxSessionDuration: 1441 },
      /^sessionManager\.maxSessionDuration: must be between 1 and 1440 minutes, got 1441$/,
    ],
    ['Run As as root', { runAs: { enabled: true, defaultUser: 'root' } }, /^sessionManager\.runAs\.defaultUser: must not be root/],
    ['Run As without a user', { runAs: { enabled: true } }, /^sessionManager\.runAs\.defaultUser: is required when runAs is enabled$/],
    [
      'Run As with an invalid user',
      { runAs: { enabled: true, defaultUser: 'Ops User' } },
      /^sessionManager\.runAs\.defaultUser: must be a Linux user name/,
    ],
    [
      'prefix with a leading slash',
      { s3KeyPrefix: '/sessions' },
      /^sessionManager\.s3KeyPrefix: must be an S3 key prefix .* got "\/sessions"$/,
    ],
    [
      'prefix climbing out',
      { s3KeyPrefix: 'sessions/../other' },
      /^sessionManager\.s3KeyPrefix: must not contain "\." or "\.\." path segments/,
    ],
    [
      'transition after expiry',
      { logBucket: { retentionDays: 90, glacierTransitionDays: 90 } },
      /^sessionManager\.logBucket\.glacierTransitionDays: must be less than retentionDays \(90\), got 90$/,
    ],
    [
      'log retention CloudWatch refuses',
      { cloudWatch: { retentionDays: 100 } },
      /^sessionManager\.cloudWatch\.retentionDays: must be one of 1, 3, 5/,
    ],
    [
      'shell profile too long',
      { shellProfile: { linux: 'x'.repeat(8193) } },
      /^sessionManager\.shellProfile\.linux: must be at most 8192 characters, got 8193$/,
    ],
    [
      'operator instance id',
      { operators: { instanceIds: ['i-123'] } },
      /^sessionManager\.operators\.instanceIds\[0\]: must be an EC2 instance id/,
    ],
    [
      'operator tag without values',
      { operators: { tag: { key: 'SessionAccess', values: [] } } },
      /^sessionManager\.operators\.tag\.values: must list at least one value$/,
    ],
    ['guard without admins', { guard: { enabled: true } }, /^sessionManager\.guard\.adminRoleArns: must list at least one role/],
    [
      'guard admin that is not a role',
      { guard: { enabled: true, adminRoleArns: ['arn:aws:iam::111111111111:user/admin'] } },
      /^sessionManager\.guard\.adminRoleArns\[0\]: must be an IAM role ARN/,
    ],
    [
      'adoption of an unknown stack',
      { adoptExistingDocument: ['prod-eu-west-1'] },
      /^sessionManager\.adoptExistingDocument\[0\]: names no stack: got "prod-eu-west-1", stacks are prod-ap-northeast-1, prod-us-east-1$/,
    ],
    [
      'adoption as a string',
      { adoptExistingDocument: 'yes' },
      /^sessionManager\.adoptExistingDocument: must be true, false, or a list of stack names/,
    ],
    [
      'bastion in an unknown account',
      { bastion: { ...BASTION, accountId: '999999999999' } },
      /^sessionManager\.bastion\.accountId: must be one of accounts\[\]\.id \(111111111111\), got "999999999999"$/,
    ],
    [
      'bastion in a region the account lacks',
      { bastion: { ...BASTION, region: 'eu-west-1' } },
      /^sessionManager\.bastion\.region: must be one of account prod's regions \(ap-northeast-1, us-east-1\), got "eu-west-1"$/,
    ],
    [
      'bastion subnet id',
      { bastion: { ...BASTION, subnetId: 'subnet-xyz' } },
      /^sessionManager\.bastion\.subnetId: must be an id like subnet-0123456789abcdef0, got "subnet-xyz"$/,
    ],
    [
      'bastion instance type',
      { bastion: { ...BASTION, instanceType: 'micro' } },
      /^sessionManager\.bastion\.instanceType: must be an EC2 instance type/,
    ],
    [
      'bastion root volume',
      { bastion: { ...BASTION, rootVolumeSizeGiB: 4 } },
      /^sessionManager\.bastion\.rootVolumeSizeGiB: must be at least 8 GiB/,
    ],
    [
      'endpoints without the bastion',
      { bastion: { vpcEndpoints: { enabled: true } } },
      /^sessionManager\.bastion\.vpcEndpoints\.enabled: needs bastion\.enabled/,
    ],
    [
      'endpoints without route tables',
      { bastion: { ...BASTION, vpcEndpoints: { enabled: true, subnetIds: ['subnet-0123456789abcdef0'] } } },
      /^sessionManager\.bastion\.vpcEndpoints\.routeTableIds: must list at least one route table when the endpoints are enabled/,
    ],
    [
      'endpoint client CIDR',
      { bastion: { ...BASTION, vpcEndpoints: { clientCidrs: ['10.0.0.0/33'] } } },
      /^sessionManager\.bastion\.vpcEndpoints\.clientCidrs\[0\]: must be an IPv4 CIDR block/,
    ],
    ['unknown field', { idleTimeout: 10 }, /^sessionManager\.idleTimeout: unknown field/],
  ])('%s', (_, section, message) => {
    expect(problems(section)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('lists every missing bastion field at once', () => {
    expect(problems({ bastion: { enabled: true } })).toEqual([
      'sessionManager.bastion.accountId: is required when the bastion is enabled',
      'sessionManager.bastion.region: is required when the bastion is enabled',
      'sessionManager.bastion.vpcId: is required when the bastion is enabled',
      'sessionManager.bastion.subnetId: is required when the bastion is enabled',
    ]);
  });

  it('accepts a complete configuration', () => {
    expect(
      problems({
        adoptExistingDocument: ['prod-us-east-1'],
        s3KeyPrefix: 'audit/sessions',
        logBucket: { retentionDays: 2555, glacierTransitionDays: 90 },
        cloudWatch: { streaming: false, retentionDays: 731 },
        idleSessionTimeout: 60,
        maxSessionDuration: 1440,
        runAs: { enabled: true, defaultUser: 'ops' },
        shellProfile: { linux: 'cd ${HOME}; exec bash', windows: 'Set-Location $env:USERPROFILE' },
        operators: {
          instanceIds: ['i-0123456789abcdef0', 'i-01234567', 'mi-0123456789abcdef0'],
          tag: { key: 'SessionAccess', values: ['ops'] },
        },
        guard: { enabled: true, adminRoleArns: ['arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*'] },
        loginAlerts: { failedAttempts: false },
        bastion: {
          ...BASTION,
          instanceType: 'm7i-flex.large',
          rootVolumeSizeGiB: 16,
          vpcEndpoints: {
            enabled: true,
            subnetIds: [BASTION.subnetId],
            routeTableIds: ['rtb-0123456789abcdef0'],
            clientCidrs: ['10.0.0.0/16'],
          },
        },
      }),
    ).toEqual([]);
  });
});
