/** Starts real FunctionPools on handler fixtures and disposes them after each test. */
import { afterEach } from 'vitest';
import { FunctionPool, type FunctionConfig, type PoolOptions } from '../../../local/lambda/environments.js';
import { fixtureConfig, MemoryLogs } from './environments-helpers.js';

/** Call once at a test file's top level; the returned `start` runs a fixture on a fresh pool with its own logs. */
export function poolStarter() {
  const pools: FunctionPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.dispose()));
  });
  return function start(name: string, overrides: Partial<FunctionConfig> = {}, options: Partial<PoolOptions> = {}) {
    const logs = new MemoryLogs();
    const config = fixtureConfig(name, overrides);
    const pool = new FunctionPool(config, { logs, ...options });
    pools.push(pool);
    return { pool, logs, config };
  };
}
