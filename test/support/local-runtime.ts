import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedAssembly } from '../../local/cloudformation/assembly-cache.js';
import { startRuntime, type LocalRuntime, type RuntimeOptions } from '../../local/runtime.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The project's cloud assembly for `context`, from the assembly cache
 * `npm start` uses: synthesized once per source state and shared by every
 * test file and vitest worker (the cache serialises the first synthesis).
 */
export async function assemblyForTests(context: Readonly<Record<string, string>> = {}): Promise<string> {
  const { dir } = await cachedAssembly({ projectDir: repoRoot, context: { ...context }, validation: false });
  return dir;
}

/** The synthesized stack served on a free port, AWS minutes shrunk to 50 ms. */
export async function startLocalForTests(
  options: Partial<RuntimeOptions> & { context?: Readonly<Record<string, string>> } = {},
): Promise<LocalRuntime> {
  const assembly = options.assembly ?? (await assemblyForTests(options.context ?? {}));
  return startRuntime({
    projectDir: repoRoot,
    port: 0,
    timeScale: 1 / 1200,
    ...options,
    assembly,
    ...(process.env.E2E_VERBOSE ? { print: (line: string) => console.log(line) } : {}),
  });
}

/** `examples/<name>`: a CDK project of its own, on the repository's dependencies. */
export function exampleDir(name: string): string {
  return path.join(repoRoot, 'examples', name);
}

/**
 * The example `examples/<name>` served on a free port, as
 * `npm start -- --app examples/<name>` serves it, its assembly from the cache.
 */
export async function startExampleForTests(name: string, options: Partial<RuntimeOptions> = {}): Promise<LocalRuntime> {
  const projectDir = exampleDir(name);
  const { dir } = await cachedAssembly({ projectDir, context: {}, validation: false });
  return startLocalForTests({ ...options, projectDir, assembly: dir });
}
