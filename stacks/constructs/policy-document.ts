import { Construct } from 'constructs';
import { Lazy } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

export interface PolicyPrincipal {
  readonly type: 'AWS' | 'Service' | '*' | 'Federated';
  readonly identifiers: string[];
}

export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: string[];
}

/** One IAM statement, in the terms of `aws_iam_policy_document`. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: 'Allow' | 'Deny';
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly principals?: PolicyPrincipal[];
  readonly conditions?: PolicyCondition[];
}

function render(s: PolicyStatement): Record<string, unknown> {
  const out: Record<string, unknown> = { effect: s.effect ?? 'Allow' };
  if (s.sid) out.sid = s.sid;
  if (s.actions) out.actions = [...s.actions];
  if (s.notActions) out.not_actions = [...s.notActions];
  if (s.resources) out.resources = [...s.resources];
  if (s.notResources) out.not_resources = [...s.notResources];
  if (s.principals) out.principals = s.principals.map((p) => ({ type: p.type, identifiers: [...p.identifiers] }));
  if (s.conditions) out.condition = s.conditions.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] }));
  return out;
}

/**
 * An `aws_iam_policy_document` (computed locally by Terraform, no AWS call) whose
 * statements may be added until synth. Shared resources (topic, queue, instance role)
 * use it so each capability adds exactly the grant it needs.
 */
export class PolicyDocument extends Construct {
  private readonly statements: PolicyStatement[] = [];
  private readonly producers: (() => PolicyStatement[])[] = [];
  private readonly doc: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, statements: PolicyStatement[] = []) {
    super(scope, id);
    this.statements.push(...statements);
    this.doc = new DataAwsIamPolicyDocument(this, 'doc', {});
    this.doc.addOverride('statement', Lazy.anyValue({ produce: () => this.allStatements().map(render) }));
  }

  addStatements(...statements: PolicyStatement[]): void {
    this.statements.push(...statements);
  }

  /** Statements computed at synth, e.g. one grant listing every publisher registered by then. */
  addStatementProducer(produce: () => PolicyStatement[]): void {
    this.producers.push(produce);
  }

  private allStatements(): PolicyStatement[] {
    return [...this.statements, ...this.producers.flatMap((p) => p())];
  }

  /** The rendered policy JSON. */
  get json(): string {
    return this.doc.json;
  }
}

/** A trust policy for an AWS service, scoped against the confused-deputy problem. */
export function serviceTrust(service: string, conditions: PolicyCondition[] = []): PolicyStatement {
  return {
    sid: 'TrustService',
    actions: ['sts:AssumeRole'],
    principals: [{ type: 'Service', identifiers: [service] }],
    ...(conditions.length ? { conditions } : {}),
  };
}

/** Deny every request that does not use TLS; for bucket, topic and queue policies. */
export function denyInsecureTransport(actions: string[], resources: string[]): PolicyStatement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    actions,
    resources,
    principals: [{ type: '*', identifiers: ['*'] }],
    conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
  };
}
