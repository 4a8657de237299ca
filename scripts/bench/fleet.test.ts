import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { fleetConfig } from './fleet';

describe('bench fleet configurations', () => {
  const base = JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'example.json'), 'utf8'));

  it.each([1, 10, 50, 200])('%i account-regions make a valid configuration with every capability on', (n) => {
    const cfg = parseConfig(fleetConfig(n, base), `fleet-${n}`);
    expect(cfg.accounts.flatMap((a) => a.regions)).toHaveLength(n);
    expect(new Set(cfg.accounts.map((a) => a.id)).size).toBe(cfg.accounts.length);
    expect([cfg.agentUpdate, cfg.inventory, cfg.patchHistory, cfg.amiAlerts, cfg.sessionManager].every((s) => s.enabled)).toBe(true);
    expect(cfg.cloudTrail.create).toBe(true);
  });

  it('rejects a non-positive size', () => {
    expect(() => fleetConfig(0, base)).toThrow('stacks must be a positive integer, got 0');
  });
});
