/**
 * Who may open sessions: the operator policy users attach to their operator group or
 * role, and the optional guard policy that keeps the preferences document (and with
 * it the logging) out of reach of everyone but the admins.
 */
import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { SharedResources, arn } from '../../platform/shared';
import { PolicyDocument, PolicyStatement } from '../../constructs/policy-document';
import type { SessionManagerConfig } from './config';
import { PREFERENCES_DOCUMENT } from './preferences';

/**
 * `${aws:userid}` is an IAM policy variable, but Terraform would read it as an
 * interpolation: `$${` is Terraform's escape for a literal `${`.
 */
export const AWS_USERID = '$${aws:userid}';

/**
 * With the check on, StartSession also authorizes the session document itself, so
 * nobody starts an unlogged session with another document. `BoolIfExists` is AWS's
 * documented form: the key is absent when SSM authorizes the document resource.
 */
const DOCUMENT_CHECK = { test: 'BoolIfExists', variable: 'ssm:SessionDocumentAccessCheck', values: ['true'] };

/** Every action that could change, replace, share or remove the preferences document. */
export const DOCUMENT_WRITE_ACTIONS = [
  'ssm:CreateDocument',
  'ssm:DeleteDocument',
  'ssm:ModifyDocumentPermission',
  'ssm:UpdateDocument',
  'ssm:UpdateDocumentDefaultVersion',
  'ssm:UpdateDocumentMetadata',
];

export interface SessionOperatorsProps {
  /** The `sessionManager` section of the configuration. */
  readonly config: SessionManagerConfig;
  readonly shared: SharedResources;
  readonly documentArn: string;
  readonly keyArn: string;
  /** Extra instance ARNs (the bastion). @default - none */
  readonly extraTargetArns?: string[];
}

/** ARN of a managed node id: EC2 instances (i-) and hybrid nodes (mi-) live in different services. */
export function managedNodeArn(shared: Pick<SharedResources, 'partition' | 'region' | 'accountId'>, id: string): string {
  return id.startsWith('mi-') ? arn(shared, 'ssm', `managed-instance/${id}`) : arn(shared, 'ec2', `instance/${id}`);
}

export class SessionOperators extends Construct {
  readonly operatorPolicy: IamPolicy;
  readonly operatorPolicyArn: string;
  readonly guardPolicy?: IamPolicy;
  readonly guardPolicyArn?: string;

  constructor(scope: Construct, id: string, props: SessionOperatorsProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    const operator = new PolicyDocument(this, 'operator-document', operatorStatements(cfg.operators, shared, props));
    this.operatorPolicy = new IamPolicy(this, 'operator', {
      name: shared.naming.iam('session-operator', 'iamPolicy'),
      description: `Session Manager operators in ${shared.region}: sessions on the configured targets through ${PREFERENCES_DOCUMENT} only`,
      policy: operator.json,
    });
    this.operatorPolicyArn = this.operatorPolicy.arn;

    if (cfg.guard.enabled) {
      const exempt = [...new Set([...cfg.guard.adminRoleArns, ...(shared.deployRoleArn ? [shared.deployRoleArn] : [])])];
      const guard = new PolicyDocument(this, 'guard-document', [
        {
          sid: 'DenyPreferencesChangesExceptAdmins',
          effect: 'Deny',
          actions: DOCUMENT_WRITE_ACTIONS,
          resources: [props.documentArn],
          conditions: [{ test: 'ArnNotLike', variable: 'aws:PrincipalArn', values: exempt }],
        },
      ]);
      this.guardPolicy = new IamPolicy(this, 'guard', {
        name: shared.naming.iam('session-preferences-guard', 'iamPolicy'),
        description: 'Denies changing or deleting the Session Manager preferences (logging settings) to all but the admin roles',
        policy: guard.json,
      });
      this.guardPolicyArn = this.guardPolicy.arn;
    }
  }
}

/** The operator policy's statements; StartSession ones only for targets that exist in config. */
export function operatorStatements(
  cfg: SessionManagerConfig['operators'],
  shared: SharedResources,
  props: Pick<SessionOperatorsProps, 'documentArn' | 'keyArn' | 'extraTargetArns'>,
): PolicyStatement[] {
  const nodes = arn(shared, 'ec2', 'instance/*');
  const hybridNodes = arn(shared, 'ssm', 'managed-instance/*');
  const targetArns = [...cfg.instanceIds.map((i) => managedNodeArn(shared, i)), ...(props.extraTargetArns ?? [])];
  const statements: PolicyStatement[] = [];

  if (targetArns.length > 0) {
    statements.push({ sid: 'StartSessionOnTargets', actions: ['ssm:StartSession'], resources: targetArns, conditions: [DOCUMENT_CHECK] });
  }
  if (cfg.tag) {
    statements.push({
      sid: 'StartSessionOnTaggedTargets',
      actions: ['ssm:StartSession'],
      resources: [nodes, hybridNodes],
      conditions: [DOCUMENT_CHECK, { test: 'StringEquals', variable: `ssm:resourceTag/${cfg.tag.key}`, values: [...cfg.tag.values] }],
    });
  }
  if (targetArns.length > 0 || cfg.tag) {
    // Kept apart from the targets: the document carries no instance tags.
    statements.push({
      sid: 'StartSessionWithPreferences',
      actions: ['ssm:StartSession'],
      resources: [props.documentArn],
      conditions: [DOCUMENT_CHECK],
    });
  }
  statements.push(
    // Session ids begin with the IAM user name or the role session name
    // (`alice@example.com-0a1b2c3d4e5f60718`), and no policy variable holds a role
    // session name, so no resource pattern can name "the caller's sessions" (and
    // `${aws:username}-*` would also match the user `bob-ops` for `bob`). Session Manager
    // tags every session with `aws:ssmmessages:session-id` = the starter's
    // `aws:userid` (`AIDA...` for an IAM user, `AROA...:<session name>` for a role), a
    // condition key ResumeSession and TerminateSession support (Service Authorization
    // Reference, Systems Manager; user guide: "Allow a user to end only sessions they started").
    {
      sid: 'ResumeOrEndOwnSessions',
      actions: ['ssm:ResumeSession', 'ssm:TerminateSession'],
      resources: [arn(shared, 'ssm', 'session/*')],
      conditions: [{ test: 'StringEquals', variable: 'ssm:resourceTag/aws:ssmmessages:session-id', values: [AWS_USERID] }],
    },
    // The Service Authorization Reference lists no resource type and no condition key for
    // OpenDataChannel, so only `*` matches. The channel opens only with the token that
    // StartSession or ResumeSession (both scoped above) return to their caller.
    { sid: 'OpenSessionDataChannel', actions: ['ssmmessages:OpenDataChannel'], resources: ['*'] },
    { sid: 'SessionConnectionStatus', actions: ['ssm:GetConnectionStatus'], resources: [nodes, hybridNodes] },
    {
      // What the console and CLI list; these actions have no resource-level permissions.
      sid: 'ListSessionsAndNodes',
      actions: ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation', 'ssm:DescribeInstanceProperties', 'ssm:DescribeSessions'],
      resources: ['*'],
    },
    // The client encrypts session data with a data key of the session key (kmsKeyId).
    { sid: 'EncryptSessionData', actions: ['kms:GenerateDataKey'], resources: [props.keyArn] },
  );
  return statements;
}
