// The S3 state backend encrypts the state object.
import { Rule } from '../../types';
import { isTrue } from '../../statements';
import { backendAddress, s3Backend } from './backend';

export const StateEncrypted: Rule = {
  id: 'SSMB-BACKEND-001',
  name: 'StateEncrypted',
  service: 'backend',
  title: 'State encrypted (`encrypt = true`)',
  severity: 'high',
  rationale: 'Terraform state holds every attribute of every resource, sensitive outputs included.',
  fix: 'Set encrypt = true on the S3 backend (stacks/platform/provider.ts s3Backend does), optionally kms_key_id.',
  check(stack) {
    const b = s3Backend(stack);
    return b && !isTrue(b.encrypt) ? [{ address: backendAddress(stack), message: 'does not set encrypt = true' }] : [];
  },
};
