import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the one Step Functions call `terraform plan` makes: the AWS
 * provider validates every new or changed `aws_sfn_state_machine` definition with
 * `ValidateStateMachineDefinition` while planning, which an offline plan cannot reach.
 * This stub listens on 127.0.0.1 only, answers that call with the structural checks
 * (JSON, StartAt, States; the full ASL checks live in the definition's own tests with
 * asl-validator), and refuses every other call so nothing else passes unnoticed.
 */
export interface SfnStub {
  /** Endpoint URL for the provider's `endpoints { sfn = ... }`. */
  readonly url: string;
  /** Definitions validated so far. */
  readonly validated: string[];
  close(): Promise<void>;
}

function verdict(definition: unknown): { result: 'OK' | 'FAIL'; diagnostics: Array<Record<string, string>> } {
  const fail = (code: string, message: string) => ({ result: 'FAIL' as const, diagnostics: [{ severity: 'ERROR', code, message }] });
  if (typeof definition !== 'string') return fail('MISSING_DEFINITION', 'definition is required');
  let parsed: any;
  try {
    parsed = JSON.parse(definition);
  } catch (err) {
    return fail('INVALID_JSON_DESCRIPTION', `definition is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed?.StartAt !== 'string') return fail('SCHEMA_VALIDATION_FAILED', 'StartAt is required');
  if (typeof parsed.States !== 'object' || parsed.States === null || !(parsed.StartAt in parsed.States)) {
    return fail('MISSING_TRANSITION_TARGET', `StartAt ${parsed.StartAt} is not a state`);
  }
  return { result: 'OK', diagnostics: [] };
}

export async function startSfnValidationStub(): Promise<SfnStub> {
  const validated: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'AWSStepFunctions.ValidateStateMachineDefinition') {
        reply(400, { __type: 'UnknownOperationException', message: `offline plan: ${target || 'this call'} is not available offline` });
        return;
      }
      let input: { definition?: unknown };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(400, { __type: 'ValidationException', message: 'request body is not JSON' });
        return;
      }
      if (typeof input.definition === 'string') validated.push(input.definition);
      reply(200, verdict(input.definition));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    validated,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
