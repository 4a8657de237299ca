/** The EventBridge pattern of the agent-update results. Pure data, no constructs. */

/** The AWS-owned document the console's one-click "SSM Agent auto update" runs. */
export const AGENT_UPDATE_DOCUMENT = 'AWS-UpdateSSMAgent';

/** detail-type of the event State Manager sends when an instance association run ends. */
export const ASSOCIATION_STATE_CHANGE = 'EC2 State Manager Instance Association State Change';

/**
 * AWS-UpdateSSMAgent results with the given statuses. The association's id would be the
 * tightest filter, but the rule must exist before the association (which runs as soon as
 * it is created), so the id is not known yet: the notifier drops the results of any
 * other association running this document (Quick Setup's, say) by looking its own up by name.
 */
export function associationResultPattern(statuses: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.ssm'],
    'detail-type': [ASSOCIATION_STATE_CHANGE],
    detail: {
      'document-name': [AGENT_UPDATE_DOCUMENT],
      status: [...statuses],
    },
  };
}
