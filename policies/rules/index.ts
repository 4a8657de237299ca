// Every rule the policy CLI runs, in report order. RULES.md is generated from this list
// (`npm run --silent policy -- --rules-md > policies/RULES.md`); a test keeps them equal.
import type { Rule } from '../types';
import { NoWildcardActions } from './iam/NoWildcardActions';
import { ActionsExist } from './iam/ActionsExist';
import { WildcardResourceOnlyWhereRequired } from './iam/WildcardResourceOnlyWhereRequired';
import { PassRoleScoped } from './iam/PassRoleScoped';
import { ServiceTrustConfusedDeputy } from './iam/ServiceTrustConfusedDeputy';
import { ManagedPolicyAllowlist } from './iam/ManagedPolicyAllowlist';
import { NoKmsDecryptOnAnyKey } from './iam/NoKmsDecryptOnAnyKey';
import { NoNotResource } from './iam/NoNotResource';
import { PublicAccessBlocked } from './s3/PublicAccessBlocked';
import { OwnershipEnforced } from './s3/OwnershipEnforced';
import { DefaultEncryption } from './s3/DefaultEncryption';
import { VersioningEnabled } from './s3/VersioningEnabled';
import { LifecycleConfigured } from './s3/LifecycleConfigured';
import { TlsOnly } from './s3/TlsOnly';
import { NoPublicAllow } from './s3/NoPublicAllow';
import { EncryptedWithCustomerKey } from './sns/EncryptedWithCustomerKey';
import { PublishersScoped } from './sns/PublishersScoped';
import { NotPublic } from './sns/NotPublic';
import { RotationEnabled } from './kms/RotationEnabled';
import { RootDelegation } from './kms/RootDelegation';
import { NoPublicPrincipal } from './kms/NoPublicPrincipal';
import { SupportedRuntime } from './lambda/SupportedRuntime';
import { LogGroupWithRetention } from './lambda/LogGroupWithRetention';
import { FailureDestination } from './lambda/FailureDestination';
import { InvokePermissionScoped } from './lambda/InvokePermissionScoped';
import { TargetRetryAndDeadLetter } from './events/TargetRetryAndDeadLetter';
import { NoRoleOnResourcePolicyTargets } from './events/NoRoleOnResourcePolicyTargets';
import { RetentionSet } from './logs/RetentionSet';
import { SensitiveLogsEncrypted } from './logs/SensitiveLogsEncrypted';
import { Imdsv2Required } from './ec2/Imdsv2Required';
import { EncryptedVolumes } from './ec2/EncryptedVolumes';
import { NoPublicIp } from './ec2/NoPublicIp';
import { NoKeyPair } from './ec2/NoKeyPair';
import { NoIngress } from './ec2/NoIngress';
import { StateEncrypted } from './backend/StateEncrypted';
import { NativeLocking } from './backend/NativeLocking';
import { NoDynamoDbLock } from './backend/NoDynamoDbLock';
import { UniqueStateKey } from './backend/UniqueStateKey';
import { UnreadablePolicy } from './policy/UnreadablePolicy';
import { SuppressionJustified } from './policy/SuppressionJustified';
import { PublicResourcePolicy } from './policy/PublicResourcePolicy';
import { IntrinsicsPerField } from './states/IntrinsicsPerField';
import { KnownIntegrations } from './states/KnownIntegrations';
import { TasksCatch } from './states/TasksCatch';
import { PayloadBounds } from './states/PayloadBounds';

export const RULES: readonly Rule[] = [
  NoWildcardActions,
  ActionsExist,
  WildcardResourceOnlyWhereRequired,
  PassRoleScoped,
  ServiceTrustConfusedDeputy,
  ManagedPolicyAllowlist,
  NoKmsDecryptOnAnyKey,
  NoNotResource,
  PublicAccessBlocked,
  OwnershipEnforced,
  DefaultEncryption,
  VersioningEnabled,
  LifecycleConfigured,
  TlsOnly,
  NoPublicAllow,
  EncryptedWithCustomerKey,
  PublishersScoped,
  NotPublic,
  RotationEnabled,
  RootDelegation,
  NoPublicPrincipal,
  SupportedRuntime,
  LogGroupWithRetention,
  FailureDestination,
  InvokePermissionScoped,
  TargetRetryAndDeadLetter,
  NoRoleOnResourcePolicyTargets,
  RetentionSet,
  SensitiveLogsEncrypted,
  Imdsv2Required,
  EncryptedVolumes,
  NoPublicIp,
  NoKeyPair,
  NoIngress,
  StateEncrypted,
  NativeLocking,
  NoDynamoDbLock,
  UniqueStateKey,
  IntrinsicsPerField,
  KnownIntegrations,
  TasksCatch,
  PayloadBounds,
  UnreadablePolicy,
  SuppressionJustified,
  PublicResourcePolicy,
];

/** RULES.md: the table users read. */
export function rulesMarkdown(rules: readonly Rule[] = RULES): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '# Policy rules',
    '',
    'Generated from `policies/rules/index.ts` (`npm run --silent policy -- --rules-md > policies/RULES.md`); do not edit by hand.',
    'How to run the checks and suppress a finding: [docs/policy-as-code.md](../docs/policy-as-code.md).',
    '',
    '| id | rule | severity | what must hold | why | fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rules.map(
      (r) =>
        `| ${r.id} | [${r.name}](rules/${r.service}/${r.name}.ts) | ${r.severity}${r.suppressible === false ? ' (not suppressible)' : ''} | ${cell(r.title)} | ${cell(r.rationale)} | ${cell(r.fix)} |`,
    ),
    '',
  ].join('\n');
}
