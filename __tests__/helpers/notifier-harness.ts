import type { AwsStub } from 'aws-sdk-client-mock';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ENRICHMENT_TIMEOUT_MS } from '../../lambda/shared/enrichment';
import { CONSOLE_LEVELS, lambdaJsonRecord } from './lambda-json-console';

/** Lets pending promise chains run (setImmediate is not faked by jest's modern timers). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface NotifierHarness {
  /**
   * The structured log lines the handler wrote during the current test, as the Lambda
   * runtime records them under `logFormat: JSON` (lambda-json-console.ts): the runtime's
   * `level` with the fields of `message` beside it.
   */
  readonly logs: Array<Record<string, unknown>>;
  /** The one SNS Publish input of the test (fails the test unless exactly one happened). */
  published(): { Subject?: string; Message?: string; TopicArn?: string };
  /**
   * Starts a handler call whose enrichment hangs (mock it first) under fake timers and
   * proves the call is still waiting, with nothing published, just before the enrichment
   * deadline, and settled at it. Returns the call's promise.
   */
  settlesAtEnrichmentDeadline<T>(start: () => Promise<T>): Promise<T>;
}

/**
 * The shared setup of the notifier handler tests: before each test the SDK mocks are
 * reset, SNS Publish succeeds, the function's environment is set and console output is
 * captured as parsed JSON; after each test timers, spies and the environment are restored.
 */
export function notifierHarness(
  sns: AwsStub<any, any, any>,
  others: Array<AwsStub<any, any, any>>,
  env: Record<string, string>,
): NotifierHarness {
  const logs: Array<Record<string, unknown>> = [];
  beforeEach(() => {
    for (const mock of [sns, ...others]) mock.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    Object.assign(process.env, env);
    logs.length = 0;
    for (const method of Object.keys(CONSOLE_LEVELS) as Array<keyof typeof CONSOLE_LEVELS>) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        const record = lambdaJsonRecord(method, args);
        const fields = typeof record.message === 'object' && record.message !== null ? record.message : { message: record.message };
        logs.push({ level: record.level, ...fields });
      });
    }
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    for (const k of Object.keys(env)) delete process.env[k];
  });
  return {
    logs,
    published() {
      const calls = sns.commandCalls(PublishCommand);
      expect(calls).toHaveLength(1);
      return calls[0].args[0].input;
    },
    async settlesAtEnrichmentDeadline<T>(start: () => Promise<T>): Promise<T> {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      let settled = false;
      const run = start().finally(() => (settled = true));
      await jest.advanceTimersByTimeAsync(ENRICHMENT_TIMEOUT_MS - 1);
      await flush();
      expect(settled).toBe(false);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      await flush();
      expect(settled).toBe(true);
      return run;
    },
  };
}
