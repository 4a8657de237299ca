import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfig, BaselineConfigInput } from '../../stacks/platform/config/schema';
import { INTERFACE_ENDPOINT_SERVICES, ROOT_DEVICE_NAME, amiParameter } from '../../stacks/capabilities/session-manager/bastion';
import { INSTANCE_FAMILY_ARCHITECTURE, MAC_FAMILIES } from '../../stacks/capabilities/session-manager/config';
import { ConfigError } from '../../stacks/platform/config/load';
import { ROOT, StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';

const REGION = 'ap-northeast-1';
const exampleInput = (): BaselineConfigInput => JSON.parse(readFileSync(join(ROOT, 'config', 'example-bastion.json'), 'utf8'));
const example = (): BaselineConfig => parseConfig(exampleInput(), 'config/example-bastion.json');
const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;

describe('session manager bastion: example-bastion.json', () => {
  let s: StackJson;
  let sgId: string;
  let endpointSgId: string;
  beforeAll(() => {
    s = synthStack(example());
    sgId = findResource(s, 'aws_security_group', (g) => g.name === 'ssmb-session-bastion')[0];
    endpointSgId = findResource(s, 'aws_security_group', (g) => g.name === 'ssmb-session-endpoints')[0];
  });

  it('runs Amazon Linux 2023 from the public parameter with the managed-instance profile, IMDSv2 only, an encrypted disk and no way in', () => {
    const [ltId, template] = findResource(s, 'aws_launch_template');
    const [, instance] = findResource(s, 'aws_instance');
    const [profileId] = findResource(s, 'aws_iam_instance_profile', (p) => p.name === `ssmb-managed-instance-${REGION}`);
    // The image, the disk and the metadata service come from the launch template...
    expect(template).toMatchObject({
      name: 'ssmb-session-bastion',
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [
        { device_name: ROOT_DEVICE_NAME, ebs: { encrypted: 'true', volume_type: 'gp3', delete_on_termination: 'true' } },
      ],
    });
    expect(ROOT_DEVICE_NAME).toBe('/dev/xvda');
    expect(template.block_device_mappings[0].ebs).not.toHaveProperty('volume_size'); // the image's size unless configured
    expect(template).not.toHaveProperty('key_name');
    expect(template).not.toHaveProperty('user_data');
    expect(template).not.toHaveProperty('network_interfaces');
    // ...and the instance launches from its current version, with network and profile of its own.
    expect(instance).toMatchObject({
      launch_template: { id: ref('aws_launch_template', ltId, 'id'), version: ref('aws_launch_template', ltId, 'latest_version') },
      instance_type: 't4g.micro',
      subnet_id: 'subnet-0a1b2c3d4e5f60718',
      vpc_security_group_ids: [ref('aws_security_group', sgId, 'id')],
      iam_instance_profile: ref('aws_iam_instance_profile', profileId, 'name'),
      associate_public_ip_address: false,
    });
    // The resolve:ssm: string never reaches aws_instance: with root_block_device the
    // provider would DescribeImages it and fail (terraform-provider-aws#43488).
    for (const attr of ['ami', 'root_block_device', 'ebs_block_device', 'metadata_options', 'key_name', 'user_data', 'lifecycle']) {
      expect([attr, instance[attr]]).toEqual([attr, undefined]);
    }
    expect(JSON.stringify(instance)).not.toContain('resolve:ssm');
    expect(s.data?.aws_ami).toBeUndefined();
  });

  it('has no inbound rule, and HTTPS out only to the endpoints and the S3 prefix list', () => {
    const [, sg] = findResource(s, 'aws_security_group', (g) => g.name === 'ssmb-session-bastion');
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    const ownRules = (type: string) =>
      Object.values(resourcesOf(s, type)).filter((r) => r.security_group_id === ref('aws_security_group', sgId, 'id'));
    expect(ownRules('aws_vpc_security_group_ingress_rule')).toEqual([]);
    const [s3Id] = findResource(s, 'aws_vpc_endpoint', (e) => e.vpc_endpoint_type === 'Gateway');
    expect(ownRules('aws_vpc_security_group_egress_rule').map(({ description, ...rule }) => rule)).toEqual([
      {
        security_group_id: ref('aws_security_group', sgId, 'id'),
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        referenced_security_group_id: ref('aws_security_group', endpointSgId, 'id'),
      },
      {
        security_group_id: ref('aws_security_group', sgId, 'id'),
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        prefix_list_id: ref('aws_vpc_endpoint', s3Id, 'prefix_list_id'),
      },
    ]);
  });

  it('creates private-DNS interface endpoints for the agent and an S3 gateway on the route tables', () => {
    const endpoints = Object.values(resourcesOf(s, 'aws_vpc_endpoint'));
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => e.service_name).sort()).toEqual(
      INTERFACE_ENDPOINT_SERVICES.map((svc) => `com.amazonaws.${REGION}.${svc}`).sort(),
    );
    for (const e of interfaces) {
      expect(e).toMatchObject({
        vpc_id: 'vpc-0a1b2c3d4e5f60718',
        private_dns_enabled: true,
        subnet_ids: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
        security_group_ids: [ref('aws_security_group', endpointSgId, 'id')],
      });
    }
    expect(endpoints.find((e) => e.vpc_endpoint_type === 'Gateway')).toMatchObject({
      service_name: `com.amazonaws.${REGION}.s3`,
      route_table_ids: ['rtb-0a1b2c3d4e5f60718'],
    });
    const ingress = Object.values(resourcesOf(s, 'aws_vpc_security_group_ingress_rule')).filter(
      (r) => r.security_group_id === ref('aws_security_group', endpointSgId, 'id'),
    );
    expect(ingress.map(({ description, ...rule }) => rule)).toEqual([
      {
        security_group_id: ref('aws_security_group', endpointSgId, 'id'),
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        referenced_security_group_id: ref('aws_security_group', sgId, 'id'),
      },
      {
        security_group_id: ref('aws_security_group', endpointSgId, 'id'),
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        cidr_ipv4: '10.20.0.0/16',
      },
    ]);
  });

  it('lets operators start sessions on the bastion', () => {
    const [instanceId] = findResource(s, 'aws_instance');
    const [, policy] = findResource(s, 'aws_iam_policy', (p) => p.name === `ssmb-session-operator-${REGION}`);
    const targets = policyStatements(s, policy.policy).find((st) => st.sid === 'StartSessionOnTargets')!;
    expect(targets.resources).toEqual([ref('aws_instance', instanceId, 'arn')]);
    expect(s.output).toHaveProperty('session_manager_bastion_instance_id.value', ref('aws_instance', instanceId, 'id'));
  });
});

describe('session manager bastion: placement and defaults', () => {
  const bastion = {
    enabled: true,
    accountId: '111111111111',
    region: REGION,
    vpcId: 'vpc-0123456789abcdef0',
    subnetId: 'subnet-0123456789abcdef0',
  };
  const cfg = () =>
    testConfig({ accounts: [{ id: '111111111111', name: 'prod', regions: [REGION, 'us-east-1'] }], sessionManager: { bastion } });

  it('exists only in its own account-region', () => {
    expect(Object.keys(resourcesOf(synthStack(cfg(), 0, REGION), 'aws_instance'))).toHaveLength(1);
    const other = synthStack(cfg(), 0, 'us-east-1');
    expect(resourcesOf(other, 'aws_instance')).toEqual({});
    expect(resourcesOf(other, 'aws_launch_template')).toEqual({});
    expect(resourcesOf(other, 'aws_security_group')).toEqual({});
  });

  it('without endpoints: x86_64 image and HTTPS out to anywhere, nothing else', () => {
    const s = synthStack(cfg(), 0, REGION);
    expect(findResource(s, 'aws_launch_template')[1].image_id).toBe(
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
    expect(resourcesOf(s, 'aws_vpc_endpoint')).toEqual({});
    expect(
      Object.values(resourcesOf(s, 'aws_vpc_security_group_egress_rule')).map(({ description, security_group_id, ...rule }) => rule),
    ).toEqual([{ ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' }]);
    expect(resourcesOf(s, 'aws_vpc_security_group_ingress_rule')).toEqual({});
  });

  it('sizes the root volume in the template when configured', () => {
    const sized = testConfig({
      accounts: [{ id: '111111111111', name: 'prod', regions: [REGION] }],
      sessionManager: { bastion: { ...bastion, rootVolumeSizeGiB: 30 } },
    });
    const [, template] = findResource(synthStack(sized, 0, REGION), 'aws_launch_template');
    expect(template.block_device_mappings).toEqual([
      { device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_type: 'gp3', delete_on_termination: 'true', volume_size: 30 } },
    ]);
  });

  it('picks the image architecture from the instance family table (A1 is arm64 too)', () => {
    const image = (t: string) => /al2023-ami-kernel-default-(x86_64|arm64)$/.exec(amiParameter(t))?.[1];
    for (const t of [
      'a1.large',
      'a1.metal',
      't4g.nano',
      'm7g.large',
      'c7gn.xlarge',
      'g5g.xlarge',
      'r8g.medium',
      'm6gd.large',
      'p6e-gb200.36xlarge',
    ])
      expect([t, image(t)]).toEqual([t, 'arm64']);
    for (const t of ['t3.micro', 'm7i-flex.large', 'g5.xlarge', 'c6in.large', 'u-6tb1.metal', 'p6-b200.48xlarge', 'c8id.metal-48xl'])
      expect([t, image(t)]).toEqual([t, 'x86_64']);
  });

  it('knows every family of the table, and exactly the Graviton, A1 and Grace families are arm64', () => {
    // Arm families of the EC2 Instance Types guide (Graviton 1-4, A1, P6e with NVIDIA Grace).
    const arm = new Set(
      (
        'a1 t4g m6g m6gd m7g m7gd m8g m8gb m8gd m8gn c6g c6gd c6gn c7g c7gd c7gn c8g c8gd c8gn r6g r6gd r7g r7gd r8g r8gd ' +
        'x2gd x8g i4g i8g i8ge im4gn is4gen g5g hpc7g p6e-gb200'
      ).split(' '),
    );
    const families = Object.entries(INSTANCE_FAMILY_ARCHITECTURE);
    expect(families.length).toBeGreaterThan(150);
    for (const [family, arch] of families) {
      expect([family, arch]).toEqual([family, arm.has(family) ? 'arm64' : 'x86_64']);
      expect([family, amiParameter(`${family}.large`)]).toEqual([family, expect.stringMatching(new RegExp(`-${arch}$`))]);
      // Every listed family passes the config schema.
      expect([family, bastionErrors(`${family}.large`)]).toEqual([family, []]);
    }
    for (const family of arm) expect([family, INSTANCE_FAMILY_ARCHITECTURE[family]]).toEqual([family, 'arm64']);
  });

  it('refuses a family it does not know, and Mac families, by field instead of guessing an image', () => {
    expect(bastionErrors('t5.micro')).toEqual([
      expect.stringMatching(/^sessionManager\.bastion\.instanceType: family "t5" is not one the bastion knows the architecture of/),
    ]);
    expect(bastionErrors('micro')).toEqual([expect.stringMatching(/^sessionManager\.bastion\.instanceType: must be an EC2 instance type/)]);
    expect(bastionErrors('z9gx.large')).toEqual([expect.stringMatching(/^sessionManager\.bastion\.instanceType: family "z9gx"/)]);
    for (const family of MAC_FAMILIES) {
      expect(bastionErrors(`${family}.metal`)).toEqual([
        expect.stringMatching(/^sessionManager\.bastion\.instanceType: .* runs macOS only/),
      ]);
    }
  });

  /** The config errors of an enabled bastion with this instance type. */
  function bastionErrors(instanceType: string): string[] {
    try {
      testConfig({
        accounts: [{ id: '111111111111', name: 'prod', regions: [REGION] }],
        sessionManager: { bastion: { ...bastion, instanceType } },
      });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  }
});
