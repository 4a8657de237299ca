/**
 * IAM simulation over a synthesized stack, for least-privilege tables in jest.
 * Built on @cloud-copilot/iam-simulate (AGPL: devDependency only, never import this
 * file, or that package, from stacks/, lambda/ or policies/).
 *
 * Usage:
 *   const stack = synthStack(testConfig());            // or readStacks(dir)[name]
 *   const sim = iamSim(stack);                         // account + region from the stack's aws provider
 *   const bucket = sim.arn('aws_s3_bucket', 'ssmb-111111111111-ap-northeast-1-logs'); // logical id or physical name
 *
 *   // identity: every policy of the role (inline, inline_policy, customer managed,
 *   // pinned AWS managed) plus the target's resource policy when the stack has one
 *   await sim.canRole('ssmb-notifier-ap-northeast-1', 'sns:Publish', topicArn);      // 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied'
 *   // resource policies (bucket, topic, queue, KMS key, Lambda permissions): target is an ARN or `type.logicalId`
 *   await sim.canResource(topicArn, 'events.amazonaws.com', 'sns:Publish', topicArn, { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': acct });
 *   // trust policies
 *   await sim.canAssume(roleName, 'scheduler.amazonaws.com', { 'aws:SourceAccount': acct, 'aws:SourceArn': groupArn });
 *
 *   // tables: every row that does not get the expected answer, so `toEqual([])` prints the culprits
 *   expect(await sim.roleTable(role, { allowed: [['s3:PutObject', `${bucket}/x/1`]], denied: [['s3:PutObject', `${other}/x/1`], ...] })).toEqual([]);
 *   expect(await sim.resourceTable(topicArn, { allowed: [[principal, action, resource?, ctx?]], denied: [...] })).toEqual([]);
 *   expect(await sim.trustTable(role, { allowed: [[principal, ctx?]], denied: [...] })).toEqual([]);
 *
 * Every request gets `aws:SecureTransport: "true"` unless the context says otherwise.
 * Terraform references in policies (`${aws_sns_topic.X.arn}`, `${aws_s3_bucket.X.bucket}`,
 * `${data.aws_iam_policy_document.X.json}`, ...) resolve to concrete values computed
 * from each resource's body (see RESOLVERS; add a resource type there when the helper
 * says it does not know one). AWS-managed policies resolve from MANAGED_POLICIES, a
 * pinned copy; a role with any other AWS-managed attachment makes canRole throw
 * unless `{ ignoreManagedPolicies: [arn] }` says the answer may exclude it.
 */
import { createHash } from 'node:crypto';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { IamPolicy, PolicyDocumentBody, policyDocumentRef, renderPolicyDocument } from '../../policies/document';
import type { StackJson } from './synth';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
export type Context = Record<string, string | string[]>;

export interface SimEnv {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

type Body = Record<string, any>;

/** What a resolver gets: the resource, the environment, and a way to read a body field as a concrete string. */
export interface ResolverInput {
  readonly body: Body;
  readonly logicalId: string;
  readonly env: SimEnv;
  /** A body field as a concrete string (inner references resolved); throws when absent. */
  readonly str: (field: string) => string;
  /** A body field as a concrete string, or the default. */
  readonly opt: (field: string, fallback: string) => string;
  /** A deterministic fake id for attributes AWS assigns (key ids, instance ids). */
  readonly fakeId: (length?: number) => string;
}

/** Attributes of one resource: `${type.logicalId.<attr>}` resolves to `attrs[attr]`. */
export type Resolver = (r: ResolverInput) => Record<string, string>;

const regional = (r: ResolverInput, service: string, resource: string) =>
  `arn:${r.env.partition}:${service}:${r.env.region}:${r.env.accountId}:${resource}`;
const global = (r: ResolverInput, service: string, resource: string) => `arn:${r.env.partition}:${service}::${r.env.accountId}:${resource}`;
const iamPath = (r: ResolverInput) => r.opt('path', '/');

/**
 * Per resource type: the attributes policies reference, computed from the body the way
 * AWS names them. Extend this table (small additive edit) for a type you add.
 */
export const RESOLVERS: Record<string, Resolver> = {
  aws_s3_bucket: (r) => {
    const name = r.str('bucket');
    return {
      id: name,
      bucket: name,
      arn: `arn:${r.env.partition}:s3:::${name}`,
      bucket_regional_domain_name: `${name}.s3.${r.env.region}.amazonaws.com`,
    };
  },
  aws_sns_topic: (r) => {
    const arn = regional(r, 'sns', r.str('name'));
    return { id: arn, arn, name: r.str('name') };
  },
  aws_sqs_queue: (r) => {
    const name = r.str('name');
    const url = `https://sqs.${r.env.region}.amazonaws.com/${r.env.accountId}/${name}`;
    return { id: url, url, name, arn: regional(r, 'sqs', name) };
  },
  aws_kms_key: (r) => {
    const h = r.fakeId(32);
    const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    return { id: keyId, key_id: keyId, arn: regional(r, 'kms', `key/${keyId}`) };
  },
  aws_kms_alias: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'kms', r.str('name')) }),
  aws_cloudwatch_log_group: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'logs', `log-group:${r.str('name')}`) }),
  aws_lambda_function: (r) => {
    const name = r.str('function_name');
    const arn = regional(r, 'lambda', `function:${name}`);
    return {
      id: name,
      function_name: name,
      arn,
      qualified_arn: `${arn}:$LATEST`,
      invoke_arn: `arn:${r.env.partition}:apigateway:${r.env.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
    };
  },
  aws_iam_role: (r) => ({
    id: r.str('name'),
    name: r.str('name'),
    arn: global(r, 'iam', `role${iamPath(r)}${r.str('name')}`),
    unique_id: `AROA${r.fakeId(17).toUpperCase()}`,
  }),
  aws_iam_policy: (r) => {
    const arn = global(r, 'iam', `policy${iamPath(r)}${r.str('name')}`);
    return { id: arn, arn, name: r.str('name'), policy_id: `ANPA${r.fakeId(17).toUpperCase()}` };
  },
  aws_iam_instance_profile: (r) => ({
    id: r.str('name'),
    name: r.str('name'),
    arn: global(r, 'iam', `instance-profile${iamPath(r)}${r.str('name')}`),
  }),
  aws_cloudwatch_event_rule: (r) => {
    const bus = r.opt('event_bus_name', 'default');
    const name = r.str('name');
    const path = bus === 'default' ? name : `${bus}/${name}`;
    return { id: bus === 'default' ? name : `${bus}/${name}`, name, arn: regional(r, 'events', `rule/${path}`) };
  },
  aws_cloudwatch_event_bus: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'events', `event-bus/${r.str('name')}`) }),
  aws_cloudwatch_metric_alarm: (r) => ({
    id: r.str('alarm_name'),
    alarm_name: r.str('alarm_name'),
    arn: regional(r, 'cloudwatch', `alarm:${r.str('alarm_name')}`),
  }),
  aws_sfn_state_machine: (r) => {
    const arn = regional(r, 'states', `stateMachine:${r.str('name')}`);
    return { id: arn, arn, name: r.str('name') };
  },
  aws_scheduler_schedule_group: (r) => ({
    id: r.str('name'),
    name: r.str('name'),
    arn: regional(r, 'scheduler', `schedule-group/${r.str('name')}`),
  }),
  aws_scheduler_schedule: (r) => {
    const group = r.opt('group_name', 'default');
    return { id: `${group}/${r.str('name')}`, name: r.str('name'), arn: regional(r, 'scheduler', `schedule/${group}/${r.str('name')}`) };
  },
  aws_ssm_document: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'ssm', `document/${r.str('name')}`) }),
  aws_ssm_parameter: (r) => {
    const name = r.str('name');
    return { id: name, name, arn: regional(r, 'ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`) };
  },
  aws_ssm_association: (r) => {
    const h = r.fakeId(32);
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    return { id, association_id: id, arn: regional(r, 'ssm', `association/${id}`) };
  },
  aws_glue_catalog_database: (r) => ({
    id: `${r.env.accountId}:${r.str('name')}`,
    name: r.str('name'),
    arn: regional(r, 'glue', `database/${r.str('name')}`),
  }),
  aws_glue_catalog_table: (r) => ({
    id: `${r.env.accountId}:${r.str('database_name')}:${r.str('name')}`,
    name: r.str('name'),
    arn: regional(r, 'glue', `table/${r.str('database_name')}/${r.str('name')}`),
  }),
  aws_athena_workgroup: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'athena', `workgroup/${r.str('name')}`) }),
  aws_dynamodb_table: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'dynamodb', `table/${r.str('name')}`) }),
  aws_cloudtrail: (r) => ({ id: r.str('name'), name: r.str('name'), arn: regional(r, 'cloudtrail', `trail/${r.str('name')}`) }),
  aws_config_configuration_recorder: (r) => ({ id: r.opt('name', 'default'), name: r.opt('name', 'default') }),
  aws_config_delivery_channel: (r) => ({ id: r.opt('name', 'default'), name: r.opt('name', 'default') }),
  aws_instance: (r) => {
    const id = `i-${r.fakeId(17)}`;
    return { id, arn: regional(r, 'ec2', `instance/${id}`) };
  },
  aws_security_group: (r) => {
    const id = `sg-${r.fakeId(17)}`;
    return { id, arn: regional(r, 'ec2', `security-group/${id}`) };
  },
};

/**
 * AWS-managed policies the project attaches, pinned from AWS's published default
 * version so simulations include them. Compare with the AWS Managed Policy Reference
 * when AWS publishes a new version.
 */
export const MANAGED_POLICIES: Record<string, { version: string; policy: IamPolicy }> = {
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore': {
    version: 'v2',
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ssm:DescribeAssociation',
            'ssm:GetDeployablePatchSnapshotForInstance',
            'ssm:GetDocument',
            'ssm:DescribeDocument',
            'ssm:GetManifest',
            'ssm:GetParameter',
            'ssm:GetParameters',
            'ssm:ListAssociations',
            'ssm:ListInstanceAssociations',
            'ssm:PutInventory',
            'ssm:PutComplianceItems',
            'ssm:PutConfigurePackageResult',
            'ssm:UpdateAssociationStatus',
            'ssm:UpdateInstanceAssociationStatus',
            'ssm:UpdateInstanceInformation',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: [
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: [
            'ec2messages:AcknowledgeMessage',
            'ec2messages:DeleteMessage',
            'ec2messages:FailMessage',
            'ec2messages:GetEndpoint',
            'ec2messages:GetMessages',
            'ec2messages:SendReply',
          ],
          Resource: '*',
        },
      ],
    },
  },
};

/** The policies that apply to a role. */
export interface RolePolicies {
  readonly roleArn: string;
  readonly policies: Array<{ name: string; policy: IamPolicy }>;
  /** AWS-managed policies attached to the role that MANAGED_POLICIES does not pin. */
  readonly unknownManaged: string[];
}

export interface RoleOptions {
  /** AWS-managed policy ARNs the answer may leave out (they must be attached; otherwise canRole throws). */
  readonly ignoreManagedPolicies?: string[];
  /** Also evaluate the target resource's policy when the stack has one. @default true */
  readonly withResourcePolicy?: boolean;
  /** The target's policy from another stack (a resource in another account). @default - the one this stack declares */
  readonly resourcePolicy?: IamPolicy;
}

/** `[action, resource, context?]` */
export type RoleRow = [string, string, Context?];
/** `[principal, action, resource?, context?]` */
export type ResourceRow = [string, string, string?, Context?];
/** `[principal, context?]` */
export type TrustRow = [string, Context?];
export interface Table<Row> {
  readonly allowed: Row[];
  readonly denied: Row[];
}

// `$${...}` is Terraform's escape for a literal `${...}` (IAM policy variables such as
// `$${aws:userid}`): it resolves to the variable, not to a reference.
const REF = /\$?\$\{([^{}]*)\}/g;

export class IamSim {
  readonly env: SimEnv;
  private readonly attrs = new Map<string, Record<string, string>>();
  private readonly resolving = new Set<string>();

  constructor(
    readonly stack: StackJson,
    env: Partial<SimEnv> = {},
  ) {
    const aws = (stack.provider?.aws?.[0] ?? {}) as { allowed_account_ids?: string[]; region?: string };
    const accountId = env.accountId ?? aws.allowed_account_ids?.[0];
    const region = env.region ?? aws.region;
    if (!accountId || !region)
      throw new Error('iam-sim: pass { accountId, region }: the stack has no aws provider with allowed_account_ids and region');
    this.env = { accountId, region, partition: env.partition ?? 'aws' };
  }

  // ---- resolution ------------------------------------------------------------------

  /** A string with every `${type.name.attr}` replaced by its concrete value. */
  resolveString(text: string): string {
    return text.replace(REF, (match: string, expr: string) =>
      match.startsWith('$$') ? match.slice(1) : this.resolveExpression(expr.trim()),
    );
  }

  /** Deeply resolves every string of a value (skipping cdktf's `//` metadata). */
  resolve<T>(value: T): T {
    if (typeof value === 'string') return this.resolveString(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== '//')
          .map(([k, v]) => [k, this.resolve(v)]),
      ) as T;
    }
    return value;
  }

  private resolveExpression(expr: string): string {
    const data = /^data\.aws_iam_policy_document\.([^.]+)\.(json|minified_json)$/.exec(expr);
    if (data) return JSON.stringify(this.document(data[1]));
    const m = /^([a-z0-9_]+)\.([^.\s]+)\.([a-z_]+)$/.exec(expr);
    if (!m) throw new Error(`iam-sim: cannot resolve \${${expr}} (only resource attributes and aws_iam_policy_document are supported)`);
    const [, type, id, attr] = m;
    const value = this.attributes(type, id)[attr];
    if (value === undefined)
      throw new Error(
        `iam-sim: RESOLVERS.${type} has no attribute "${attr}" (needed by \${${expr}}); add it in __tests__/helpers/iam-sim.ts`,
      );
    return value;
  }

  /** All resolved attributes of one resource, by logical id. */
  attributes(type: string, logicalId: string): Record<string, string> {
    const key = `${type}.${logicalId}`;
    const cached = this.attrs.get(key);
    if (cached) return cached;
    const resolver = RESOLVERS[type];
    if (!resolver) throw new Error(`iam-sim: no resolver for ${type}; add one to RESOLVERS in __tests__/helpers/iam-sim.ts`);
    const body = this.stack.resource?.[type]?.[logicalId] as Body | undefined;
    if (!body) throw new Error(`iam-sim: no resource ${key} in the stack`);
    if (this.resolving.has(key)) throw new Error(`iam-sim: reference cycle through ${key}`);
    this.resolving.add(key);
    try {
      const read = (field: string): string | undefined => {
        const v = body[field];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`iam-sim: ${key}.${field} is not a string`);
        return this.resolveString(String(v));
      };
      const attrs = resolver({
        body,
        logicalId,
        env: this.env,
        str: (field) => {
          const v = read(field);
          if (v === undefined) throw new Error(`iam-sim: ${key} has no ${field} (name prefixes and generated names cannot be simulated)`);
          return v;
        },
        opt: (field, fallback) => read(field) ?? fallback,
        fakeId: (length = 17) => createHash('sha256').update(key).digest('hex').slice(0, length),
      });
      this.attrs.set(key, attrs);
      return attrs;
    } finally {
      this.resolving.delete(key);
    }
  }

  /**
   * ARN of a resource given by logical id, physical name (any attribute value, e.g.
   * a bucket name or function name) or `type.logicalId` address.
   */
  arn(type: string, idOrName: string): string {
    return this.attributes(type, this.logicalId(type, idOrName)).arn;
  }

  /** Logical id of a resource given by logical id, address or any resolved attribute value. */
  logicalId(type: string, idOrName: string): string {
    const bodies = this.stack.resource?.[type] ?? {};
    const id = idOrName.startsWith(`${type}.`) ? idOrName.slice(type.length + 1) : idOrName;
    if (bodies[id]) return id;
    const hits = Object.keys(bodies).filter((lid) => {
      try {
        return Object.values(this.attributes(type, lid)).includes(idOrName);
      } catch {
        return false; // a resource the resolver cannot name is not the one asked for
      }
    });
    if (hits.length !== 1) {
      throw new Error(
        `iam-sim: ${hits.length === 0 ? 'no' : 'more than one'} ${type} named ${idOrName}; have ${Object.keys(bodies).join(', ') || 'none'}`,
      );
    }
    return hits[0];
  }

  /** An `aws_iam_policy_document` data source rendered to IAM JSON with references resolved. */
  document(name: string): IamPolicy {
    const body = this.stack.data?.aws_iam_policy_document?.[name] as PolicyDocumentBody | undefined;
    if (!body) throw new Error(`iam-sim: no data.aws_iam_policy_document.${name}`);
    return renderPolicyDocument(this.resolve(body), (entry) => JSON.parse(entry) as IamPolicy);
  }

  /** A policy attribute (document reference, JSON string or object) as IAM JSON. */
  policy(value: unknown): IamPolicy {
    if (typeof value === 'string') {
      const doc = policyDocumentRef(value);
      if (doc) return this.document(doc);
      const text = this.resolveString(value);
      try {
        return JSON.parse(text) as IamPolicy;
      } catch {
        throw new Error(`iam-sim: policy is not JSON after resolution: ${text.slice(0, 120)}`);
      }
    }
    if (value && typeof value === 'object') return this.resolve(value) as IamPolicy;
    throw new Error(`iam-sim: not a policy: ${JSON.stringify(value)}`);
  }

  // ---- what applies ------------------------------------------------------------------

  private resources(type: string): Array<[string, Body]> {
    return Object.entries(this.stack.resource?.[type] ?? {}) as Array<[string, Body]>;
  }

  /** Every policy that applies to a role (logical id, address, name or ARN). */
  rolePolicies(role: string): RolePolicies {
    const lid = this.logicalId('aws_iam_role', role);
    const body = this.stack.resource!.aws_iam_role[lid] as Body;
    const { name, arn: roleArn } = this.attributes('aws_iam_role', lid);
    const policies: RolePolicies['policies'] = [];
    const unknownManaged: string[] = [];
    const addManaged = (policyArn: string, via: string) => {
      const customer = this.resources('aws_iam_policy').find(([id]) => this.attributes('aws_iam_policy', id).arn === policyArn);
      if (customer) policies.push({ name: `aws_iam_policy.${customer[0]} (${via})`, policy: this.policy(customer[1].policy) });
      else if (MANAGED_POLICIES[policyArn]) policies.push({ name: `${policyArn} (${via})`, policy: MANAGED_POLICIES[policyArn].policy });
      else unknownManaged.push(policyArn);
    };
    const isThisRole = (value: unknown) => typeof value === 'string' && [name, roleArn].includes(this.resolveString(value));

    for (const [i, p] of ((body.inline_policy ?? []) as Body[]).entries()) {
      if (p.policy) policies.push({ name: `aws_iam_role.${lid}.inline_policy[${i}]`, policy: this.policy(p.policy) });
    }
    for (const a of (body.managed_policy_arns ?? []) as string[])
      addManaged(this.resolveString(a), `aws_iam_role.${lid}.managed_policy_arns`);
    for (const [id, p] of this.resources('aws_iam_role_policy')) {
      if (isThisRole(p.role)) policies.push({ name: `aws_iam_role_policy.${id}`, policy: this.policy(p.policy) });
    }
    for (const [id, a] of this.resources('aws_iam_role_policy_attachment')) {
      if (isThisRole(a.role)) addManaged(this.resolveString(a.policy_arn), `aws_iam_role_policy_attachment.${id}`);
    }
    for (const [id, a] of this.resources('aws_iam_policy_attachment')) {
      if (((a.roles ?? []) as unknown[]).some(isThisRole)) addManaged(this.resolveString(a.policy_arn), `aws_iam_policy_attachment.${id}`);
    }
    return { roleArn, policies, unknownManaged };
  }

  /** The trust policy of a role. */
  trustPolicy(role: string): IamPolicy {
    const lid = this.logicalId('aws_iam_role', role);
    return this.policy((this.stack.resource!.aws_iam_role[lid] as Body).assume_role_policy);
  }

  /**
   * The resource policy guarding a resource ARN, merged from every place the stack
   * declares one: bucket policies, topic and queue policies (separate resources or the
   * inline `policy` argument), KMS key policies and Lambda permissions.
   */
  resourcePolicyFor(resourceArn: string): IamPolicy | undefined {
    const statements: IamPolicy['Statement'] = [];
    const add = (p: IamPolicy) => statements.push(...(Array.isArray(p.Statement) ? p.Statement : [p.Statement]));
    const s3 = /^arn:[^:]+:s3:::([^/]+)/.exec(resourceArn);
    if (s3) {
      for (const [, p] of this.resources('aws_s3_bucket_policy')) if (this.resolveString(p.bucket) === s3[1]) add(this.policy(p.policy));
    }
    for (const [id, t] of this.resources('aws_sns_topic')) {
      if (this.attributes('aws_sns_topic', id).arn !== resourceArn) continue;
      if (t.policy) add(this.policy(t.policy));
      for (const [, p] of this.resources('aws_sns_topic_policy')) if (this.resolveString(p.arn) === resourceArn) add(this.policy(p.policy));
    }
    for (const [id, q] of this.resources('aws_sqs_queue')) {
      const attrs = this.attributes('aws_sqs_queue', id);
      if (attrs.arn !== resourceArn) continue;
      if (q.policy) add(this.policy(q.policy));
      for (const [, p] of this.resources('aws_sqs_queue_policy'))
        if (this.resolveString(p.queue_url) === attrs.url) add(this.policy(p.policy));
    }
    for (const [id, k] of this.resources('aws_kms_key')) {
      if (this.attributes('aws_kms_key', id).arn === resourceArn && k.policy) add(this.policy(k.policy));
    }
    for (const [id] of this.resources('aws_lambda_function')) {
      const fn = this.attributes('aws_lambda_function', id);
      if (resourceArn !== fn.arn && !resourceArn.startsWith(`${fn.arn}:`)) continue;
      for (const [, p] of this.resources('aws_lambda_permission')) {
        if (![fn.function_name, fn.arn].includes(this.resolveString(p.function_name))) continue;
        add(this.lambdaPermissionStatement(p, fn.arn));
      }
    }
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** A Lambda permission as the statement AWS adds to the function policy. */
  private lambdaPermissionStatement(p: Body, functionArn: string): IamPolicy {
    const principal = this.resolveString(p.principal);
    const condition: Record<string, Record<string, string>> = {};
    if (p.source_arn) condition.ArnLike = { 'aws:SourceArn': this.resolveString(p.source_arn) };
    if (p.source_account) condition.StringEquals = { 'aws:SourceAccount': this.resolveString(p.source_account) };
    if (p.principal_org_id)
      condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': this.resolveString(p.principal_org_id) };
    return {
      Statement: [
        {
          Sid: p.statement_id ? this.resolveString(p.statement_id) : undefined,
          Effect: 'Allow',
          Principal: principal === '*' ? '*' : principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
          Action: this.resolveString(p.action),
          Resource: p.qualifier ? `${functionArn}:${this.resolveString(p.qualifier)}` : functionArn,
          ...(Object.keys(condition).length ? { Condition: condition } : {}),
        },
      ],
    };
  }

  // ---- questions ---------------------------------------------------------------------

  /** Can the role do `action` on `resource` (with `context`)? */
  async canRole(role: string, action: string, resource: string, context: Context = {}, opts: RoleOptions = {}): Promise<Decision> {
    const rp = this.rolePolicies(role);
    const missing = rp.unknownManaged.filter((a) => !(opts.ignoreManagedPolicies ?? []).includes(a));
    if (missing.length) {
      throw new Error(
        `iam-sim: role ${role} has AWS-managed policies the simulator does not know: ${missing.join(', ')}. ` +
          'Pin the document in MANAGED_POLICIES or pass { ignoreManagedPolicies } to accept an answer without it.',
      );
    }
    return this.run({
      principal: rp.roleArn,
      action,
      resource,
      context,
      identityPolicies: rp.policies,
      resourcePolicy: opts.withResourcePolicy === false ? undefined : (opts.resourcePolicy ?? this.resourcePolicyFor(resource)),
    });
  }

  /**
   * Does the resource policy of `target` (an ARN or `type.logicalId`) let `principal`
   * (a service like `events.amazonaws.com`, an account or role ARN, or `anonymous`)
   * do `action` on `resource` (default: the target's ARN)? Only the resource policy
   * is evaluated: the principal brings no identity policies.
   */
  async canResource(target: string, principal: string, action: string, resource?: string, context: Context = {}): Promise<Decision> {
    const targetArn = this.targetArn(target);
    const policy = this.resourcePolicyFor(targetArn);
    if (!policy) throw new Error(`iam-sim: the stack declares no resource policy for ${targetArn}`);
    return this.run({ principal, action, resource: resource ?? targetArn, context, identityPolicies: [], resourcePolicy: policy });
  }

  /** Can `principal` (a service or ARN) assume the role (trust policy only)? */
  async canAssume(role: string, principal: string, context: Context = {}, action = 'sts:AssumeRole'): Promise<Decision> {
    const roleArn = this.attributes('aws_iam_role', this.logicalId('aws_iam_role', role)).arn;
    return this.run({ principal, action, resource: roleArn, context, identityPolicies: [], resourcePolicy: this.trustPolicy(role) });
  }

  private targetArn(target: string): string {
    if (target.startsWith('arn:')) return target;
    const m = /^([a-z0-9_]+)\.(.+)$/.exec(target);
    if (!m) throw new Error(`iam-sim: target must be an ARN or type.logicalId, got ${target}`);
    return this.arn(m[1], m[2]);
  }

  private async run(q: {
    principal: string;
    action: string;
    resource: string;
    context: Context;
    identityPolicies: Array<{ name: string; policy: IamPolicy }>;
    resourcePolicy?: IamPolicy;
  }): Promise<Decision> {
    const arnAccount = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(q.resource)?.[1];
    const simulation: Simulation = {
      request: {
        principal: q.principal === 'anonymous' ? { type: 'Anonymous' } : q.principal,
        action: q.action,
        resource: { resource: q.resource, accountId: arnAccount ?? this.env.accountId },
        contextVariables: { 'aws:SecureTransport': 'true', ...q.context },
      },
      identityPolicies: q.principal === 'anonymous' ? [] : q.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(q.resourcePolicy ? { resourcePolicy: q.resourcePolicy } : {}),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') {
      throw new Error(`iam-sim: simulation of ${q.action} on ${q.resource} by ${q.principal} is invalid: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult;
  }

  // ---- tables ------------------------------------------------------------------------

  /** Rows whose answer is not the expected one (denied = implicitly or explicitly), as readable lines. */
  async roleTable(role: string, table: Table<RoleRow>, opts: RoleOptions = {}): Promise<string[]> {
    return check(
      table,
      ([action, resource, ctx]) => this.canRole(role, action, resource, ctx, opts),
      ([a, r, c]) => `${role}: ${a} on ${r}${fmt(c)}`,
    );
  }

  async resourceTable(target: string, table: Table<ResourceRow>): Promise<string[]> {
    return check(
      table,
      ([principal, action, resource, ctx]) => this.canResource(target, principal, action, resource, ctx),
      ([p, a, r, c]) => `${target}: ${p} ${a}${r ? ` on ${r}` : ''}${fmt(c)}`,
    );
  }

  async trustTable(role: string, table: Table<TrustRow>, action = 'sts:AssumeRole'): Promise<string[]> {
    return check(
      table,
      ([principal, ctx]) => this.canAssume(role, principal, ctx, action),
      ([p, c]) => `${role}: ${p} ${action}${fmt(c)}`,
    );
  }
}

const fmt = (c?: Context) => (c && Object.keys(c).length ? ` with ${JSON.stringify(c)}` : '');

async function check<Row>(table: Table<Row>, ask: (row: Row) => Promise<Decision>, describe: (row: Row) => string): Promise<string[]> {
  if (table.denied.length < 3) throw new Error('iam-sim: a least-privilege table needs at least three requests that must be denied');
  const out: string[] = [];
  for (const row of table.allowed) {
    const got = await ask(row);
    if (got !== 'Allowed') out.push(`expected Allowed, got ${got}: ${describe(row)}`);
  }
  for (const row of table.denied) {
    const got = await ask(row);
    if (got === 'Allowed') out.push(`expected denied, got Allowed: ${describe(row)}`);
  }
  return out;
}

const cache = new WeakMap<StackJson, IamSim>();

/** The (cached) simulator of a stack; env defaults come from the stack's aws provider. */
export function iamSim(stack: StackJson, env: Partial<SimEnv> = {}): IamSim {
  if (Object.keys(env).length) return new IamSim(stack, env);
  let sim = cache.get(stack);
  if (!sim) cache.set(stack, (sim = new IamSim(stack)));
  return sim;
}

/** Function forms of the questions, for one-off checks. */
export const canRole = (stack: StackJson, role: string, action: string, resource: string, context?: Context, opts?: RoleOptions) =>
  iamSim(stack).canRole(role, action, resource, context, opts);
export const canResource = (stack: StackJson, target: string, principal: string, action: string, resource?: string, context?: Context) =>
  iamSim(stack).canResource(target, principal, action, resource, context);
export const canAssume = (stack: StackJson, role: string, principal: string, context?: Context) =>
  iamSim(stack).canAssume(role, principal, context);
