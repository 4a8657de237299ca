import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writePlanRoleOverride } from '../../scripts/plan-role-override';
import { terraformEnv } from '../../scripts/terraform-harness';
import { ROOT } from '../helpers/synth';
import { ACCOUNT, REGION } from './fixtures';

const run = promisify(execFile);

const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-deploy`;
const STATE = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-state`;
const OIDC = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-github`;
const PLAN = `arn:aws:iam::${ACCOUNT}:role/ssm-baseline-plan`;

function scratch(prefix: string): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, '.tmp', prefix));
}

// Terraform itself, against a local STS + S3 stub: which identity signs each call the
// provider and the S3 backend make during `init` and `plan`. Without the override the
// provider would assume the deploy role and the backend the state role.
describe('plan role override: terraform plans without the deploy role', () => {
  interface Call {
    service: 'sts' | 's3';
    what: string;
    /** The access key that signed the request: BASE (the OIDC credentials) or a session of an assumed role. */
    signer: string;
  }
  const BASE_KEY = 'AKIAOIDCEXAMPLE00001';
  let url: string;
  let close: () => Promise<void>;
  const calls: Call[] = [];
  /** Session access key -> role ARN assumed. */
  const sessions = new Map<string, string>();
  const identity = (key: string) => (key === BASE_KEY ? 'oidc' : (sessions.get(key) ?? `unknown ${key}`));

  beforeAll(async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signer = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '(unsigned)';
        const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const path = new URL(req.url ?? '/', 'http://stub').pathname;
        const xml = (status: number, text: string) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(text);
        };
        if (req.method === 'POST' && body.get('Action')) {
          const action = body.get('Action')!;
          if (action === 'AssumeRole') {
            const role = body.get('RoleArn')!;
            const key = `ASIASESSION${String(sessions.size).padStart(9, '0')}`;
            sessions.set(key, role);
            calls.push({ service: 'sts', what: `AssumeRole ${role}`, signer });
            return xml(
              200,
              `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/x/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>stub-secret</SecretAccessKey><SessionToken>stub-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
            );
          }
          if (action === 'GetCallerIdentity') {
            calls.push({ service: 'sts', what: 'GetCallerIdentity', signer });
            return xml(
              200,
              `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/x/s</Arn><UserId>AROAEXAMPLE:s</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
            );
          }
          calls.push({ service: 'sts', what: `unexpected ${action}`, signer });
          return xml(400, `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`);
        }
        // S3, path style: an empty bucket (no state yet).
        calls.push({ service: 's3', what: `${req.method} ${path}`, signer });
        if (req.method === 'GET' && new URL(req.url ?? '/', 'http://stub').searchParams.has('list-type')) {
          return xml(
            200,
            `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>state</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`,
          );
        }
        if (req.method === 'HEAD') {
          res.writeHead(404);
          return res.end();
        }
        return xml(
          404,
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close?.());

  /** A stack as the platform synthesizes it (provider assumes the deploy role, backend the state role), pointed at the stub. */
  function stackDir(): string {
    const dir = scratch('plan-role-tf-');
    const json = {
      terraform: {
        required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } },
        backend: {
          s3: {
            bucket: 'ssmb-tfstate-111111111111',
            key: `ssm-baseline/${ACCOUNT}/${REGION}/terraform.tfstate`,
            region: REGION,
            encrypt: true,
            use_lockfile: true,
            use_path_style: true,
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
            skip_region_validation: true,
            endpoints: { s3: url, sts: url },
            assume_role: { role_arn: STATE, session_name: 'ssm-baseline-state-prod' },
          },
        },
      },
      provider: {
        aws: [
          {
            region: REGION,
            allowed_account_ids: [ACCOUNT],
            skip_metadata_api_check: true,
            skip_region_validation: true,
            endpoints: [{ sts: url }],
            assume_role: [{ role_arn: DEPLOY, session_name: 'ssm-baseline-prod' }],
          },
        ],
      },
      resource: { aws_sns_topic: { topic: { name: 'ssmb-notifications' } } },
    };
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    return dir;
  }

  async function plan(dir: string): Promise<Call[]> {
    const env = await terraformEnv(join(ROOT, '.tmp'));
    // As configure-aws-credentials leaves the job: the OIDC role's credentials in the environment.
    Object.assign(env, { AWS_ACCESS_KEY_ID: BASE_KEY, AWS_SECRET_ACCESS_KEY: 'oidc-secret', AWS_EC2_METADATA_DISABLED: 'true' });
    for (const k of [
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_ROLE_ARN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONFIG_FILE',
      'AWS_SHARED_CREDENTIALS_FILE',
    ])
      delete env[k];
    env.AWS_CONFIG_FILE = env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-such-aws-config');
    calls.length = 0;
    const tf = (args: string[]) => run('terraform', [...args, '-no-color'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    try {
      await tf(['init', '-input=false']);
      const { stdout } = await tf(['plan', '-input=false', '-lock=false', '-out=tfplan']);
      expect(stdout).toMatch(/Plan: 1 to add/);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`terraform failed:\n${e.stdout ?? ''}${e.stderr ?? ''}\ncalls: ${JSON.stringify(calls)}`, { cause: err });
    }
    return [...calls];
  }

  it('chained: every call is made by the OIDC credentials or the plan role; neither the deploy nor the state role is assumed', async () => {
    const dir = stackDir();
    writePlanRoleOverride(dir, { planRole: PLAN, oidcRole: OIDC });
    const made = await plan(dir);
    const assumed = made.filter((c) => c.what.startsWith('AssumeRole'));
    expect(assumed.length).toBeGreaterThan(0);
    expect(new Set(assumed.map((c) => `${c.what} by ${identity(c.signer)}`))).toEqual(new Set([`AssumeRole ${PLAN} by oidc`]));
    // The backend read the state and the provider checked its account as the plan role.
    const s3 = made.filter((c) => c.service === 's3');
    expect(s3.length).toBeGreaterThan(0);
    expect(new Set(s3.map((c) => identity(c.signer)))).toEqual(new Set([PLAN]));
    expect(made.filter((c) => c.what === 'GetCallerIdentity').map((c) => identity(c.signer))).toContain(PLAN);
    expect(new Set(made.map((c) => identity(c.signer)))).toEqual(new Set(['oidc', PLAN]));
  }, 300_000);

  it('direct: no role is assumed at all; the OIDC credentials make every call', async () => {
    const dir = stackDir();
    writePlanRoleOverride(dir, { planRole: OIDC, oidcRole: OIDC });
    const made = await plan(dir);
    expect(made.filter((c) => c.what.startsWith('AssumeRole'))).toEqual([]);
    expect(made.some((c) => c.service === 's3')).toBe(true);
    expect(made.some((c) => c.what === 'GetCallerIdentity')).toBe(true);
    expect(new Set(made.map((c) => identity(c.signer)))).toEqual(new Set(['oidc']));
  }, 300_000);
});
