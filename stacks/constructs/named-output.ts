import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';

/** Output names taken in each stack: a second output of the same name would silently replace the first. */
const taken = new WeakMap<TerraformStack, Set<string>>();

/**
 * A stack output under exactly `name` (no construct-path prefix or hash): these are
 * what users read in `terraform output`, so they stay stable and plain. Names must be
 * unique within the stack.
 */
export function namedOutput(scope: Construct, name: string, value: string, description: string): TerraformOutput {
  const stack = TerraformStack.of(scope);
  const names = taken.get(stack) ?? new Set<string>();
  if (names.has(name)) throw new Error(`stack ${stack.node.id} already has an output named ${name}`);
  names.add(name);
  taken.set(stack, names);
  const output = new TerraformOutput(scope, name, { value, description });
  output.overrideLogicalId(name);
  return output;
}
