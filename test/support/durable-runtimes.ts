import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { LocalRuntime, RuntimeOptions } from '../../local/runtime.js';
import { startLocalForTests } from './local-runtime.js';

/** The app served on one state directory, started as often as a test restarts it. */
export interface DurableApp {
  readonly dir: string;
  /** Serves the app on the directory's state; what it prints goes to `print` (nowhere by default). */
  start(print?: RuntimeOptions['print']): Promise<LocalRuntime>;
  /** Stops a runtime `start` gave, as Ctrl+C would. */
  stop(runtime: LocalRuntime): Promise<void>;
}

/**
 * For a suite whose tests restart the app on durable state: `app(prefix)`
 * makes a fresh state directory. Whatever a test left running is stopped,
 * and its directories removed, after each test. Call at suite level (it
 * registers an `afterEach`).
 */
export function durableApps(): (prefix: string) => DurableApp {
  const dirs: string[] = [];
  const running = new Set<LocalRuntime>();
  afterEach(async () => {
    for (const runtime of running) await runtime.stop();
    running.clear();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return {
      dir,
      async start(print = () => {}) {
        const runtime = await startLocalForTests({ state: { dir }, print });
        running.add(runtime);
        return runtime;
      },
      async stop(runtime) {
        running.delete(runtime);
        await runtime.stop();
      },
    };
  };
}
