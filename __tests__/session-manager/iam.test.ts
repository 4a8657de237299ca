import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { PREFERENCES_DOCUMENT } from '../../stacks/capabilities/session-manager/preferences';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Context, Decision, IamSim, iamSim } from '../helpers/iam-sim';
import { ROOT, StackJson, findResource, synthStack } from '../helpers/synth';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const INSTANCE_ROLE = `ssmb-managed-instance-${REGION}`;
const NOTIFIER_ROLE = `ssmb-session-login-notifier-${REGION}`;
const TARGET = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
const OTHER_INSTANCE = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0fedcba9876543210`;
const HYBRID_TARGET = `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`;
const PREFERENCES = `arn:aws:ssm:${REGION}:${ACCOUNT}:document/${PREFERENCES_DOCUMENT}`;
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ssmb/session-manager/sessions`;
const SESSION = (id: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:session/${id}`;

const CHECKED = { 'ssm:SessionDocumentAccessCheck': 'true' };

/**
 * The example-bastion configuration (tag targets, guard, bastion with endpoints) plus
 * two listed nodes, synthesized, with test principals that hold the policies users
 * would attach: the operator policy, and the guard next to a broad document grant.
 */
function stackWithPrincipals(): StackJson {
  const input = JSON.parse(readFileSync(join(ROOT, 'config', 'example-bastion.json'), 'utf8'));
  input.sessionManager.operators.instanceIds = ['i-0123456789abcdef0', 'mi-0123456789abcdef0'];
  const s = JSON.parse(JSON.stringify(synthStack(parseConfig(input, 'example-bastion')))) as StackJson;
  const [operatorId] = findResource(s, 'aws_iam_policy', (p) => p.name === `ssmb-session-operator-${REGION}`);
  const [guardId] = findResource(s, 'aws_iam_policy', (p) => p.name === `ssmb-session-preferences-guard-${REGION}`);
  const documentWriter = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ssm:CreateDocument', 'ssm:DeleteDocument', 'ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion'],
        Resource: '*',
      },
    ],
  });
  const res = s.resource!;
  res.aws_iam_role = { ...res.aws_iam_role };
  res.aws_iam_role_policy_attachment = { ...res.aws_iam_role_policy_attachment };
  res.aws_iam_role_policy = { ...res.aws_iam_role_policy };
  const principal = (id: string, name: string, path: string, policies: string[], inline?: string) => {
    res.aws_iam_role[id] = { name, path, assume_role_policy: '{}' };
    policies.forEach((p, i) => {
      res.aws_iam_role_policy_attachment[`${id}-${i}`] = { role: `\${aws_iam_role.${id}.name}`, policy_arn: `\${aws_iam_policy.${p}.arn}` };
    });
    if (inline) res.aws_iam_role_policy[`${id}-inline`] = { name: 'documents', role: `\${aws_iam_role.${id}.id}`, policy: inline };
  };
  principal('test_operator', 'test-operator', '/', [operatorId]);
  principal('test_developer', 'test-developer', '/', [guardId], documentWriter);
  principal(
    'test_admin',
    'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
    '/aws-reserved/sso.amazonaws.com/ap-northeast-1/',
    [guardId],
    documentWriter,
  );
  principal('test_deployer', 'ssm-baseline-deploy', '/', [guardId], documentWriter);
  // Another team's instance role: broad S3 and Logs rights of its own, plus the
  // baseline's instance policy attached as the docs say.
  const [instancePolicyId] = findResource(s, 'aws_iam_policy', (p) => p.name === `ssmb-managed-instance-${REGION}`);
  const broad = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:*', 'logs:*'], Resource: '*' }],
  });
  principal('test_other_team', 'web-tier-instances', '/', [instancePolicyId], broad);
  return s;
}

describe('session manager: least privilege (IAM simulation)', () => {
  let s: StackJson;
  let sim: IamSim;
  let key: string;
  let bucket: string;
  let bastion: string;
  beforeAll(() => {
    s = stackWithPrincipals();
    sim = iamSim(s);
    key = sim.arn('aws_kms_key', findResource(s, 'aws_kms_key', (k) => /Session Manager/.test(k.description))[0]);
    bucket = sim.arn('aws_s3_bucket', `ssmb-${ACCOUNT}-${REGION}-sessions`);
    bastion = sim.arn('aws_instance', findResource(s, 'aws_instance')[0]);
  });

  it('operator: starts sessions on the targets through the preferences document only', async () => {
    const tagged = (value: string) => ({ ...CHECKED, 'ssm:resourceTag/SessionAccess': value });
    const miss = await sim.roleTable('test-operator', {
      allowed: [
        ['ssm:StartSession', TARGET, CHECKED],
        ['ssm:StartSession', HYBRID_TARGET, CHECKED],
        ['ssm:StartSession', bastion, CHECKED],
        ['ssm:StartSession', OTHER_INSTANCE, tagged('operators')],
        // SSM authorizes the document separately; the check key may be absent there.
        ['ssm:StartSession', PREFERENCES, {}],
        ['ssm:StartSession', PREFERENCES, CHECKED],
        ['ssm:GetConnectionStatus', TARGET],
        ['ssm:DescribeSessions', '*'],
        ['ec2:DescribeInstances', '*'],
        ['kms:GenerateDataKey', key],
      ],
      denied: [
        ['ssm:StartSession', OTHER_INSTANCE, CHECKED],
        ['ssm:StartSession', OTHER_INSTANCE, tagged('developers')],
        ['ssm:StartSession', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`, CHECKED],
        ['ssm:StartSession', `arn:aws:ec2:${REGION}:222222222222:instance/i-0123456789abcdef0`, CHECKED],
        // Another document. AWS-owned ones have no account in their ARN, which the
        // simulator cannot parse; the account-qualified form asks the same question.
        ['ssm:StartSession', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/AWS-StartInteractiveCommand`, CHECKED],
        ['ssm:StartSession', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/AWS-StartPortForwardingSession`, CHECKED],
        ['ssm:StartSession', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/MyUnloggedShell`, CHECKED],
        // Without the document check the target grant does not apply.
        ['ssm:StartSession', TARGET, { 'ssm:SessionDocumentAccessCheck': 'false' }],
        ['ssm:StartSession', OTHER_INSTANCE, { 'ssm:SessionDocumentAccessCheck': 'false', 'ssm:resourceTag/SessionAccess': 'operators' }],
        // Nothing that changes the preferences or reads the recordings.
        ['ssm:UpdateDocument', PREFERENCES],
        ['ssm:SendCommand', TARGET],
        ['kms:Decrypt', key],
        ['s3:GetObject', `${bucket}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`],
        ['logs:GetLogEvents', `${LOG_GROUP}:log-stream:alice@example.com-0a1b2c3d4e5f60718`],
      ],
    });
    expect(miss).toEqual([]);
  });

  it('managed instances: write their transcripts and session logs, never read them back', async () => {
    const viaS3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
    const stream = `${LOG_GROUP}:log-stream:alice@example.com-0a1b2c3d4e5f60718`;
    const miss = await sim.roleTable(INSTANCE_ROLE, {
      allowed: [
        ['s3:PutObject', `${bucket}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`],
        ['s3:GetEncryptionConfiguration', bucket],
        ['kms:GenerateDataKey', key, viaS3],
        // A multipart upload (a transcript over the agent's part size) needs Decrypt too.
        ['kms:Decrypt', key, viaS3],
        ['logs:CreateLogStream', stream],
        ['logs:PutLogEvents', stream],
        ['logs:DescribeLogStreams', LOG_GROUP],
        ['logs:DescribeLogGroups', '*'],
      ],
      denied: [
        ['s3:PutObject', `${bucket}/other-prefix/x.log`],
        ['s3:PutObject', `${bucket}/sessionmanager.log`],
        ['s3:GetObject', `${bucket}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`],
        ['s3:ListBucket', bucket],
        ['s3:DeleteObject', `${bucket}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`],
        ['kms:GenerateDataKey', key],
        ['kms:GenerateDataKey', key, { 'kms:ViaService': `logs.${REGION}.amazonaws.com` }],
        // Session data encryption is off by default: nothing to decrypt outside S3.
        ['kms:Decrypt', key],
        ['kms:Decrypt', key, { 'kms:ViaService': `logs.${REGION}.amazonaws.com` }],
        ['logs:GetLogEvents', stream],
        ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/other/group:log-stream:x`],
        ['ssm:UpdateDocument', PREFERENCES],
      ],
    });
    expect(miss).toEqual([]);
  });

  it("another team's instance role with the instance policy: records sessions and agent output, never removes or unlocks them", async () => {
    // What an instance-profile request carries: the role session is the instance id.
    const asInstance = {
      'aws:userid': 'AROAEXAMPLEWEBTIER001:i-0a1b2c3d4e5f60718',
      'ec2:SourceInstanceARN': `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0a1b2c3d4e5f60718`,
    };
    const transcript = `${bucket}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`;
    const agentOutput = sim.arn('aws_s3_bucket', `ssmb-${ACCOUNT}-${REGION}-agent-update`);
    const stream = `${LOG_GROUP}:log-stream:alice@example.com-0a1b2c3d4e5f60718`;
    const miss = await sim.roleTable('web-tier-instances', {
      allowed: [
        ['s3:PutObject', transcript, asInstance],
        ['s3:GetEncryptionConfiguration', bucket, asInstance],
        [
          's3:PutObject',
          `${agentOutput}/agent-update/i-0a1b2c3d4e5f60718/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/2026-03-02T01-02-03.000Z/awsupdateSsmAgent/stdout`,
          asInstance,
        ],
        ['logs:PutLogEvents', stream, asInstance],
      ],
      denied: [
        ['s3:DeleteObject', transcript, asInstance],
        ['s3:DeleteObjectVersion', transcript, asInstance],
        ['s3:BypassGovernanceRetention', transcript, asInstance],
        ['s3:PutObjectRetention', transcript, asInstance],
        ['s3:PutObjectLegalHold', transcript, asInstance],
        ['s3:PutBucketVersioning', bucket, asInstance],
        ['s3:PutBucketObjectLockConfiguration', bucket, asInstance],
        ['s3:PutLifecycleConfiguration', bucket, asInstance],
        ['s3:DeleteBucketPolicy', bucket, asInstance],
        ['logs:DeleteLogStream', stream, asInstance],
        ['logs:PutRetentionPolicy', LOG_GROUP, asInstance],
      ],
    });
    expect(miss).toEqual([]);
  });

  it('session key and bucket policies: nobody outside the account, no other service, TLS only', async () => {
    // Inside the account the key policy delegates to IAM (the role tables above go
    // through it). Its CloudWatch Logs grant is conditioned on
    // kms:EncryptionContext:aws:logs:arn, a key the simulator ignores (the name
    // continues with ":"), so that grant is asserted on the synthesized statement in
    // session-manager.test.ts instead.
    for (const [principal, action] of [
      ['arn:aws:iam::222222222222:root', 'kms:Decrypt'],
      ['events.amazonaws.com', 'kms:GenerateDataKey'],
      ['s3.amazonaws.com', 'kms:GenerateDataKey'],
      ['anonymous', 'kms:Decrypt'],
    ]) {
      expect([principal, action, await sim.canResource(key, principal, action, key)]).toEqual([principal, action, 'ImplicitlyDenied']);
    }
    const transcript = `${bucket}/sessionmanager/alice@example.com-0a1b2c3d4e5f60718.log`;
    expect(await sim.canRole(INSTANCE_ROLE, 's3:PutObject', transcript, { 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
    expect(await sim.canResource(bucket, 'anonymous', 's3:GetObject', transcript)).not.toBe('Allowed');
  });

  it('guard: only the admin roles and the deploy role change or delete the preferences', async () => {
    const other = `arn:aws:ssm:${REGION}:${ACCOUNT}:document/SomeOtherDocument`;
    // AWS sets aws:PrincipalArn on every request; the simulator needs it spelled out.
    const as = (role: string) => ({ 'aws:PrincipalArn': sim.arn('aws_iam_role', role) });
    const dev = as('test-developer');
    expect(
      await sim.roleTable('test-developer', {
        allowed: [['ssm:UpdateDocument', other, dev]],
        denied: [
          ['ssm:UpdateDocument', PREFERENCES, dev],
          ['ssm:DeleteDocument', PREFERENCES, dev],
          ['ssm:UpdateDocumentDefaultVersion', PREFERENCES, dev],
          ['ssm:CreateDocument', PREFERENCES, dev],
        ],
      }),
    ).toEqual([]);
    for (const admin of ['AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'ssm-baseline-deploy']) {
      for (const action of ['ssm:UpdateDocument', 'ssm:DeleteDocument', 'ssm:UpdateDocumentDefaultVersion']) {
        expect([admin, action, await sim.canRole(admin, action, PREFERENCES, as(admin))]).toEqual([admin, action, 'Allowed']);
      }
    }
  });

  it('login notifier: publishes and looks up sessions, nothing else', async () => {
    const topic = sim.arn('aws_sns_topic', 'ssmb-notifications');
    const miss = await sim.roleTable(NOTIFIER_ROLE, {
      allowed: [
        ['sns:Publish', topic],
        ['ssm:DescribeSessions', '*'],
        ['logs:PutLogEvents', `${sim.arn('aws_cloudwatch_log_group', '/aws/lambda/ssmb-session-login-notifier')}:log-stream:x`],
        ['sqs:SendMessage', sim.arn('aws_sqs_queue', 'ssmb-dead-letters')],
      ],
      denied: [
        ['ssm:StartSession', TARGET, CHECKED],
        ['ssm:TerminateSession', SESSION('alice@example.com-0a1b2c3d4e5f60718')],
        ['s3:GetObject', `${bucket}/sessionmanager/x.log`],
        ['kms:Decrypt', key],
        ['sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`],
      ],
    });
    expect(miss).toEqual([]);
  });
});

/** A StartSession record as CloudTrail delivers it (fixtures/README.md says where each comes from). */
interface StartedSession {
  detail: {
    userIdentity: {
      type: 'IAMUser' | 'AssumedRole';
      principalId: string;
      arn: string;
      userName?: string;
      sessionContext?: { sessionIssuer: { arn: string } };
    };
    requestParameters: { target: string };
    responseElements: { sessionId: string };
  };
}
const started = (name: string): StartedSession =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as StartedSession;

/**
 * The request context AWS builds for the caller of a record: `aws:userid` is the
 * principalId, `aws:username` exists for IAM users only, `aws:PrincipalArn` is the user
 * or the role (not the session). The simulator does not derive them from the ARN.
 */
function callerContext(s: StartedSession): Context {
  const who = s.detail.userIdentity;
  return {
    'aws:userid': who.principalId,
    ...(who.type === 'IAMUser' ? { 'aws:username': who.userName! } : {}),
    'aws:PrincipalArn': who.type === 'IAMUser' ? who.arn : who.sessionContext!.sessionIssuer.arn,
  };
}

/** The session resource with the tags Session Manager puts on it: the starter's principalId and the target. */
function sessionOf(s: StartedSession): { arn: string; tags: Context } {
  return {
    arn: SESSION(s.detail.responseElements.sessionId),
    tags: {
      'ssm:resourceTag/aws:ssmmessages:session-id': s.detail.userIdentity.principalId,
      'ssm:resourceTag/aws:ssmmessages:target-id': s.detail.requestParameters.target,
    },
  };
}

describe('session manager: operators resume, end and open only their own sessions (IAM simulation, CloudTrail principals)', () => {
  // Identity Center users share a role (same AROA id) and differ by session name; a
  // plain role is assumed with a session name; IAM users have names, one a prefix of another.
  const SESSIONS = {
    ssoAlice: started('start-session'),
    ssoDave: started('start-session-sso-other-user'),
    roleCarol: started('start-session-assumed-role'),
    userBob: started('start-session-iam-user'),
    userBobOps: started('start-session-iam-user-prefix'),
  };
  let sim: IamSim;
  let policies: Array<{ name: string; policy: any }>;
  beforeAll(() => {
    const s = stackWithPrincipals();
    sim = iamSim(s);
    policies = sim.rolePolicies('test-operator').policies;
  });

  /** `caller` (holding the operator policy) does `action` on `resource`, as CloudTrail shows the caller. */
  async function as(caller: StartedSession, action: string, resource: string, context: Context = {}): Promise<Decision> {
    const result = await runSimulation(
      {
        request: {
          principal: caller.detail.userIdentity.arn,
          action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables: { 'aws:SecureTransport': 'true', ...callerContext(caller), ...context },
        },
        identityPolicies: policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }

  it('the recorded session ids begin with the IAM user name or the role session name, not aws:userid', () => {
    for (const s of Object.values(SESSIONS)) {
      const who = s.detail.userIdentity;
      const name = who.type === 'IAMUser' ? who.userName! : who.arn.split('/').pop()!;
      expect(s.detail.responseElements.sessionId).toMatch(new RegExp(`^${name.replace(/[.]/g, '\\.')}-[0-9a-f]{17}$`));
      expect(s.detail.responseElements.sessionId.startsWith(who.principalId)).toBe(false);
    }
  });

  it.each(Object.keys(SESSIONS) as Array<keyof typeof SESSIONS>)('%s resumes and ends its own session', async (owner) => {
    const session = sessionOf(SESSIONS[owner]);
    for (const action of ['ssm:ResumeSession', 'ssm:TerminateSession']) {
      expect([owner, action, await as(SESSIONS[owner], action, session.arn, session.tags)]).toEqual([owner, action, 'Allowed']);
    }
  });

  it.each(Object.keys(SESSIONS) as Array<keyof typeof SESSIONS>)("%s cannot resume or end anybody else's session", async (caller) => {
    for (const [owner, s] of Object.entries(SESSIONS)) {
      if (owner === caller) continue;
      const session = sessionOf(s);
      for (const action of ['ssm:ResumeSession', 'ssm:TerminateSession']) {
        expect([caller, action, owner, await as(SESSIONS[caller], action, session.arn, session.tags)]).toEqual([
          caller,
          action,
          owner,
          'ImplicitlyDenied',
        ]);
      }
    }
  });

  it('a session without the session-id tag cannot be resumed or ended through the operator policy', async () => {
    // A role session name with "," (allowed by STS, not in tag values) gets no tag.
    const untagged = SESSION('carol,ops-0c1d2e3f4a5b6c7d8');
    expect(await as(SESSIONS.roleCarol, 'ssm:TerminateSession', untagged)).toBe('ImplicitlyDenied');
    expect(await as(SESSIONS.userBob, 'ssm:TerminateSession', SESSION('bob-0f1e2d3c4b5a69788'))).toBe('ImplicitlyDenied');
  });

  it('the same role session name is the same caller to IAM (a limit: give every person their own session name)', async () => {
    // Somebody else assuming Operators with session name "carol" has carol's aws:userid.
    const sameName = sessionOf(SESSIONS.roleCarol);
    expect(await as(SESSIONS.roleCarol, 'ssm:TerminateSession', sameName.arn, sameName.tags)).toBe('Allowed');
  });

  it.each(Object.keys(SESSIONS) as Array<keyof typeof SESSIONS>)('%s opens the data channel of the session it started', async (owner) => {
    // OpenDataChannel has no resource type: IAM asks about "*", and the data channel
    // itself needs the token only StartSession / ResumeSession return to their caller.
    expect(await as(SESSIONS[owner], 'ssmmessages:OpenDataChannel', '*')).toBe('Allowed');
  });

  it('grants nothing else on sessions or channels', async () => {
    const alice = SESSIONS.ssoAlice;
    for (const action of ['ssmmessages:CreateControlChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:CreateDataChannel']) {
      expect([action, await as(alice, action, '*')]).toEqual([action, 'ImplicitlyDenied']);
    }
    // Its own session, but in another region: the policy is per region.
    const own = sessionOf(alice);
    const elsewhere = own.arn.replace(`:${REGION}:`, ':us-east-1:');
    expect(await as(alice, 'ssm:TerminateSession', elsewhere, own.tags)).toBe('ImplicitlyDenied');
  });
});
