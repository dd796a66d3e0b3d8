import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogEvent, LogSink } from '../contracts.js';
import type { FunctionConfig, PoolFactory, PoolFactoryOptions, PoolLike } from '../lambda/pool.js';

/**
 * Execution environments that outlive a reload. Each pool is made with a log
 * sink and an output callback that point through a slot, so a later runtime
 * can take the pool over and have its logs land in its own log store. A pool
 * is handed over only when everything its environments were started with is
 * the same: the function's configuration, the bytes of its bundled code (not
 * the asset id, which CDK may change for every function when any file of a
 * shared folder changes), and the pool options (endpoint, credentials, caps).
 */
export class WarmPools {
  private parked = new Map<string, Parked[]>();
  private parking = false;
  private readonly codeHashes = new Map<string, string>();

  constructor(private readonly inner: PoolFactory) {}

  /** The factory a runtime's Lambda service makes its pools with. */
  readonly factory: PoolFactory = (config, options) => {
    const key = this.keyOf(config, options);
    const waiting = this.parked.get(key);
    const taken = waiting?.shift();
    if (taken) {
      if (waiting!.length === 0) this.parked.delete(key);
      taken.slot.logs = options.logs;
      taken.slot.onOutput = options.onOutput;
      options.logs.ensureLogGroup(config.logGroupName);
      return this.handle(taken);
    }
    const slot: Slot = { logs: options.logs, onOutput: options.onOutput };
    const sink: LogSink = {
      ensureLogGroup: (group: string, retentionInDays?: number) => slot.logs.ensureLogGroup(group, retentionInDays),
      putLogEvents: (group: string, stream: string, events: readonly LogEvent[]) => slot.logs.putLogEvents(group, stream, events),
    };
    const pool = this.inner(config, {
      ...options,
      logs: sink,
      ...(options.onOutput ? { onOutput: (fn: string, line: string) => slot.onOutput?.(fn, line) } : {}),
    });
    return this.handle({ key, pool, slot });
  };

  /** From now until `release`, a disposed pool is kept for the next runtime instead of stopped. */
  park(): void {
    this.parking = true;
  }

  /** Stop the parked pools no runtime took over; later disposals stop pools again. */
  async release(): Promise<void> {
    this.parking = false;
    const unclaimed = [...this.parked.values()].flat();
    this.parked = new Map();
    await Promise.allSettled(unclaimed.map((p) => p.pool.dispose()));
  }

  /** The pool as one runtime sees it: its dispose parks the pool while a reload is under way. */
  private handle(entry: Parked): PoolLike {
    const { pool } = entry;
    let disposed = false;
    const handle: PoolLike = {
      invoke: (payload, requestId) => pool.invoke(payload, requestId),
      ...(pool.stats ? { stats: () => pool.stats!() } : {}),
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        if (!this.parking) return pool.dispose();
        const list = this.parked.get(entry.key) ?? [];
        list.push(entry);
        this.parked.set(entry.key, list);
      },
    };
    return handle;
  }

  private keyOf(config: FunctionConfig, options: PoolFactoryOptions): string {
    const { codeDir, ...rest } = config;
    // Only what an environment is started with: the options object may carry a whole service's dependencies.
    const { maxEnvironments, idleTimeoutMs, awsEndpointUrl, credentials } = options;
    return JSON.stringify([rest, this.codeHash(codeDir), { maxEnvironments, idleTimeoutMs, awsEndpointUrl, credentials }, Boolean(options.onOutput)]);
  }

  /** Hash of every file of the bundle, by relative path and content. Assets of an assembly never change, so a hash per directory is kept. */
  private codeHash(dir: string): string {
    const known = this.codeHashes.get(dir);
    if (known) return known;
    const hash = createHash('sha256');
    const walk = (relative: string) => {
      const entries = readdirSync(path.join(dir, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        const file = path.join(relative, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.isFile()) hash.update(`${file}\0`).update(readFileSync(path.join(dir, file))).update('\0');
      }
    };
    try {
      walk('');
    } catch {
      // An unreadable bundle is never the same as another: its pool is not handed over.
      return `unreadable:${dir}:${Math.random()}`;
    }
    const digest = hash.digest('hex');
    this.codeHashes.set(dir, digest);
    return digest;
  }
}

interface Slot {
  logs: LogSink;
  onOutput: ((functionName: string, line: string) => void) | undefined;
}

interface Parked {
  readonly key: string;
  readonly pool: PoolLike;
  readonly slot: Slot;
}
