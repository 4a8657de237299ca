// The plan matrix of .github/workflows/plan.yml (`npm run --silent plan:summary --
// --matrix <cdktf.out dir>`): one entry per stack with a remote backend (stack, account,
// region, OIDC role to assume, read-only role the plan runs as); local-backend stacks
// are marked as not planned (plan-skipped.txt) for the summary to show. GitHub runs at
// most 256 jobs per matrix, so the entries come in chunks of 256: the workflow runs one
// matrix per chunk (a matrix of reusable-workflow calls, each with its own matrix).
import type { BaselineConfig } from '../../stacks/platform/config/schema';
import { listStacks, markPlanSkipped, readStackJson } from '../../tooling/synth-output';
import { writeRoles } from '../plan-role-override';

export interface MatrixEntry {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  /** Role the workflow assumes through GitHub OIDC for this account. */
  readonly role: string;
  /**
   * Read-only role the plan runs as: the provider and the S3 backend assume it instead
   * of the deploy role (scripts/plan-role-override.ts). The account's `planRoleArn`,
   * else `role` itself (the OIDC credentials, no role chaining).
   */
  readonly planRole: string;
}

/** GitHub's limit on the jobs one matrix generates (and so on the chunks, a matrix too). */
export const MAX_MATRIX_JOBS = 256;

/** What `--matrix` prints: how many stacks are planned, and the matrices that plan them. */
export interface PlanMatrix {
  readonly stacks: number;
  /** Each a job matrix of at most MAX_MATRIX_JOBS entries; `name` shows in the run ("1-256 of 300"). */
  readonly chunks: ReadonlyArray<{ readonly name: string; readonly include: readonly MatrixEntry[] }>;
}

/** Cuts the entries, in order, into matrices GitHub accepts; refuses more than a matrix of matrices holds. */
export function matrixChunks(entries: readonly MatrixEntry[], size = MAX_MATRIX_JOBS): PlanMatrix {
  const max = MAX_MATRIX_JOBS * size;
  if (entries.length > max) {
    throw new Error(`${entries.length} stacks to plan; the workflow plans at most ${max} (${MAX_MATRIX_JOBS} matrices of ${size} jobs)`);
  }
  const chunks = [];
  for (let i = 0; i < entries.length; i += size) {
    const include = entries.slice(i, i + size);
    chunks.push({ name: `${i + 1}-${i + include.length} of ${entries.length}`, include });
  }
  return { stacks: entries.length, chunks };
}

const ROLE_ACCOUNT = /^arn:aws[a-z-]*:iam::(\d{12}):role\//;

/**
 * The plan matrix: stacks with a remote (S3) backend, each with the OIDC role of its
 * account, from `roles` (account id -> role ARN; the SSMB_PLAN_ROLES variable) or else
 * `arn:aws:iam::<account>:role/<roleName>` (SSMB_PLAN_ROLE_NAME) or else the account's
 * `planRoleArn` (`planRoles`, from the configuration), and the plan role (`planRoles`,
 * else the OIDC role). Neither may be a role the stack deploys or writes state with.
 * Stacks with a local backend (the state-bucket bootstrap) cannot be planned in CI:
 * their state lives on the machine that bootstrapped them; they get plan-skipped.txt
 * saying so, as does every stack when no role is configured at all.
 */
export function planMatrix(
  outdir: string,
  roles: Record<string, string>,
  roleName?: string,
  planRoles: Record<string, string> = {},
): MatrixEntry[] {
  const include: MatrixEntry[] = [];
  const configured = Object.keys(roles).length > 0 || !!roleName || Object.keys(planRoles).length > 0;
  for (const s of listStacks(outdir)) {
    const json = readStackJson(s.dir);
    const backend = Object.keys(json.terraform?.backend ?? {})[0];
    if (backend === 'local' || backend === undefined) {
      markPlanSkipped(
        s.dir,
        'this stack keeps its state in a local file (the state-bucket bootstrap); plan it where that state lives, or migrate it into the bucket (README: Remote state and bootstrapping).\n',
      );
      continue;
    }
    if (!configured) {
      // No AWS access configured (yet, or a fork): the policy checks still run on cdk.tf.json.
      markPlanSkipped(
        s.dir,
        'no plan role is configured (planRoleArn in the configuration, or repository variable SSMB_PLAN_ROLES or SSMB_PLAN_ROLE_NAME; docs/policy-as-code.md).\n',
      );
      continue;
    }
    const aws = json.provider?.aws?.[0] ?? {};
    const account = String((aws.allowed_account_ids as string[] | undefined)?.[0] ?? '');
    if (!account) throw new Error(`${s.name}: the aws provider names no allowed account`);
    const role = roles[account] ?? (roleName ? `arn:aws:iam::${account}:role/${roleName}` : planRoles[account]);
    if (!role) {
      throw new Error(
        `${s.name}: no plan role for account ${account}; set planRoleArn for it in the configuration, or SSMB_PLAN_ROLES (JSON: {"${account}": "arn:aws:iam::${account}:role/..."}) or SSMB_PLAN_ROLE_NAME`,
      );
    }
    const planRole = planRoles[account] ?? role;
    const forbidden = writeRoles(json);
    for (const [what, arn] of [
      ['OIDC role', role],
      ['plan role', planRole],
    ] as const) {
      if (ROLE_ACCOUNT.exec(arn)?.[1] !== account) throw new Error(`${s.name}: the ${what} ${arn} is not a role in account ${account}`);
      if (forbidden.includes(arn)) {
        throw new Error(
          `${s.name}: the ${what} ${arn} is a role the stack deploys or writes state with; pull-request plans must run as a read-only role (planRoleArn, docs/policy-as-code.md)`,
        );
      }
    }
    include.push({ stack: s.name, account, region: String(aws.region ?? ''), role, planRole });
  }
  return include;
}

/** account id -> planRoleArn of every account of the configuration that sets one. */
export function configPlanRoles(config: Pick<BaselineConfig, 'accounts'>): Record<string, string> {
  return Object.fromEntries(config.accounts.flatMap((a) => (a.planRoleArn ? [[a.id, a.planRoleArn]] : [])));
}

export function parseRoles(text: string | undefined): Record<string, string> {
  if (!text || !text.trim()) return {};
  let roles: unknown;
  try {
    roles = JSON.parse(text);
  } catch (err) {
    throw new Error(`SSMB_PLAN_ROLES is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (
    !roles ||
    typeof roles !== 'object' ||
    Array.isArray(roles) ||
    Object.entries(roles).some(([k, v]) => !/^\d{12}$/.test(k) || typeof v !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v))
  ) {
    throw new Error(
      'SSMB_PLAN_ROLES must map 12-digit account ids to role ARNs, e.g. {"111111111111": "arn:aws:iam::111111111111:role/ssm-baseline-plan"}',
    );
  }
  return roles as Record<string, string>;
}
