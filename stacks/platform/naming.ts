import { AccountConfig } from './config/schema';
import { bucketNameProblem } from './config/common';

/** AWS length limits for the physical names the baseline creates. */
export const NAME_LIMITS = {
  iamRole: 64,
  iamPolicy: 128,
  instanceProfile: 128,
  bucket: 63,
  lambda: 64,
  sqs: 80,
  sns: 256,
  stateMachine: 80,
  schedule: 64,
  eventRule: 64,
  glueDatabase: 255,
  athenaWorkgroup: 128,
  ssmAssociation: 128,
  configRecorder: 256,
  configDeliveryChannel: 256,
  trail: 128,
  /** 256 including the `alias/` prefix that CustomerKey adds. */
  kmsAlias: 256 - 'alias/'.length,
  cloudwatchAlarm: 255,
  /** Also within the 256 of the `Name` tag a group usually carries. */
  securityGroup: 255,
  dynamodbTable: 255,
} as const;

export type NameKind = keyof typeof NAME_LIMITS;

/**
 * Deterministic physical names for one account-region.
 * - regional names (`<prefix>-<purpose>`) are unique within an account-region;
 * - IAM names are account-global, so they carry the region (`<prefix>-<purpose>-<region>`);
 * - bucket names are world-global, so they carry account id and region.
 */
export class Naming {
  constructor(
    readonly prefix: string,
    readonly account: AccountConfig,
    readonly region: string,
  ) {}

  /** A name unique within this account-region (Lambda, SNS, SQS, rules, state machines). */
  regional(purpose: string, kind: NameKind): string {
    return this.check(`${this.prefix}-${purpose}`, kind);
  }

  /** An IAM name: IAM is global per account, so two regions of one account must not collide. */
  iam(purpose: string, kind: 'iamRole' | 'iamPolicy' | 'instanceProfile' = 'iamRole'): string {
    return this.check(`${this.prefix}-${purpose}-${this.region}`, kind);
  }

  /** A bucket name: S3 names are unique across all of AWS. */
  bucket(purpose: string): string {
    const name = this.check(`${this.prefix}-${this.account.id}-${this.region}-${purpose}`, 'bucket');
    // The config schema refuses a namePrefix that makes such names; a purpose must not either.
    const problem = bucketNameProblem(name);
    if (problem) throw new Error(`bucket name "${name}" ${problem}`);
    return name;
  }

  private check(name: string, kind: NameKind): string {
    const limit = NAME_LIMITS[kind];
    if (name.length > limit) {
      // A developer error (a purpose too long for the budget), not a user one: the
      // config schema caps everything a user controls.
      throw new Error(`physical name "${name}" is ${name.length} characters; ${kind} names allow ${limit}`);
    }
    return name;
  }
}

/** Stack name for an account-region. */
export function stackName(account: AccountConfig, region: string): string {
  return `${account.name}-${region}`;
}

/** Stack name of an account's state-bucket bootstrap stack. */
export function bootstrapStackName(account: AccountConfig): string {
  return `${account.name}-bootstrap`;
}
