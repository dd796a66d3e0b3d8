import { FrontDoor } from '../server.js';
import { TraceLog } from '../tracing.js';
import { loadStack } from '../cloudformation/model.js';
import { jsonResponse } from '../protocol/http.js';
import { localAssembly, startRuntime, type LocalRuntime, type RuntimeOptions } from '../runtime.js';
import { assemblyChanges, describeReload } from './assembly-changes.js';
import { watchSources, type SourceWatcher } from './source-watcher.js';
import { WarmPools } from './warm-pools.js';
import { defaultPoolFactory } from '../lambda/pool.js';
import { FunctionUrlServers } from '../lambda/function-url/servers.js';

export interface WatchedRuntimeOptions extends RuntimeOptions {
  /** Re-synthesize and swap in the new assembly when a source is saved (`--no-watch` turns it off). @default true */
  readonly watch?: boolean;
  /** Quiet time after the last save of a burst. */
  readonly debounceMs?: number;
  /** Seam for tests: the assembly directory of the app as it is now. @default synthesis through the assembly cache */
  readonly synthesize?: () => Promise<string>;
}

/** The longest reason a `reload-failed` trace keeps: the dashboard shows it, the terminal has it all. */
const REASON_LIMIT = 4_000;

/**
 * The local runtime that follows the app's sources, as `cdk watch` does: a
 * saved change re-synthesizes, and the services are rebuilt from the new
 * assembly behind the same port. State (queued and retrying events, SQS
 * messages, pending deliveries) is durable and keyed by logical id, so the
 * new services resume it exactly as a restart would. A function whose
 * configuration and bundled code are unchanged keeps its warm execution
 * environments (see WarmPools); a changed one starts cold.
 * A change that fails to synthesize or load leaves the old assembly serving.
 */
export async function startWatchedRuntime(options: WatchedRuntimeOptions): Promise<LocalRuntime> {
  const print = options.print ?? (() => {});
  const watching = (options.watch ?? true) && options.assembly === undefined;
  const traces = options.traces ?? new TraceLog();
  const warm = new WarmPools(options.poolFactory ?? defaultPoolFactory);
  const door = new FrontDoor((error) => print(`internal error: ${(error as Error)?.stack ?? String(error)}`));
  const address = await door.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
  const busy = (message: string) => door.use([async () => jsonResponse(503, { status: 'starting', message })]);
  busy('The local runtime is still starting');
  // Function URLs keep their ports across reloads, as the front door does.
  const functionUrlServers = new FunctionUrlServers((error) => print(`internal error: ${(error as Error)?.stack ?? String(error)}`));

  let current: LocalRuntime;
  let assemblyDir: string;
  try {
    assemblyDir = options.assembly ?? (await (options.synthesize?.() ?? localAssembly(options, print)));
    current = await startRuntime({ ...options, assembly: assemblyDir, door: { door, address }, traces, poolFactory: warm.factory, functionUrlServers });
  } catch (error) {
    await functionUrlServers.close();
    await door.close();
    throw error;
  }
  // Reloads reopen the state the first start opened (or discarded, with --fresh).
  const { fresh: _fresh, ...stateOptions } = options.state ?? { dir: '' };
  const reloadOptions: RuntimeOptions = {
    ...options,
    ...(options.state ? { state: stateOptions } : {}),
    door: { door, address },
    traces,
    poolFactory: warm.factory,
    functionUrlServers,
  };

  const failed = (stage: string, error: unknown) => {
    const reason = (error as Error)?.message ?? String(error);
    print(`reload failed (${stage}); still serving the previous assembly:\n${reason}`);
    traces.record({
      service: 'runtime',
      kind: 'reload-failed',
      resource: current.stack.stackName,
      summary: `reload failed (${stage}); the previous assembly keeps serving`,
      outcome: 'failed',
      reason: reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT)}…` : reason,
    });
  };

  /** The terminal line, and the same as a trace the dashboard shows as its latest reload. */
  const reloaded = (line: string) => {
    print(line);
    traces.record({ service: 'runtime', kind: 'reloaded', resource: current.stack.stackName, summary: line, outcome: 'ok' });
  };

  const reload = async (files: readonly string[]): Promise<void> => {
    const started = Date.now();
    print(`changed: ${files.join(', ')}`);
    let nextDir: string;
    try {
      nextDir = await (options.synthesize?.() ?? localAssembly({ ...options, freshSynth: false }, print));
    } catch (error) {
      failed('synthesis', error);
      return;
    }
    if (nextDir === assemblyDir) {
      reloaded(`reloaded in ${((Date.now() - started) / 1000).toFixed(2)}s: the assembly is unchanged`);
      return;
    }
    try {
      // Parsed here first so a template the runtime cannot read never stops the running services.
      loadStack(nextDir, { localEndpoint: current.endpoint, ...(options.stacks ? { stacks: options.stacks } : {}) });
    } catch (error) {
      failed('load', error);
      return;
    }
    const before = current.stack;
    busy('The local runtime is reloading');
    // The stopped runtime's pools wait for the new one, which takes over those whose function did not change.
    warm.park();
    await current.stop();
    try {
      current = await startRuntime({ ...reloadOptions, assembly: nextDir });
      assemblyDir = nextDir;
      reloaded(describeReload(assemblyChanges(before, current.stack), Date.now() - started));
    } catch (error) {
      failed('load', error);
      // The old services are already stopped: start them again on the same state, as a restart would.
      current = await startRuntime({ ...reloadOptions, assembly: assemblyDir });
    } finally {
      await warm.release();
    }
  };

  // One reload at a time; saves during a reload are gathered for the next one.
  let running: Promise<void> | undefined;
  let waiting = new Set<string>();
  const onChange = (files: string[]) => {
    for (const file of files) waiting.add(file);
    if (running) return;
    running = (async () => {
      while (waiting.size > 0) {
        const batch = [...waiting].sort();
        waiting = new Set();
        await reload(batch).catch((error: unknown) => print(`reload: ${(error as Error)?.stack ?? String(error)}`));
      }
      running = undefined;
    })();
  };

  let watcher: SourceWatcher | undefined;
  if (watching) {
    watcher = watchSources(options.projectDir, onChange, options.debounceMs);
    print(
      options.state
        ? 'Watching the app sources (cdk.json "watch"); a saved change reloads the stack (--no-watch turns it off)'
        : 'Watching the app sources (cdk.json "watch"); with --in-memory a reload loses pending events (queued and retrying async events, SQS messages, deliveries)',
    );
  }

  return {
    get endpoint() {
      return current.endpoint;
    },
    get stack() {
      return current.stack;
    },
    get traces() {
      return current.traces;
    },
    get functionUrls() {
      return current.functionUrls;
    },
    get services() {
      return current.services;
    },
    async stop() {
      watcher?.close();
      waiting.clear();
      await running;
      await current.stop();
      await functionUrlServers.close();
      await door.close();
    },
  };
}
