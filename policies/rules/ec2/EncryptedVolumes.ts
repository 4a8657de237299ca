// Every EBS volume the stack creates (root, attached, standalone, launch template) is encrypted.
import { Rule, Violation } from '../../types';
import { block, blocks, isTrue } from '../../statements';

export const EncryptedVolumes: Rule = {
  id: 'SSMB-EC2-002',
  name: 'EncryptedVolumes',
  service: 'ec2',
  title: 'Encrypted EBS volumes',
  severity: 'high',
  rationale: 'Unencrypted volumes and their snapshots expose the disk to anyone who can copy or share a snapshot.',
  fix: 'Set encrypted = true on root_block_device, every ebs_block_device and aws_ebs_volume (optionally kms_key_id).',
  check(stack) {
    const out: Violation[] = [];
    for (const i of stack.byType('aws_instance')) {
      if (!isTrue(block(i.values.root_block_device)?.encrypted)) out.push({ address: i.address, subject: 'root_block_device', message: 'root volume is not encrypted' });
      blocks(i.values.ebs_block_device).forEach((d, n) => {
        if (!isTrue(d.encrypted)) out.push({ address: i.address, subject: String(d.device_name ?? n), message: `EBS volume ${d.device_name ?? n} is not encrypted` });
      });
    }
    for (const v of stack.byType('aws_ebs_volume')) {
      if (!isTrue(v.values.encrypted)) out.push({ address: v.address, message: 'is not encrypted' });
    }
    for (const t of stack.byType('aws_launch_template')) {
      blocks(t.values.block_device_mappings).forEach((m, n) => {
        if (!isTrue(block(m.ebs)?.encrypted)) out.push({ address: t.address, subject: String(m.device_name ?? n), message: `block device ${m.device_name ?? n} is not encrypted` });
      });
    }
    return out;
  },
};
