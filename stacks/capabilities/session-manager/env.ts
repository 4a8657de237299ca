/** The login notifier's environment: written by the construct, read by the handler (no cdktf here). */
import { environmentContract } from '../environment';

export interface LoginAlertsSettings {
  readonly accountName: string;
  readonly topicArn: string;
  /** Bucket of the session transcripts. @default - the mail gives no transcript location */
  readonly transcriptBucket?: string;
  /** Key prefix of the transcripts. @default - the bucket root */
  readonly transcriptPrefix?: string;
  /** CloudWatch Logs group of session output. @default - sessions are not logged to CloudWatch */
  readonly sessionLogGroup?: string;
  /** The spokes' read-only role, assumed for events of another account (the hub's notifier). @default - no hub: only this account is read */
  readonly readRoleName?: string;
}

export const LOGIN_ALERTS_ENVIRONMENT = environmentContract<LoginAlertsSettings>(
  {
    accountName: 'ACCOUNT_NAME',
    topicArn: 'TOPIC_ARN',
    transcriptBucket: 'TRANSCRIPT_BUCKET',
    transcriptPrefix: 'TRANSCRIPT_PREFIX',
    sessionLogGroup: 'SESSION_LOG_GROUP',
    readRoleName: 'HUB_READ_ROLE_NAME',
  },
  ['accountName', 'topicArn'],
);
