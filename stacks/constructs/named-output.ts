import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';

/**
 * A stack output under exactly `name` (no construct-path prefix or hash): these are
 * what users read in `terraform output`, so they stay stable and plain. Names must be
 * unique within the stack.
 */
export function namedOutput(scope: Construct, name: string, value: string, description: string): TerraformOutput {
  const output = new TerraformOutput(scope, name, { value, description });
  output.overrideLogicalId(name);
  return output;
}
