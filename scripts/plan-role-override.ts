// `node tooling/run.js scripts/plan-role-override.ts <stack dir> <plan role ARN | ""> <OIDC role ARN>`:
// writes zz_plan_role_override.tf.json into a synthesized stack folder so that a
// pull-request plan never holds the deploy role. cdk.tf.json makes the AWS provider
// assume the account's deployRoleArn and the S3 backend its stateRoleArn (or the deploy
// role); with this override both use the read-only plan role instead, or, when the plan
// role is the role the job already holds through GitHub OIDC, those credentials directly
// (no role chaining). .github/workflows/plan.yml runs it before `terraform init`.
//
// Only node builtins are imported: the workflow's plan job runs the compiled file alone
// (no npm ci there).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Terraform reads `*_override.tf.json` after every other file; `zz_` sorts it after the harness's own. */
export const PLAN_ROLE_OVERRIDE_FILE = 'zz_plan_role_override.tf.json';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** Backend settings that make the S3 backend assume a role (the nested block, and the pre-1.6 top-level spelling). */
const BACKEND_ROLE_SETTINGS = [
  'assume_role',
  'role_arn',
  'session_name',
  'external_id',
  'assume_role_duration_seconds',
  'assume_role_policy',
  'assume_role_policy_arns',
  'assume_role_tags',
  'assume_role_transitive_tag_keys',
];

type Values = Record<string, unknown>;

interface StackJson {
  provider?: { aws?: Values[] };
  terraform?: { backend?: Record<string, Values> };
}

export interface PlanRoles {
  /** The read-only role the plan runs as (config planRoleArn); empty: the OIDC role. */
  readonly planRole?: string;
  /** The role the job already holds through GitHub OIDC (the matrix's `role`). */
  readonly oidcRole: string;
}

export class PlanRoleError extends Error {}

function first<T>(value: T | T[] | undefined): T | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Roles the stack assumes to deploy (provider) and to write state (backend): a plan must hold none of them. */
export function writeRoles(stack: StackJson): string[] {
  const roles = new Set<string>();
  for (const p of stack.provider?.aws ?? []) {
    const arn = (first(p.assume_role as Values | Values[] | undefined) as Values | undefined)?.role_arn;
    if (typeof arn === 'string' && arn) roles.add(arn);
  }
  const s3 = stack.terraform?.backend?.s3;
  const backendRole = (first(s3?.assume_role as Values | Values[] | undefined) as Values | undefined)?.role_arn ?? s3?.role_arn;
  if (typeof backendRole === 'string' && backendRole) roles.add(backendRole);
  return [...roles];
}

/**
 * The override for one stack. Every `aws` provider configuration (by alias) gets one
 * assume_role block: the plan role, or a null role_arn, which switches assumption off
 * (an override cannot remove a block, only replace it). The S3 backend is replaced as a
 * whole (Terraform's rule for backend overrides): the same settings without any
 * role-assumption setting, plus the plan role when it is not the OIDC role.
 */
export function planRoleOverride(stack: StackJson, roles: PlanRoles): Values {
  const planRole = roles.planRole || roles.oidcRole;
  const providers = stack.provider?.aws ?? [];
  const account = (providers[0]?.allowed_account_ids as string[] | undefined)?.[0];
  for (const [what, arn] of [
    ['OIDC role', roles.oidcRole],
    ['plan role', planRole],
  ] as const) {
    const m = ROLE_ARN.exec(arn ?? '');
    if (!m) throw new PlanRoleError(`the ${what} must be an IAM role ARN, got ${JSON.stringify(arn)}`);
    if (account && m[1] !== String(account)) throw new PlanRoleError(`the ${what} ${arn} is not in the stack's account ${account}`);
    if (writeRoles(stack).includes(arn)) {
      throw new PlanRoleError(
        `the ${what} ${arn} is a role the stack deploys or writes state with; plans must run as a read-only role (planRoleArn, docs/policy-as-code.md)`,
      );
    }
  }
  const chained = planRole !== roles.oidcRole;
  const assume = chained ? { role_arn: planRole, session_name: 'ssm-baseline-plan' } : undefined;

  const backends = stack.terraform?.backend ?? {};
  const [type] = Object.keys(backends);
  if (type !== 's3')
    throw new PlanRoleError(`the stack's backend is ${type ?? 'missing'}, not s3: only remote-state stacks are planned in pull requests`);
  const backend = Object.fromEntries(Object.entries(backends.s3).filter(([k]) => !BACKEND_ROLE_SETTINGS.includes(k)));
  if (assume) backend.assume_role = { ...assume };

  const provider = (providers.length ? providers : [{}]).map((p) => ({
    ...(p.alias ? { alias: p.alias } : {}),
    assume_role: [assume ? { ...assume } : { role_arn: null }],
  }));
  return {
    '//': `Written by scripts/plan-role-override.ts for a pull-request plan: the provider and the state backend run as ${planRole}${chained ? ` (assumed from ${roles.oidcRole})` : ' (the OIDC credentials, no role assumed)'}, never the deploy role. Do not commit or apply with this file.`,
    provider: { aws: provider },
    terraform: { backend: { s3: backend } },
  };
}

/** Reads `<stackDir>/cdk.tf.json` and writes the override beside it; returns its path. */
export function writePlanRoleOverride(stackDir: string, roles: PlanRoles): string {
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as StackJson;
  const file = join(stackDir, PLAN_ROLE_OVERRIDE_FILE);
  writeFileSync(file, `${JSON.stringify(planRoleOverride(stack, roles), null, 2)}\n`);
  return file;
}

export function main(argv: string[], write: (s: string) => void = (s) => process.stdout.write(s)): number {
  if (argv.length !== 3) {
    process.stderr.write('usage: node tooling/run.js scripts/plan-role-override.ts <stack dir> <plan role ARN | ""> <OIDC role ARN>\n');
    return 2;
  }
  const [dir, planRole, oidcRole] = argv;
  const file = writePlanRoleOverride(resolve(dir), { planRole, oidcRole });
  write(`${file}: the plan runs as ${planRole || oidcRole}${planRole && planRole !== oidcRole ? ` (assumed from ${oidcRole})` : ''}\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`plan-role-override failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
