import { Construct } from 'constructs';
import { ConfigConfigurationAggregator } from '@cdktf/provider-aws/lib/config-configuration-aggregator';
import { ConfigAggregateAuthorization } from '@cdktf/provider-aws/lib/config-aggregate-authorization';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { PolicyDocument, serviceTrust } from '../constructs/policy-document';
import { suppress } from '../../policies/suppress';

/** The AWS-managed policy an organization aggregator's role needs (AWS Config developer guide). */
export const ORGANIZATIONS_AGGREGATOR_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations';

/** AWS Config quota: source accounts of one account-based aggregator. */
export const MAX_AGGREGATOR_SOURCE_ACCOUNTS = 10_000;

export interface ConfigAggregatorProps {
  readonly namePrefix: string;
  /** The hub account id (the aggregator's account). */
  readonly hubAccountId: string;
  /** The hub region (the aggregator's region; IAM names carry it). */
  readonly hubRegion: string;
  /**
   * Aggregate the whole organization (the hub must be the management account or a
   * delegated administrator for config.amazonaws.com). @default - account-based
   */
  readonly organizationId?: string;
  /** Source accounts of an account-based aggregator (each authorizes the hub with SpokeAggregateAuthorization). */
  readonly memberAccountIds: readonly string[];
  /** Source regions. @default - all regions, including future ones */
  readonly regions?: readonly string[];
}

/**
 * The hub's AWS Config aggregator: organization-based (a role with
 * AWSConfigRoleForOrganizations that only AWS Config of the hub account may assume)
 * when an organization id is given, else account-based over the member accounts.
 */
export class ConfigAggregator extends Construct {
  readonly aggregator: ConfigConfigurationAggregator;
  readonly role?: IamRole;
  readonly aggregatorName: string;

  constructor(scope: Construct, id: string, props: ConfigAggregatorProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!props.organizationId && props.memberAccountIds.length === 0)
      problems.push('memberAccountIds: an account-based aggregator needs at least one source account (or set organizationId)');
    if (!props.organizationId && props.memberAccountIds.length > MAX_AGGREGATOR_SOURCE_ACCOUNTS)
      problems.push(
        `memberAccountIds: ${props.memberAccountIds.length} accounts, over AWS Config's ${MAX_AGGREGATOR_SOURCE_ACCOUNTS} per account-based aggregator; set organizationId`,
      );
    if (props.regions !== undefined && props.regions.length === 0)
      problems.push('regions: leave it out for all regions, or name at least one');
    if (problems.length) throw new Error(`ConfigAggregator:\n${problems.map((p) => `  ${p}`).join('\n')}`);

    const regionScope = props.regions ? { regions: [...props.regions] } : { allRegions: true };
    this.aggregatorName = `${props.namePrefix}-fleet`;
    if (props.organizationId) {
      const trust = new PolicyDocument(this, 'trust', [
        serviceTrust('config.amazonaws.com', [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.hubAccountId] }]),
      ]);
      this.role = new IamRole(this, 'role', {
        name: `${props.namePrefix}-config-aggregator-${props.hubRegion}`,
        description: 'AWS Config reads the organization for the fleet aggregator (ssm-baseline hub)',
        assumeRolePolicy: trust.json,
      });
      const attachment = new IamRolePolicyAttachment(this, 'organizations-policy', {
        role: this.role.name,
        policyArn: ORGANIZATIONS_AGGREGATOR_POLICY,
      });
      suppress(
        attachment,
        'SSMB-IAM-006',
        "the role policy AWS Config documents for organization aggregators: read-only Organizations calls without resource-level permissions, kept current by AWS as Config's needs change",
        ['AWSConfigRoleForOrganizations'],
      );
      this.aggregator = new ConfigConfigurationAggregator(this, 'aggregator', {
        name: this.aggregatorName,
        organizationAggregationSource: { roleArn: this.role.arn, ...regionScope },
        // AWS Config checks the role's permissions when the aggregator is created.
        dependsOn: [attachment],
      });
    } else {
      this.aggregator = new ConfigConfigurationAggregator(this, 'aggregator', {
        name: this.aggregatorName,
        accountAggregationSource: { accountIds: [...props.memberAccountIds], ...regionScope },
      });
    }
  }
}

export interface SpokeAggregateAuthorizationProps {
  /** The hub account id (the aggregator's account). */
  readonly hubAccountId: string;
  /** The hub region (the aggregator's region). */
  readonly hubRegion: string;
}

/**
 * Lets the hub's account-based aggregator collect this spoke account-region's Config
 * data. The authorization is a regional object of the source: AWS Config "authorizes
 * the aggregator account and region to collect data from the source account and
 * region", so every spoke account-region carries one (created by that stack's
 * provider region), naming the hub account and hub region. Not needed for an
 * organization aggregator.
 */
export class SpokeAggregateAuthorization extends Construct {
  readonly authorization: ConfigAggregateAuthorization;

  constructor(scope: Construct, id: string, props: SpokeAggregateAuthorizationProps) {
    super(scope, id);
    this.authorization = new ConfigAggregateAuthorization(this, 'authorization', {
      accountId: props.hubAccountId,
      region: props.hubRegion,
    });
  }
}
