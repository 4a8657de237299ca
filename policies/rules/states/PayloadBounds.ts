// Paginated calls set their page size within the API's range, and every machine has a TimeoutSeconds.
import { Rule, Violation } from '../../types';
import { readableMachines, sdkIntegration } from './machine';

/**
 * Paginated APIs the baseline's readableMachines call (and their neighbours), with the page-size
 * parameter and its documented range (each API's reference, "Request Parameters").
 * Without it a page is as large as the service likes, and a state's payload is capped
 * at 256 KiB.
 */
export const PAGE_SIZE: Record<string, { readonly parameter: string; readonly min: number; readonly max: number }> = {
  'ec2:describeInstances': { parameter: 'MaxResults', min: 5, max: 1000 },
  'ec2:describeInstanceStatus': { parameter: 'MaxResults', min: 5, max: 1000 },
  'ssm:describeInstancePatches': { parameter: 'MaxResults', min: 10, max: 100 },
  'ssm:describeInstancePatchStates': { parameter: 'MaxResults', min: 10, max: 100 },
  'ssm:describeInstanceInformation': { parameter: 'MaxResults', min: 5, max: 50 },
  'ssm:listInventoryEntries': { parameter: 'MaxResults', min: 1, max: 50 },
  'ssm:listCommandInvocations': { parameter: 'MaxResults', min: 1, max: 50 },
  's3:listObjectsV2': { parameter: 'MaxKeys', min: 1, max: 1000 },
};

/** A Standard execution runs at most one year (Step Functions service quotas). */
export const MAX_TIMEOUT_SECONDS = 365 * 24 * 3600;

export const PayloadBounds: Rule = {
  id: 'SSMB-STATES-004',
  name: 'PayloadBounds',
  service: 'states',
  title: 'Paginated calls set a page size, and the machine a TimeoutSeconds',
  severity: 'medium',
  rationale:
    'A page the definition does not bound can exceed the 256 KiB state payload and fail the run; a machine without TimeoutSeconds that hangs runs for a year before anything alarms.',
  fix: 'Set the API page-size parameter (MaxResults, MaxKeys) to a literal within its range, sized so one page fits the payload; set TimeoutSeconds on the machine.',
  check(stack) {
    const out: Violation[] = [];
    for (const m of readableMachines(stack, out)) {
      const t = m.definition.TimeoutSeconds;
      if (t === undefined && m.definition.TimeoutSecondsPath === undefined)
        out.push({ address: m.resource.address, subject: 'TimeoutSeconds', message: 'the definition sets no TimeoutSeconds' });
      else if (t !== undefined && !(Number.isInteger(t) && t > 0 && t <= MAX_TIMEOUT_SECONDS))
        out.push({
          address: m.resource.address,
          subject: 'TimeoutSeconds',
          message: `TimeoutSeconds ${JSON.stringify(t)} is not 1-${MAX_TIMEOUT_SECONDS}`,
        });
      else if (t === undefined)
        out.push({
          address: m.resource.address,
          subject: 'TimeoutSeconds',
          message: 'TimeoutSecondsPath is known only at run time',
          outcome: 'unknown',
        });
      for (const { path, state } of m.states) {
        const sdk = state.Type === 'Task' ? sdkIntegration(state.Resource) : undefined;
        const bound = sdk && PAGE_SIZE[`${sdk.service}:${sdk.action}`];
        if (!bound) continue;
        const params = state.Parameters ?? state.Arguments ?? {};
        const value = params[bound.parameter];
        const report = (message: string, outcome?: 'unknown') =>
          out.push({
            address: m.resource.address,
            subject: path,
            message: `Task ${path} (${sdk.service}:${sdk.action}) ${message}`,
            ...(outcome ? { outcome } : {}),
          });
        if (value === undefined && params[`${bound.parameter}.$`] !== undefined)
          report(`takes ${bound.parameter} from the state (${params[`${bound.parameter}.$`]}), known only at run time`, 'unknown');
        else if (value === undefined) report(`sets no ${bound.parameter}: the page size is the service's`);
        else if (!(Number.isInteger(value) && value >= bound.min && value <= bound.max))
          report(`sets ${bound.parameter} ${JSON.stringify(value)}, outside ${bound.min}-${bound.max}`);
      }
    }
    return out;
  },
};
