import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { LambdaBundle } from '../../tooling/lambda-bundle';

// A fresh module instance per call, as in a new synth process.
function freshBundle(name: string): LambdaBundle {
  let out: LambdaBundle | undefined;
  jest.isolateModules(() => {
    out = (require('../../tooling/lambda-bundle') as typeof import('../../tooling/lambda-bundle')).bundleLambda(name);
  });
  return out!;
}

describe('bundleLambda', () => {
  const name = 'agent-update';

  it('reuses an up-to-date zip and rebuilds, to the same bytes, when an input changes', () => {
    const first = freshBundle(name);
    const builtAt = statSync(first.zipPath).mtimeMs;
    const again = freshBundle(name);
    expect(again.sourceCodeHash).toBe(first.sourceCodeHash);
    expect(statSync(again.zipPath).mtimeMs).toBe(builtAt); // not rebuilt

    const input = join(__dirname, '..', '..', 'lambda', 'shared', 'notify.ts');
    const later = new Date(Date.now() + 2000);
    utimesSync(input, later, later);
    const rebuilt = freshBundle(name);
    expect(statSync(rebuilt.zipPath).mtimeMs).toBeGreaterThan(builtAt);
    expect(rebuilt.sourceCodeHash).toBe(first.sourceCodeHash); // same code, same bytes
  });

  it('keeps the bundle small and the AWS SDK external', () => {
    const b = freshBundle(name);
    expect(b.bytes).toBeLessThan(100 * 1024);
    expect(b.sourceCodeHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('names a missing entry point', () => {
    expect(() => freshBundle('no-such-function')).toThrow('Lambda entry point not found: lambda/no-such-function/index.ts');
  });
});

describe('handler bundles', () => {
  // A handler shares only its environment contract with its construct: no cdktf, no
  // constructs, no construct code in the bundle (checked on what esbuild read, not on size).
  it.each(['agent-update', 'ami-alerts', 'session-manager'])(
    '%s bundles only its handler, lambda/shared and its environment contract',
    (name) => {
      const { inputs } = freshBundle(name);
      expect(inputs).toContain(`lambda/${name}/index.ts`);
      expect(inputs).toContain(`stacks/capabilities/${name}/env.ts`);
      const outside = inputs.filter(
        (f) =>
          !f.startsWith(`lambda/${name}/`) &&
          !f.startsWith('lambda/shared/') &&
          f !== `stacks/capabilities/${name}/env.ts` &&
          f !== 'stacks/capabilities/environment.ts',
      );
      expect(outside).toEqual([]);
      expect(inputs.filter((f) => /node_modules\/(cdktf|constructs|@cdktf)\//.test(f))).toEqual([]);
    },
  );
});
