/** AWS console deep links a reader of the mail can click. */
export const consoleLinks = {
  instance: (region: string, instanceId: string) =>
    `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#InstanceDetails:instanceId=${encodeURIComponent(instanceId)}`,
  managedInstance: (region: string, instanceId: string) =>
    `https://${region}.console.aws.amazon.com/systems-manager/fleet-manager/managed-nodes/${encodeURIComponent(instanceId)}/general?region=${region}`,
  association: (region: string, associationId: string) =>
    `https://${region}.console.aws.amazon.com/systems-manager/state-manager/${encodeURIComponent(associationId)}/description?region=${region}`,
  image: (region: string, imageId: string) =>
    `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#ImageDetails:imageId=${encodeURIComponent(imageId)}`,
  s3Prefix: (region: string, bucket: string, prefix: string) =>
    `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(bucket)}?region=${region}&prefix=${encodeURIComponent(prefix)}`,
  session: (region: string, sessionId: string) =>
    `https://${region}.console.aws.amazon.com/systems-manager/session-manager/sessions?region=${region}#${encodeURIComponent(sessionId)}`,
};
