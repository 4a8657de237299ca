// Every stack keeps its state in its own object: no two stacks share a backend bucket and key.
import { Rule } from '../../types';
import { backendAddress, s3Backend } from './backend';

const location = (b: Record<string, any>) => `s3://${b.bucket}/${b.workspace_key_prefix ? `${b.workspace_key_prefix}/` : ''}${b.key}`;

export const UniqueStateKey: Rule = {
  id: 'SSMB-BACKEND-004',
  name: 'UniqueStateKey',
  service: 'backend',
  title: 'State key unique per stack',
  severity: 'critical',
  rationale: "Two stacks on one state object overwrite each other's state; the next plan proposes to destroy the other stack's resources.",
  fix: 'Derive the key from account and region (stateKey in stacks/platform/provider.ts: <keyPrefix>/<account>/<region>/terraform.tfstate).',
  check(stack, env) {
    const own = s3Backend(stack);
    if (!own) return [];
    if (!own.key) return [{ address: backendAddress(stack), message: 'has no state key' }];
    const others = env.stacks.filter(
      (s) =>
        s !== stack &&
        s.name !== stack.name &&
        (() => {
          const b = s3Backend(s);
          return b && location(b) === location(own);
        })(),
    );
    return others.length
      ? [{ address: backendAddress(stack), message: `shares ${location(own)} with ${others.map((s) => s.name).join(', ')}` }]
      : [];
  },
};
