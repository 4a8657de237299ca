import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_ROLE_OVERRIDE_FILE, main, planRoleOverride } from '../../scripts/plan-role-override';
import type { TerraformJson } from '../../policies/model';
import { ROOT } from '../helpers/synth';
import { ACCOUNT, compliantStack } from './fixtures';

const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-deploy`;
const STATE = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-state`;
const OIDC = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-github`;
const PLAN = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-plan`;

/** The platform's stack as stacks/platform/provider.ts writes it for an account with deployRoleArn and stateRoleArn. */
function withWriteRoles(json: TerraformJson = compliantStack()): TerraformJson {
  json.provider!.aws[0].assume_role = [{ role_arn: DEPLOY, session_name: 'ssm-baseline-prod' }];
  json.terraform!.backend.s3.assume_role = { role_arn: STATE, session_name: 'ssm-baseline-state-prod' };
  return json;
}

function scratch(prefix: string): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, '.tmp', prefix));
}

describe('plan role override', () => {
  it('chains from the OIDC role to the plan role in the provider and the backend, keeping every other backend setting', () => {
    const stack = withWriteRoles();
    const o = planRoleOverride(stack, { planRole: PLAN, oidcRole: OIDC }) as any;
    expect(o.provider.aws).toEqual([{ assume_role: [{ role_arn: PLAN, session_name: 'ssm-baseline-plan' }] }]);
    const { assume_role: _state, ...rest } = stack.terraform!.backend.s3;
    expect(o.terraform.backend.s3).toEqual({ ...rest, assume_role: { role_arn: PLAN, session_name: 'ssm-baseline-plan' } });
    expect(JSON.stringify(o)).not.toContain(DEPLOY);
    expect(JSON.stringify(o)).not.toContain(STATE);
  });

  it('uses the OIDC credentials directly (no role assumed) when the plan role is the OIDC role or unset', () => {
    for (const planRole of [OIDC, '', undefined]) {
      const o = planRoleOverride(withWriteRoles(), { planRole, oidcRole: OIDC }) as any;
      expect(o.provider.aws).toEqual([{ assume_role: [{ role_arn: null }] }]);
      expect(o.terraform.backend.s3).not.toHaveProperty('assume_role');
      expect(o.terraform.backend.s3).toMatchObject({ bucket: `ssmb-tfstate-${ACCOUNT}`, encrypt: true, use_lockfile: true });
    }
  });

  it('covers every aws provider alias and drops the legacy top-level backend role settings', () => {
    const stack = withWriteRoles();
    stack.provider!.aws.push({ alias: 'us', region: 'us-east-1', assume_role: [{ role_arn: DEPLOY }] });
    Object.assign(stack.terraform!.backend.s3, { role_arn: STATE, external_id: 'x', session_name: 'y' });
    const o = planRoleOverride(stack, { oidcRole: OIDC }) as any;
    expect(o.provider.aws).toEqual([{ assume_role: [{ role_arn: null }] }, { alias: 'us', assume_role: [{ role_arn: null }] }]);
    for (const k of ['role_arn', 'external_id', 'session_name', 'assume_role']) expect(o.terraform.backend.s3).not.toHaveProperty(k);
  });

  it('refuses to plan as a role that deploys or writes state, a role of another account, or a local backend', () => {
    expect(() => planRoleOverride(withWriteRoles(), { planRole: DEPLOY, oidcRole: OIDC })).toThrow(
      /plan role .*ssm-baseline-deploy is a role the stack deploys or writes state with/,
    );
    expect(() => planRoleOverride(withWriteRoles(), { oidcRole: STATE })).toThrow(
      /OIDC role .*ssm-baseline-state is a role the stack deploys/,
    );
    expect(() => planRoleOverride(withWriteRoles(), { planRole: 'arn:aws:iam::999999999999:role/plan', oidcRole: OIDC })).toThrow(
      /not in the stack's account 111111111111/,
    );
    expect(() => planRoleOverride(withWriteRoles(), { oidcRole: 'plan' })).toThrow(/must be an IAM role ARN/);
    const local = withWriteRoles();
    local.terraform!.backend = { local: { path: 'x.tfstate' } };
    expect(() => planRoleOverride(local, { oidcRole: OIDC })).toThrow(/backend is local, not s3/);
  });

  it('the CLI writes the override beside cdk.tf.json; the compiled file runs alone (node builtins only)', () => {
    const dir = scratch('plan-role-cli-');
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(withWriteRoles()));
    let out = '';
    expect(main([dir, PLAN, OIDC], (s) => (out += s))).toBe(0);
    expect(out).toContain(`the plan runs as ${PLAN} (assumed from ${OIDC})`);
    const written = JSON.parse(readFileSync(join(dir, PLAN_ROLE_OVERRIDE_FILE), 'utf8'));
    expect(written.provider.aws[0].assume_role[0].role_arn).toBe(PLAN);
    expect(PLAN_ROLE_OVERRIDE_FILE).toMatch(/_override\.tf\.json$/); // terraform merges it last
    const source = readFileSync(join(ROOT, 'scripts', 'plan-role-override.ts'), 'utf8');
    const imports = [...source.matchAll(/^import (type )?.*from '([^']+)';$/gm)].filter((m) => !m[1]).map((m) => m[2]);
    expect(imports.length).toBeGreaterThan(0);
    for (const i of imports) expect(i).toMatch(/^node:/);
    expect(source).not.toMatch(/\brequire\(/);
  });
});
