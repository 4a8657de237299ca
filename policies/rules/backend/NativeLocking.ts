// The S3 state backend locks with S3 native lock files.
import { Rule } from '../../types';
import { isTrue } from '../../statements';
import { backendAddress, s3Backend } from './backend';

export const NativeLocking: Rule = {
  id: 'SSMB-BACKEND-002',
  name: 'NativeLocking',
  service: 'backend',
  title: 'State locked (`use_lockfile = true`)',
  severity: 'high',
  rationale: 'Without a lock, two concurrent applies (a PR pipeline and an operator) can both write state and lose resources.',
  fix: 'Set use_lockfile = true (Terraform >= 1.11).',
  check(stack) {
    const b = s3Backend(stack);
    return b && !isTrue(b.use_lockfile) ? [{ address: backendAddress(stack), message: 'does not set use_lockfile = true' }] : [];
  },
};
