// The distributed Map stand-in of the local executor, tested on its own with a minimal machine.
import { StateMachine } from 'aws-local-stepfunctions';
import { distributedMapStandIn, MapRun } from '../../scripts/patch-history-executor';

const MAP_RUN = 'arn:aws:states:ap-northeast-1:111111111111:mapRun:m/Fan:11111111-2222-3333-4444-555555555555';

/** A parent with one distributed Map over `$.items`; children fail on items listed in `$.bad`. */
function machine(map: Record<string, unknown>) {
  return {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Pass', End: true } },
        },
        ResultPath: '$.out',
        End: true,
        ...map,
      },
    },
  };
}

async function run(map: Record<string, unknown>, items: unknown[], failing: (input: any) => boolean = () => false) {
  const puts: Array<{ Bucket: string; Key: string; Body: string }> = [];
  const runs: MapRun[] = [];
  const inputs: any[] = [];
  let running = 0;
  let peak = 0;
  const standIn = distributedMapStandIn(machine(map), 'Fan', {
    runChild: async (_child, input: any) => {
      inputs.push(input);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return failing(input)
        ? { status: 'FAILED', error: { name: 'Boom', cause: 'x' }, enteredByType: {}, retries: 0, transitions: 1, peakPayloadBytes: 0 }
        : { status: 'SUCCEEDED', output: { ok: input.value }, enteredByType: {}, retries: 0, transitions: 1, peakPayloadBytes: 0 };
    },
    putObject: (i) => puts.push(i),
    onMapRun: (m) => runs.push(m),
    mapRunArn: () => MAP_RUN,
  });
  const sm = new StateMachine(standIn.definition as any, { validationOptions: { checkArn: true, checkPaths: true } });
  let error: string | undefined;
  let output: any;
  try {
    output = await sm.run({ items, tag: 't' } as any, { overrides: { taskResourceLocalHandlers: { Fan: standIn.handler as any } } }).result;
  } catch (err: any) {
    error = err.cause?.name ?? String(err);
  }
  return { output, error, puts, runs, inputs, peak };
}

describe('distributed Map stand-in', () => {
  test('one child per item with the ItemSelector evaluated by the executor, outputs in item order without ResultWriter', async () => {
    const r = await run({}, ['a', 'b', 'c']);
    expect(r.inputs.sort((x, y) => x.index - y.index)).toEqual([
      { value: 'a', index: 0, tag: 't' },
      { value: 'b', index: 1, tag: 't' },
      { value: 'c', index: 2, tag: 't' },
    ]);
    expect(r.output.out).toEqual([{ ok: 'a' }, { ok: 'b' }, { ok: 'c' }]);
  });

  test('never runs more children than MaxConcurrency, and reaches it', async () => {
    const r = await run(
      { MaxConcurrency: 3 },
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(r.peak).toBe(3);
    expect(r.runs[0]).toMatchObject({ items: 10, peakRunning: 3 });
  });

  test('fails the Map with States.ExceedToleratedFailureThreshold above the threshold only', async () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const within = await run({ ToleratedFailurePercentage: 20 }, items, (i) => i.value < 2);
    expect(within.error).toBeUndefined();
    expect(within.runs[0]).toMatchObject({ succeeded: 8, failed: 2 });
    const over = await run({ ToleratedFailurePercentage: 20 }, items, (i) => i.value < 3);
    expect(over.error).toBe('States.ExceedToleratedFailureThreshold');
    const none = await run({}, items, (i) => i.value === 0);
    expect(none.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  test('with a ResultWriter: result files and manifest under the evaluated prefix, and the Map Run ARN as output', async () => {
    const r = await run(
      {
        ToleratedFailurePercentage: 100,
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: 'b', 'Prefix.$': "States.Format('out/{}', $.tag)" },
        },
      },
      ['a', 'b'],
      (i) => i.value === 'b',
    );
    expect(r.output.out).toEqual({
      MapRunArn: MAP_RUN,
      ResultWriterDetails: { Bucket: 'b', Key: 'out/t/11111111-2222-3333-4444-555555555555/manifest.json' },
    });
    expect(r.puts.map((p) => p.Key)).toEqual([
      'out/t/11111111-2222-3333-4444-555555555555/SUCCEEDED_0.json',
      'out/t/11111111-2222-3333-4444-555555555555/FAILED_0.json',
      'out/t/11111111-2222-3333-4444-555555555555/manifest.json',
    ]);
    expect(JSON.parse(r.puts[1].Body)).toEqual([{ Error: 'Boom', Cause: 'x' }]);
  });

  test('refuses what it does not emulate: an inline Map, an ItemReader', () => {
    const deps = { runChild: async () => ({}) as any, putObject: () => undefined, onMapRun: () => undefined, mapRunArn: () => MAP_RUN };
    const inline = machine({
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'W', States: { W: { Type: 'Pass', End: true } } },
    });
    expect(() => distributedMapStandIn(inline, 'Fan', deps)).toThrow(/not a distributed Map/);
    const reader = machine({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } } });
    expect(() => distributedMapStandIn(reader, 'Fan', deps)).toThrow(/ItemReader/);
  });
});
