/**
 * What the hub handler tests share: the hub notifier's environment (its topic in the hub
 * account 333333333333, eu-west-1, named "security"; the spokes' read role name) and an
 * STS mock answering the read role's AssumeRole.
 */
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';

/** The environment every hub notifier has; a test adds its capability's variables. */
export const HUB_ENV = {
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:333333333333:ssmb-hub-notifications',
  ACCOUNT_NAME: 'security',
  HUB_READ_ROLE_NAME: 'ssmb-hub-read',
  AWS_REGION: 'eu-west-1',
} as const;

/** Temporary credentials as AssumeRole returns them; the key id tells which role a client holds. */
export function readRoleCredentials(accessKeyId: string) {
  return { AccessKeyId: accessKeyId, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2099-01-01T00:00:00Z') };
}

/** STS's refusal of an AssumeRole the caller may not make (`message` as STS words it). */
export function accessDenied(message = 'not authorized to perform: sts:AssumeRole'): Error {
  return Object.assign(new Error(message), { name: 'AccessDenied' });
}

export interface HubReadMock {
  /** The STS mock (pass it to notifierHarness, which resets it before each test). */
  readonly sts: AwsStub<any, any, any>;
  /** Every AssumeRole succeeds with credentials of this key id. */
  grants(accessKeyId: string): void;
  /** Every AssumeRole is refused (AccessDenied). */
  denies(): void;
  /** The AssumeRole requests made, in order. */
  requests(): Array<{ RoleArn?: string; RoleSessionName?: string }>;
}

/** Mocks STS for a hub handler test (call at module level, like mockClient). */
export function hubReadMock(): HubReadMock {
  const sts = mockClient(STSClient);
  return {
    sts,
    grants: (accessKeyId) => void sts.on(AssumeRoleCommand).resolves({ Credentials: readRoleCredentials(accessKeyId) }),
    denies: () => void sts.on(AssumeRoleCommand).rejects(accessDenied()),
    requests: () => sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input),
  };
}
