// `node tooling/run.js scripts/policy-attributes.ts <initialized stack folder | schema.json>`:
// which resource attributes hold a policy document, from the AWS provider's own schema
// (`terraform providers schema -json`), so the policy checks read every one of them.
//
// 1. Candidates: every settable string attribute of a resource (nested blocks too) whose
//    name says it holds a policy (`policy`, `*_policy`, `*_policies`, `*_policy_document`,
//    `policy_body`) or whose description says "policy document". They are written, with
//    the provider version, to the schema excerpt (a test checks the data file against it,
//    and the terraform lane checks the excerpt against the installed provider).
// 2. Each candidate gets the kind written in CLASSIFICATION below (identity, trust,
//    resource, boundary, or other: not an IAM policy). A candidate the table does not
//    know is written as `unclassified`: the checks report a stack using it as "could not
//    tell" until someone classifies it here and regenerates.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../tooling/lambda-bundle';
import { Io, UsageError, processIo, strictArgs, usageError } from './cli-args';

export const USAGE = `usage: node tooling/run.js scripts/policy-attributes.ts <stack work folder | schema.json>

  <stack work folder>  a folder where terraform init ran with hashicorp/aws (for example
                       cdktf.out/stacks/<stack>/.offline after \`npm run plan:offline -- --validate-only\`);
                       the script runs \`terraform providers schema -json\` there
  <schema.json>        or the output of that command, saved
  writes policies/policy-attributes.json and __tests__/policies/provider-schema-excerpt.json
  --help               print this and exit
`;

export const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';
export const DATA_FILE = join('policies', 'policy-attributes.json');
export const EXCERPT_FILE = join('__tests__', 'policies', 'provider-schema-excerpt.json');

interface SchemaAttribute {
  type?: unknown;
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
}
interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, { nesting_mode?: string; block: SchemaBlock }>;
}
/** `terraform providers schema -json`, the parts read here. */
export interface ProviderSchemas {
  format_version?: string;
  /** Set in the excerpt only: the provider version the schema came from. */
  provider_version?: string;
  provider_schemas: Record<string, { resource_schemas?: Record<string, { block: SchemaBlock }> }>;
}

export type PolicyKind = 'identity' | 'trust' | 'resource' | 'boundary';
export interface PolicyAttribute {
  readonly type: string;
  /** Path inside the resource: `policy`, or `inline_policy.policy` through nested blocks. */
  readonly attribute: string;
  readonly kind: PolicyKind | 'other' | 'unclassified';
  /** For resource policies: the resource type guarded. */
  readonly guards?: string;
  /** For `other`: why it is not an IAM policy. */
  readonly reason?: string;
}
export interface PolicyAttributesFile {
  readonly '//': string;
  readonly provider: string;
  readonly version: string;
  readonly attributes: PolicyAttribute[];
}

const CANDIDATE_NAME = /(^|_)(policy|policies|policy_document|policy_body)$/;
const CANDIDATE_DESCRIPTION = /policy document/i;

/** Is a schema attribute one that may hold a policy document? */
function isCandidate(name: string, a: SchemaAttribute): boolean {
  if (a.type !== 'string') return false;
  if (a.computed && !a.optional && !a.required) return false; // read-only: nothing the configuration writes
  return CANDIDATE_NAME.test(name) || CANDIDATE_DESCRIPTION.test(a.description ?? '');
}

function excerptBlock(block: SchemaBlock): SchemaBlock | undefined {
  const attributes = Object.fromEntries(
    Object.entries(block.attributes ?? {})
      .filter(([name, a]) => isCandidate(name, a))
      .map(([name, a]) => [
        name,
        Object.fromEntries(Object.entries(a).filter(([k]) => ['type', 'description', 'required', 'optional', 'computed'].includes(k))),
      ]),
  );
  const block_types = Object.fromEntries(
    Object.entries(block.block_types ?? {}).flatMap(([name, b]) => {
      const inner = excerptBlock(b.block);
      return inner ? [[name, { nesting_mode: b.nesting_mode, block: inner }]] : [];
    }),
  );
  if (!Object.keys(attributes).length && !Object.keys(block_types).length) return undefined;
  return { ...(Object.keys(attributes).length ? { attributes } : {}), ...(Object.keys(block_types).length ? { block_types } : {}) };
}

/** The AWS provider's resources reduced to the candidate attributes, sorted: small enough to commit. */
export function schemaExcerpt(schema: ProviderSchemas, version: string): ProviderSchemas {
  const resources = schema.provider_schemas[AWS_PROVIDER]?.resource_schemas;
  if (!resources) throw new Error(`the schema has no resources of ${AWS_PROVIDER}`);
  const out: Record<string, { block: SchemaBlock }> = {};
  for (const type of Object.keys(resources).sort()) {
    const block = excerptBlock(resources[type].block);
    if (block) out[type] = { block };
  }
  return {
    format_version: schema.format_version,
    provider_version: version,
    provider_schemas: { [AWS_PROVIDER]: { resource_schemas: out } },
  };
}

function candidatePaths(block: SchemaBlock, prefix = ''): string[] {
  return [
    ...Object.entries(block.attributes ?? {})
      .filter(([name, a]) => isCandidate(name, a))
      .map(([name]) => `${prefix}${name}`),
    ...Object.entries(block.block_types ?? {}).flatMap(([name, b]) => candidatePaths(b.block, `${prefix}${name}.`)),
  ];
}

type Classification = { kind: PolicyKind; guards?: string } | { kind: 'other'; reason: string };

const identity: Classification = { kind: 'identity' };
const boundary: Classification = { kind: 'boundary' };
const resource = (guards?: string): Classification => ({ kind: 'resource', ...(guards ? { guards } : {}) });
const other = (reason: string): Classification => ({ kind: 'other', reason });

/**
 * What each candidate holds. `resource` without `guards` guards the resource named by
 * the type minus `_policy` when the provider has it, else the type itself. `boundary`:
 * a policy that limits what passes (VPC endpoint, session policies) and grants nothing.
 */
export const CLASSIFICATION: Record<string, Classification> = {
  'aws_acmpca_policy.policy': resource('aws_acmpca_certificate_authority'),
  'aws_api_gateway_domain_name.policy': resource(),
  'aws_api_gateway_rest_api.policy': resource(),
  'aws_api_gateway_rest_api_policy.policy': resource(),
  'aws_backup_vault_policy.policy': resource(),
  'aws_cloudformation_stack.policy_body': other('a stack policy: CloudFormation update actions, not IAM'),
  'aws_cloudsearch_domain_service_access_policy.access_policy': resource('aws_cloudsearch_domain'),
  'aws_cloudwatch_event_bus_policy.policy': resource(),
  'aws_cloudwatch_log_account_policy.policy_document': other('a data protection, subscription filter or field index policy'),
  'aws_cloudwatch_log_data_protection_policy.policy_document': other('a data protection policy (data identifiers), not IAM'),
  'aws_cloudwatch_log_delivery_destination_policy.delivery_destination_policy': resource('aws_cloudwatch_log_delivery_destination'),
  'aws_cloudwatch_log_destination_policy.access_policy': resource(),
  'aws_cloudwatch_log_index_policy.policy_document': other('a field index policy, not IAM'),
  'aws_cloudwatch_log_resource_policy.policy_document': resource('aws_cloudwatch_log_group'),
  'aws_codeartifact_domain_permissions_policy.policy_document': resource('aws_codeartifact_domain'),
  'aws_codeartifact_repository_permissions_policy.policy_document': resource('aws_codeartifact_repository'),
  'aws_codebuild_resource_policy.policy': resource('aws_codebuild_project'),
  'aws_dynamodb_resource_policy.policy': resource('aws_dynamodb_table'),
  'aws_ecr_lifecycle_policy.policy': other('an image lifecycle policy, not IAM'),
  'aws_ecr_registry_policy.policy': resource(),
  'aws_ecr_repository_creation_template.lifecycle_policy': other('an image lifecycle policy, not IAM'),
  'aws_ecr_repository_creation_template.repository_policy': resource(),
  'aws_ecr_repository_policy.policy': resource(),
  'aws_ecrpublic_repository_policy.policy': resource('aws_ecrpublic_repository'),
  'aws_efs_file_system_policy.policy': resource(),
  'aws_elasticsearch_domain.access_policies': resource(),
  'aws_elasticsearch_domain_policy.access_policies': resource('aws_elasticsearch_domain'),
  'aws_emr_cluster.core_instance_group.autoscaling_policy': other('an EMR scaling policy, not IAM'),
  'aws_emr_instance_group.autoscaling_policy': other('an EMR scaling policy, not IAM'),
  'aws_glacier_vault.access_policy': resource(),
  'aws_glacier_vault_lock.policy': resource('aws_glacier_vault'),
  'aws_glue_resource_policy.policy': resource('aws_glue_catalog_database'),
  'aws_iam_group_policy.policy': identity,
  'aws_iam_policy.policy': identity,
  'aws_iam_role.assume_role_policy': { kind: 'trust' },
  'aws_iam_role.inline_policy.policy': identity,
  'aws_iam_role_policy.policy': identity,
  'aws_iam_user_policy.policy': identity,
  'aws_iot_policy.policy': identity,
  'aws_iot_policy_attachment.policy': other('the name of an IoT policy, not a document'),
  'aws_kinesis_resource_policy.policy': resource('aws_kinesis_stream'),
  'aws_kms_external_key.policy': resource('aws_kms_key'),
  'aws_kms_key.policy': resource('aws_kms_key'),
  'aws_kms_key_policy.policy': resource('aws_kms_key'),
  'aws_kms_replica_external_key.policy': resource('aws_kms_key'),
  'aws_kms_replica_key.policy': resource('aws_kms_key'),
  'aws_media_store_container_policy.policy': resource('aws_media_store_container'),
  'aws_msk_cluster_policy.policy': resource('aws_msk_cluster'),
  'aws_networkfirewall_resource_policy.policy': resource(),
  'aws_networkmanager_core_network.base_policy_document': other('a core network policy (segments, routing), not IAM'),
  'aws_networkmanager_core_network_policy_attachment.policy_document': other('a core network policy (segments, routing), not IAM'),
  'aws_oam_sink_policy.policy': resource('aws_oam_sink'),
  'aws_opensearch_domain.access_policies': resource(),
  'aws_opensearch_domain_policy.access_policies': resource('aws_opensearch_domain'),
  'aws_opensearchserverless_access_policy.policy': other('an OpenSearch Serverless data access policy (its own grammar)'),
  'aws_opensearchserverless_lifecycle_policy.policy': other('an OpenSearch Serverless lifecycle policy, not IAM'),
  'aws_opensearchserverless_security_policy.policy': other('an OpenSearch Serverless encryption or network policy, not IAM'),
  'aws_quicksight_data_set.row_level_permission_data_set.permission_policy': other('GRANT_ACCESS or DENY_ACCESS, not a document'),
  'aws_redshift_resource_policy.policy': resource(),
  'aws_redshiftserverless_resource_policy.policy': resource(),
  'aws_rolesanywhere_profile.session_policy': boundary,
  'aws_s3_access_point.policy': resource(),
  'aws_s3_bucket.policy': resource('aws_s3_bucket'),
  'aws_s3_bucket_policy.policy': resource('aws_s3_bucket'),
  'aws_s3control_access_grants_instance_resource_policy.policy': resource('aws_s3control_access_grants_instance'),
  'aws_s3control_access_point_policy.policy': resource('aws_s3_access_point'),
  'aws_s3control_bucket_policy.policy': resource('aws_s3control_bucket'),
  'aws_s3control_multi_region_access_point_policy.details.policy': resource('aws_s3control_multi_region_access_point'),
  'aws_s3control_object_lambda_access_point_policy.policy': resource('aws_s3control_object_lambda_access_point'),
  'aws_s3tables_table_bucket_policy.resource_policy': resource('aws_s3tables_table_bucket'),
  'aws_s3tables_table_policy.resource_policy': resource('aws_s3tables_table'),
  'aws_sagemaker_model_package_group_policy.resource_policy': resource('aws_sagemaker_model_package_group'),
  'aws_schemas_registry_policy.policy': resource('aws_schemas_registry'),
  'aws_secretsmanager_secret.policy': resource('aws_secretsmanager_secret'),
  'aws_secretsmanager_secret_policy.policy': resource('aws_secretsmanager_secret'),
  'aws_ses_identity_policy.policy': resource('aws_ses_domain_identity'),
  'aws_ses_receipt_filter.policy': other('Block or Allow, not a document'),
  'aws_sesv2_email_identity_policy.policy': resource('aws_sesv2_email_identity'),
  'aws_sns_topic.archive_policy': other('a message archive policy (retention), not IAM'),
  'aws_sns_topic.delivery_policy': other('an HTTP delivery retry policy, not IAM'),
  'aws_sns_topic.policy': resource('aws_sns_topic'),
  'aws_sns_topic_data_protection_policy.policy': other('a data protection policy (data identifiers), not IAM'),
  'aws_sns_topic_policy.policy': resource('aws_sns_topic'),
  'aws_sns_topic_subscription.delivery_policy': other('an HTTP delivery retry policy, not IAM'),
  'aws_sns_topic_subscription.filter_policy': other('a message filter, not IAM'),
  'aws_sns_topic_subscription.redrive_policy': other('a dead-letter queue setting, not IAM'),
  'aws_sns_topic_subscription.replay_policy': other('a message replay setting, not IAM'),
  'aws_sqs_queue.policy': resource('aws_sqs_queue'),
  'aws_sqs_queue.redrive_allow_policy': other('which queues may use this one as a dead-letter queue, not IAM'),
  'aws_sqs_queue.redrive_policy': other('a dead-letter queue setting, not IAM'),
  'aws_sqs_queue_policy.policy': resource('aws_sqs_queue'),
  'aws_sqs_queue_redrive_allow_policy.redrive_allow_policy': other('which queues may use this one as a dead-letter queue, not IAM'),
  'aws_sqs_queue_redrive_policy.redrive_policy': other('a dead-letter queue setting, not IAM'),
  'aws_ssoadmin_permission_set_inline_policy.inline_policy': identity,
  'aws_transfer_access.policy': boundary,
  'aws_transfer_user.policy': boundary,
  'aws_verifiedaccess_endpoint.policy_document': other('a Verified Access policy (Cedar), not IAM'),
  'aws_verifiedaccess_group.policy_document': other('a Verified Access policy (Cedar), not IAM'),
  'aws_vpc_endpoint.policy': boundary,
  'aws_vpc_endpoint_policy.policy': boundary,
  'aws_vpclattice_auth_policy.policy': resource(),
  'aws_vpclattice_resource_policy.policy': resource(),
  'aws_xray_resource_policy.policy_document': resource(),
};

/**
 * Names that end in `_policy` but hold a setting, never a document (TLS policy names,
 * routing modes, ...): classified `other` by name, so the table above lists only
 * what needs a decision.
 */
const SETTING_NAME =
  /(^|_)(ssl|tls|alpn|security|routing|protocol|dns|image_pull|deletion|snapshot|import|protection|padding|sizing|termination|context|selection|exception|https|notification|browser|content_security|referrer|header_value)_polic(y|ies)$/;

/** The data file, from a schema excerpt (or the full schema). */
export function policyAttributes(schema: ProviderSchemas, version = schema.provider_version ?? 'unknown'): PolicyAttributesFile {
  const resources = schema.provider_schemas[AWS_PROVIDER]?.resource_schemas ?? {};
  const attributes: PolicyAttribute[] = [];
  for (const type of Object.keys(resources).sort()) {
    for (const attribute of candidatePaths(resources[type].block).sort()) {
      const c = CLASSIFICATION[`${type}.${attribute}`];
      const name = attribute.split('.').pop()!;
      if (!c) {
        attributes.push(
          SETTING_NAME.test(name)
            ? { type, attribute, kind: 'other', reason: 'a setting named like a policy, not a document' }
            : { type, attribute, kind: 'unclassified' },
        );
      } else if (c.kind === 'other') attributes.push({ type, attribute, kind: 'other', reason: c.reason });
      else {
        const guards =
          c.kind === 'resource' ? (c.guards ?? (resources[type.replace(/_policy$/, '')] ? type.replace(/_policy$/, '') : type)) : undefined;
        attributes.push({ type, attribute, kind: c.kind, ...(guards ? { guards } : {}) });
      }
    }
  }
  return {
    '//': `Generated by scripts/policy-attributes.ts from \`terraform providers schema -json\`; do not edit (see docs/policy-as-code.md).`,
    provider: AWS_PROVIDER,
    version,
    attributes,
  };
}

/** Classification entries that no longer match a candidate of the schema (a renamed attribute). */
export function staleClassifications(schema: ProviderSchemas): string[] {
  const resources = schema.provider_schemas[AWS_PROVIDER]?.resource_schemas ?? {};
  const live = new Set(Object.entries(resources).flatMap(([type, r]) => candidatePaths(r.block).map((p) => `${type}.${p}`)));
  return Object.keys(CLASSIFICATION).filter((k) => !live.has(k));
}

/** The hashicorp/aws version an initialized folder locked. */
function lockedVersion(dir: string): string {
  const lock = join(dir, '.terraform.lock.hcl');
  const text = existsSync(lock) ? readFileSync(lock, 'utf8') : '';
  const m = /provider "registry\.terraform\.io\/hashicorp\/aws" \{\s*version\s*=\s*"([^"]+)"/.exec(text);
  if (!m) throw new UsageError(`${lock}: no hashicorp/aws version (run terraform init there first)`);
  return m[1];
}

/** The full schema and provider version of an initialized folder (runs terraform) or a saved schema file. */
export function readSchema(path: string): { schema: ProviderSchemas; version: string } {
  if (!existsSync(path)) throw new UsageError(`${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const text = execFileSync('terraform', ['providers', 'schema', '-json'], { cwd: path, maxBuffer: 1 << 30, encoding: 'utf8' });
    return { schema: JSON.parse(text) as ProviderSchemas, version: lockedVersion(path) };
  }
  const schema = JSON.parse(readFileSync(path, 'utf8')) as ProviderSchemas;
  return { schema, version: schema.provider_version ?? 'unknown' };
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function main(argv: string[], io: Io = processIo): number {
  let path: string;
  try {
    const args = strictArgs({ options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true }, argv);
    if (args.values.help) {
      io.out(USAGE);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError('give one stack work folder or schema file');
    path = args.positionals[0];
    const { schema, version } = readSchema(path);
    const excerpt = schemaExcerpt(schema, version);
    const stale = staleClassifications(excerpt);
    if (stale.length) io.err(`classified but no longer in the schema (remove from CLASSIFICATION): ${stale.join(', ')}\n`);
    const data = policyAttributes(excerpt);
    writeFileSync(join(projectRoot(), EXCERPT_FILE), json(excerpt));
    writeFileSync(join(projectRoot(), DATA_FILE), json(data));
    const unclassified = data.attributes.filter((a) => a.kind === 'unclassified');
    io.out(`wrote ${DATA_FILE} (${data.attributes.length} attributes of hashicorp/aws ${version}) and ${EXCERPT_FILE}\n`);
    if (unclassified.length)
      io.err(
        `unclassified (stacks using them are reported as could not tell): ${unclassified.map((a) => `${a.type}.${a.attribute}`).join(', ')}\n`,
      );
    return 0;
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, USAGE, err);
    throw err;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
