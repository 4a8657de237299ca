/**
 * Terraform `removed` blocks (Terraform >= 1.7) with `lifecycle { destroy = false }`:
 * the resource leaves the state, the object stays in AWS. A stack has one top-level
 * `removed` list, and `addOverride('removed', ...)` replaces it whole, so every block of
 * a stack goes through here and the list is kept per stack.
 */
import { IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';

interface RemovedBlock {
  readonly from: string;
  readonly lifecycle: { readonly destroy: false };
}

const lists = new WeakMap<TerraformStack, RemovedBlock[]>();

/** A managed resource address: `type.name` (no module, no data source, no index). */
const ADDRESS = /^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/;

/** Declares that the stack of `scope` no longer manages `address`, without destroying it. */
export function forgetResource(scope: IConstruct, address: string): void {
  if (!ADDRESS.test(address) || /^(data|module)\./.test(address)) {
    throw new Error(`forgetResource: ${JSON.stringify(address)} is not a resource address (type.name)`);
  }
  const stack = TerraformStack.of(scope);
  let list = lists.get(stack);
  if (!list) lists.set(stack, (list = []));
  if (list.some((b) => b.from === address)) return;
  list.push({ from: address, lifecycle: { destroy: false } });
  // Written whole each time: the override holds the complete list of this stack.
  stack.addOverride(
    'removed',
    list.map((b) => ({ from: b.from, lifecycle: { ...b.lifecycle } })),
  );
}
