import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SynthOutputError,
  isSynthOutput,
  listStacks,
  markPlanSkipped,
  readJsonFile,
  readStackFolder,
  readStackJson,
  readSynthOutput,
} from '../../tooling/synth-output';
import { jsonErrorOffset } from '../../tooling/json-error';

const PLAN = { format_version: '1.2', planned_values: { root_module: {} } };
const SYNTH = { terraform: { backend: { s3: {} } }, resource: {} };

/** A cdktf.out-shaped folder; stacks listed out of name order, as a manifest may. */
function outdir(files: Record<string, Record<string, string>> = { 'prod-us-east-1': {}, 'dev-ap-northeast-1': {} }): string {
  const dir = mkdtempSync(join(tmpdir(), 'synth-output-'));
  const stacks: Record<string, unknown> = {};
  for (const [name, extra] of Object.entries(files)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(SYNTH));
    for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, 'stacks', name, file), text);
    stacks[name] = { name, workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
  return dir;
}

function errorOf(fn: () => unknown): SynthOutputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SynthOutputError);
    return err as SynthOutputError;
  }
  throw new Error('expected a SynthOutputError');
}

describe('listStacks', () => {
  it("lists the manifest's stacks in name order with absolute working directories", () => {
    const dir = outdir();
    expect(isSynthOutput(dir)).toBe(true);
    expect(listStacks(dir)).toEqual([
      { name: 'dev-ap-northeast-1', dir: join(dir, 'stacks', 'dev-ap-northeast-1') },
      { name: 'prod-us-east-1', dir: join(dir, 'stacks', 'prod-us-east-1') },
    ]);
  });

  it('says to synthesize when there is no manifest, and names a malformed one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'synth-output-'));
    expect(isSynthOutput(empty)).toBe(false);
    expect(errorOf(() => listStacks(empty)).message).toBe(`${join(empty, 'manifest.json')} not found: run \`npm run synth\` first`);
    writeFileSync(join(empty, 'manifest.json'), '{"version": "0.21.0"}');
    expect(errorOf(() => listStacks(empty)).message).toMatch(/manifest\.json: no "stacks" object/);
    writeFileSync(join(empty, 'manifest.json'), '{"stacks": {"a": {}}}');
    expect(errorOf(() => listStacks(empty)).message).toBe(`${join(empty, 'manifest.json')}: stack "a" has no workingDirectory`);
    writeFileSync(join(empty, 'manifest.json'), '{\n  "stacks": {\n    "a": {"workingDirectory": "stacks/a"}\n  \n');
    expect(errorOf(() => listStacks(empty)).message).toMatch(
      new RegExp(`^${join(empty, 'manifest.json').replace(/[.]/g, '\\.')}:5:1: invalid JSON: `),
    );
  });
});

describe('readJsonFile', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'synth-output-')), 'x.json');
  const where = (text: string) => {
    writeFileSync(file, text);
    return /^.*x\.json:(\d+):(\d+): invalid JSON: /
      .exec(errorOf(() => readJsonFile(file)).message)
      ?.slice(1)
      .map(Number);
  };

  it('names the file, line and column of a syntax error', () => {
    expect(where('{\n  "a": 1\n  "b": 2\n}')).toEqual([3, 3]); // missing comma
    expect(where('{\n  "a": }\n')).toEqual([2, 8]); // V8 gives no position for this one
    expect(where('{"a": [1, 2,]}')).toEqual([1, 13]);
    expect(where('{"a": "tab\there"}')).toEqual([1, 11]);
    expect(where('{"a": 1}\n\nx')).toEqual([3, 1]);
    expect(where('{"a": {"b": [1')).toEqual([1, 15]);
    expect(where('')).toEqual([1, 1]);
    expect(where('{"a": 01}')).toEqual([1, 8]);
  });

  it('finds no error in valid JSON (the scanner agrees with JSON.parse)', () => {
    for (const text of [
      '{}',
      '[]',
      ' 0 ',
      '-1.5e+3',
      '"\\u00e9\\n\\"\\\\"',
      '{"a":[true,false,null,{"b":[]}],"c":"\\/"}',
      '\n[ 1 ,\r\n 2 ]\t',
    ]) {
      expect(JSON.parse(text)).toBeDefined();
      expect(jsonErrorOffset(text)).toBe(-1);
    }
  });

  it("says when the file is missing, and keeps V8's quote of a long line short", () => {
    expect(errorOf(() => readJsonFile(`${file}.missing`)).message).toBe(`${file}.missing not found`);
    const message = (() => {
      writeFileSync(file, `{"a": "${'x'.repeat(10_000)}" "b"}`);
      return errorOf(() => readJsonFile(file)).message;
    })();
    expect(message).toMatch(/x\.json:1:10010: invalid JSON: /);
    expect(message.length).toBeLessThan(file.length + 200);
  });
});

describe('stack folders', () => {
  it('reads cdk.tf.json, and with plans the plan, else the failure or skip marker', () => {
    const dir = outdir({
      a: { 'plan.json': JSON.stringify(PLAN), 'plan-skipped.txt': 'stale marker\n' },
      b: { 'plan-error.txt': 'Error: no credentials\n' },
      c: { 'plan-skipped.txt': 'local backend\n' },
      d: {},
    });
    const [a, b, c, d] = readSynthOutput(dir, { plans: true });
    expect(a).toMatchObject({ name: 'a', synth: SYNTH, plan: PLAN, planFile: join(dir, 'stacks', 'a', 'plan.json') });
    expect(a.planSkipped).toBeUndefined();
    expect([b.name, b.plan, b.planError, b.planSkipped]).toEqual(['b', undefined, 'Error: no credentials\n', undefined]);
    expect([c.name, c.plan, c.planSkipped]).toEqual(['c', undefined, 'local backend\n']);
    expect(d).toMatchObject({ name: 'd', synth: SYNTH, synthFile: join(dir, 'stacks', 'd', 'cdk.tf.json') });
    expect([d.plan, d.planError, d.planSkipped]).toEqual([undefined, undefined, undefined]);
  });

  it('does not touch plan files unless asked, and names a broken one when asked', () => {
    const dir = outdir({ a: { 'plan.json': '{"format_version": "1.2",' } });
    const [entry] = listStacks(dir);
    expect(readStackFolder(entry)).toEqual({
      name: 'a',
      dir: entry.dir,
      synth: SYNTH,
      synthFile: join(entry.dir, 'cdk.tf.json'),
      planFile: join(entry.dir, 'plan.json'),
    });
    expect(errorOf(() => readStackFolder(entry, { plans: true })).message).toMatch(/stacks\/a\/plan\.json:1:26: invalid JSON/);
  });

  it('readStackJson requires cdk.tf.json, as an object', () => {
    const dir = outdir({ a: {} });
    const [entry] = listStacks(dir);
    expect(readStackJson(entry.dir)).toEqual(SYNTH);
    writeFileSync(join(entry.dir, 'cdk.tf.json'), '[1]');
    expect(errorOf(() => readStackJson(entry.dir)).message).toBe(`${join(entry.dir, 'cdk.tf.json')}: expected a JSON object`);
    const bare = mkdtempSync(join(tmpdir(), 'synth-output-'));
    expect(errorOf(() => readStackJson(bare)).message).toBe(`${bare} holds no cdk.tf.json: run \`npm run synth\``);
  });

  it('markPlanSkipped leaves the marker the folder reader reports', () => {
    const dir = outdir({ a: {} });
    const [entry] = listStacks(dir);
    markPlanSkipped(entry.dir, 'not this time');
    expect(readFileSync(join(entry.dir, 'plan-skipped.txt'), 'utf8')).toBe('not this time\n');
    expect(readStackFolder(entry, { plans: true }).planSkipped).toBe('not this time\n');
  });
});
