/**
 * Terraform's configuration-driven refactoring, per stack: `moved` blocks (Terraform
 * >= 1.1: a resource changed its address) and `removed` blocks with
 * `lifecycle { destroy = false }` (Terraform >= 1.7: the resource leaves the state, the
 * object stays in AWS). A stack has one top-level list of each, and
 * `addOverride(key, ...)` replaces a list whole, so every block of a stack goes through
 * here. Written as plain JSON rather than with cdktf's moveFromId: that one makes synth
 * run `terraform version` for every stack, and synth needs no terraform.
 */
import { IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';

interface Blocks {
  readonly moved: Array<{ readonly from: string; readonly to: string }>;
  readonly removed: Array<{ readonly from: string; readonly lifecycle: { readonly destroy: false } }>;
}

const blocks = new WeakMap<TerraformStack, Blocks>();

/** A managed resource address: `type.name` (no module, no data source, no index). */
const ADDRESS = /^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/;

function checked(what: string, address: string): string {
  if (!ADDRESS.test(address) || /^(data|module)\./.test(address)) {
    throw new Error(`${what}: ${JSON.stringify(address)} is not a resource address (type.name)`);
  }
  return address;
}

function of(scope: IConstruct): { stack: TerraformStack; list: Blocks } {
  const stack = TerraformStack.of(scope);
  let list = blocks.get(stack);
  if (!list) blocks.set(stack, (list = { moved: [], removed: [] }));
  return { stack, list };
}

/** Declares that the stack of `scope` no longer manages `address`, without destroying it. */
export function forgetResource(scope: IConstruct, address: string): void {
  const { stack, list } = of(scope);
  checked('forgetResource', address);
  if (list.removed.some((b) => b.from === address)) return;
  list.removed.push({ from: address, lifecycle: { destroy: false } });
  stack.addOverride(
    'removed',
    list.removed.map((b) => ({ from: b.from, lifecycle: { ...b.lifecycle } })),
  );
}

/** Declares that the resource at `from` now lives at `to` (same object in AWS, new address). */
export function moveResource(scope: IConstruct, from: string, to: string): void {
  const { stack, list } = of(scope);
  checked('moveResource', from);
  checked('moveResource', to);
  if (list.moved.some((b) => b.from === from)) return;
  list.moved.push({ from, to });
  stack.addOverride(
    'moved',
    list.moved.map((b) => ({ ...b })),
  );
}
