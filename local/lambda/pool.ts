import type { Credentials, LogSink } from '../contracts.js';
import { FunctionPool, ThrottledError, type Execution, type FunctionConfig, type PoolStats } from './environments.js';

/**
 * The part of `FunctionPool` the Lambda service uses. A seam so the
 * service's logic (retries, destinations, permissions) is testable with a
 * fake pool, without child processes.
 */
export interface PoolLike {
  /**
   * Rejects with a `ThrottledError` at the function's reserved concurrency;
   * otherwise waits for a free environment. Never rejects for function errors.
   */
  invoke(payload: string, requestId?: string): Promise<Execution>;
  /** Environments and their memory now; a fake pool may have none. */
  stats?(): PoolStats;
  dispose(): Promise<void>;
}

/** Options the service passes to every pool it creates. */
export interface PoolFactoryOptions {
  readonly logs: LogSink;
  /** Most execution environments per function. @default defaultMaxEnvironments() */
  readonly maxEnvironments?: number;
  /** Idle environments are reaped after this long. @default 5 minutes */
  readonly idleTimeoutMs?: number;
  readonly onOutput?: (functionName: string, line: string) => void;
  readonly awsEndpointUrl?: string;
  /** Credentials identifying the execution role to the runtime's AWS APIs. */
  readonly credentials?: Credentials;
}

/** Creates the pool that runs one function. */
export type PoolFactory = (config: FunctionConfig, options: PoolFactoryOptions) => PoolLike;

/** The real factory: one pool of execution environments per function. */
export const defaultPoolFactory: PoolFactory = (config, options) => new FunctionPool(config, options);

/**
 * Whether a pool rejection is a throttle. Checked by name as well as by
 * class so a fake pool in tests (or a second copy of the module) counts too.
 */
export function isThrottle(error: unknown): boolean {
  return error instanceof ThrottledError || (error instanceof Error && error.name === 'ThrottledError');
}

export type { Execution, FunctionConfig, PoolStats };
