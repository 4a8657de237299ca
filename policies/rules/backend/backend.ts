// Shared by the backend rules: findings on the backend use this address.
import type { StackModel } from '../../model';

export const backendAddress = (stack: StackModel) => `terraform.backend.${stack.backend?.type ?? 'none'}`;

/** The S3 backend's settings, or undefined (local backends, e.g. the state-bucket bootstrap, are out of scope). */
export function s3Backend(stack: StackModel): Record<string, any> | undefined {
  return stack.backend?.type === 's3' ? stack.backend.config : undefined;
}
