import { PolicyStatement } from '../constructs/policy-document';

/** AWS size limits of the resource policies the hub writes, in bytes. */
export const POLICY_SIZE_LIMITS = {
  /** S3: a bucket policy is at most 20 KB. */
  bucketPolicy: 20 * 1024,
  /** KMS: a key policy is at most 32 KB. */
  keyPolicy: 32 * 1024,
} as const;

type Json = Record<string, unknown>;

/** Terraform's escapes back to the text AWS receives (`$${` -> `${`, `%%{` -> `%{`). */
const unescape = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

/** A list as aws_iam_policy_document writes it: one item as a bare string. */
const one = (values: readonly string[]) => (values.length === 1 ? unescape(values[0]) : values.map(unescape));

function renderStatement(s: PolicyStatement): Json {
  const out: Json = {};
  if (s.sid) out.Sid = s.sid;
  out.Effect = s.effect ?? 'Allow';
  if (s.actions) out.Action = one(s.actions);
  if (s.notActions) out.NotAction = one(s.notActions);
  if (s.resources) out.Resource = one(s.resources);
  if (s.notResources) out.NotResource = one(s.notResources);
  if (s.principals) {
    const star = s.principals.find((p) => p.type === '*' || (p.type === 'AWS' && p.identifiers.includes('*')));
    if (star && s.principals.length === 1 && star.type === '*') out.Principal = '*';
    else {
      const principal: Json = {};
      for (const p of s.principals) principal[p.type] = one(p.identifiers);
      out.Principal = principal;
    }
  }
  if (s.conditions?.length) {
    const condition: Record<string, Json> = {};
    for (const c of s.conditions) (condition[c.test] ??= {})[c.variable] = one(c.values);
    out.Condition = condition;
  }
  return out;
}

/**
 * The policy JSON as `aws_iam_policy_document` renders it (indented by two spaces, the
 * way Terraform sends it to AWS), for size checks at synth. S3 and KMS count every byte
 * of the document they receive, whitespace included.
 */
export function renderPolicy(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements.map(renderStatement) }, null, 2);
}

/** Bytes of the rendered policy (UTF-8). */
export function policyBytes(statements: readonly PolicyStatement[]): number {
  return Buffer.byteLength(renderPolicy(statements), 'utf8');
}
