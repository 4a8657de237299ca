// Every EBS volume the stack creates (root, attached, standalone, launch template) is
// encrypted. An instance without root_block_device gets its root volume from its launch
// template's mapping of the root device.
import { Rule, Violation } from '../../types';
import { block, blocks, isTrue } from '../../statements';
import { launchTemplateOf, rootDeviceMapping } from './launch-template';

export const EncryptedVolumes: Rule = {
  id: 'SSMB-EC2-002',
  name: 'EncryptedVolumes',
  service: 'ec2',
  title: 'Encrypted EBS volumes',
  severity: 'high',
  rationale: 'Unencrypted volumes and their snapshots expose the disk to anyone who can copy or share a snapshot.',
  fix: "Set encrypted = true on root_block_device (or the launch template's mapping of the root device), every ebs_block_device, block_device_mappings entry and aws_ebs_volume (optionally kms_key_id).",
  check(stack) {
    const out: Violation[] = [];
    for (const i of stack.byType('aws_instance')) {
      const root = block(i.values.root_block_device);
      const template = root ? undefined : launchTemplateOf(stack, i);
      if (template) {
        const mapping = rootDeviceMapping(template);
        if (!mapping)
          out.push({
            address: i.address,
            subject: 'root_block_device',
            message: `root volume is not encrypted: launch template ${template.address} maps no root device`,
          });
        else if (!isTrue(block(mapping.ebs)?.encrypted))
          out.push({
            address: i.address,
            subject: 'root_block_device',
            message: `root volume is not encrypted (launch template ${template.address}, ${mapping.device_name})`,
          });
      } else if (!isTrue(root?.encrypted))
        out.push({ address: i.address, subject: 'root_block_device', message: 'root volume is not encrypted' });
      blocks(i.values.ebs_block_device).forEach((d, n) => {
        if (!isTrue(d.encrypted))
          out.push({
            address: i.address,
            subject: String(d.device_name ?? n),
            message: `EBS volume ${d.device_name ?? n} is not encrypted`,
          });
      });
    }
    for (const v of stack.byType('aws_ebs_volume')) {
      if (!isTrue(v.values.encrypted)) out.push({ address: v.address, message: 'is not encrypted' });
    }
    for (const t of stack.byType('aws_launch_template')) {
      blocks(t.values.block_device_mappings).forEach((m, n) => {
        if (!isTrue(block(m.ebs)?.encrypted))
          out.push({
            address: t.address,
            subject: String(m.device_name ?? n),
            message: `block device ${m.device_name ?? n} is not encrypted`,
          });
      });
    }
    return out;
  },
};
