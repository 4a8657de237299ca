import { providerModules } from '../../scripts/bench/stats';

// The module-load floor requires the provider modules the synth bundle was built from.

describe('bench providerModules', () => {
  test('finds provider modules however node_modules is reached (a worktree links it from elsewhere)', () => {
    const inputs = [
      'node_modules/@cdktf/provider-aws/lib/s3-bucket/index.js',
      '../main/node_modules/@cdktf/provider-aws/lib/iam-role/index.js',
      '../main/node_modules/@cdktf/provider-aws/lib/iam-role/index.js',
      'node_modules/@cdktf/provider-aws/lib/s3-bucket/index-structs/index.js',
      'node_modules/cdktf/lib/index.js',
      'stacks/main.ts',
    ];
    expect(providerModules(inputs)).toEqual(['@cdktf/provider-aws/lib/iam-role', '@cdktf/provider-aws/lib/s3-bucket']);
  });
});
