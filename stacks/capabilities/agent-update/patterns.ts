/** The EventBridge pattern of the agent-update results. Pure data, no constructs. */

/** The AWS-owned document the console's one-click "SSM Agent auto update" runs. */
export const AGENT_UPDATE_DOCUMENT = 'AWS-UpdateSSMAgent';

/** detail-type of the event State Manager sends when an instance association run ends. */
export const ASSOCIATION_STATE_CHANGE = 'EC2 State Manager Instance Association State Change';

/**
 * Results of one association with the given statuses. The association id (known after
 * apply) is the tightest filter the event offers: it excludes every other association,
 * even another one running the same document (Quick Setup's). document-name is implied;
 * it documents intent.
 */
export function associationResultPattern(associationId: string, statuses: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.ssm'],
    'detail-type': [ASSOCIATION_STATE_CHANGE],
    detail: {
      'association-id': [associationId],
      'document-name': [AGENT_UPDATE_DOCUMENT],
      status: [...statuses],
    },
  };
}
