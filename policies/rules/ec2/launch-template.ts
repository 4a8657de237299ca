// What an instance inherits from the launch template it is launched from. EC2 takes each
// setting the instance leaves unset from the template, so the EC2 rules judge an
// instance by its own settings first and then by its template's.
import type { Resource, StackModel, Values } from '../../model';
import { block, blocks } from '../../statements';

/** Device names AMIs give their root volume (Amazon Linux: /dev/xvda; Ubuntu, RHEL, Windows: /dev/sda1). */
export const ROOT_DEVICE_NAMES: readonly string[] = ['/dev/xvda', '/dev/sda1', '/dev/sda', 'xvda', 'sda1'];

/** The stack's launch template the instance names (by id or name, reference or literal), if any. */
export function launchTemplateOf(stack: StackModel, instance: Resource): Resource | undefined {
  const spec = block(instance.values.launch_template);
  if (!spec) return undefined;
  return stack.byType('aws_launch_template').find((t) => stack.refersTo(spec.id, t) || stack.refersTo(spec.name, t));
}

/** A setting of the instance, or when the instance leaves it unset, of its launch template. */
export interface Effective<T> {
  readonly value: T | undefined;
  /** The template it came from; undefined when the instance sets it itself (or neither does). */
  readonly template?: Resource;
}

export function effective<T>(instance: Resource, template: Resource | undefined, read: (values: Values) => T | undefined): Effective<T> {
  const own = read(instance.values);
  if (own !== undefined || !template) return { value: own };
  const inherited = read(template.values);
  return inherited === undefined ? { value: undefined } : { value: inherited, template };
}

/** The template's mapping of the image's root device, if it maps one. */
export function rootDeviceMapping(template: Resource): Values | undefined {
  return blocks(template.values.block_device_mappings).find(
    (m) => typeof m.device_name === 'string' && ROOT_DEVICE_NAMES.includes(m.device_name),
  );
}

/** ` (from launch template aws_launch_template.x)` for messages. */
export function fromTemplate(e: Effective<unknown>): string {
  return e.template ? ` (from launch template ${e.template.address})` : '';
}
