import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizeApp } from '../../local/cloudformation/assembly.js';
import { startRuntime, type LocalRuntime, type RuntimeOptions } from '../../local/runtime.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Files whose content decides the synthesized assembly. */
const SOURCES = ['bin', 'lib', 'lambda', 'cdk.json', 'package-lock.json'];

function sourceHash(context: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256').update(JSON.stringify(context));
  const visit = (p: string) => {
    const full = path.join(repoRoot, p);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) visit(path.join(p, entry));
    } else {
      hash.update(p).update(readFileSync(full));
    }
  };
  SOURCES.forEach(visit);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The project's cloud assembly, synthesized once per source state and shared
 * by every test file (and every vitest worker: a lock directory serialises
 * the first synthesis).
 */
export async function assemblyForTests(context: Readonly<Record<string, string>> = {}): Promise<string> {
  const cache = path.join(repoRoot, 'node_modules', '.cache', 'the-destined-lambda');
  const dir = path.join(cache, `assembly-${sourceHash(context)}`);
  const done = path.join(dir, 'manifest.json');
  const lock = `${dir}.lock`;
  mkdirSync(cache, { recursive: true });
  for (;;) {
    if (existsSync(done)) return dir;
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is synthesizing; a lock older than 5 minutes is stale.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (!existsSync(done)) {
        // Synthesize beside the cache entry and rename it into place, so a
        // reader never sees a half-written assembly.
        const staging = `${dir}.staging`;
        rmSync(staging, { recursive: true, force: true });
        await synthesizeApp({ projectDir: repoRoot, context: { ...context }, outdir: staging });
        rmSync(dir, { recursive: true, force: true });
        renameSync(staging, dir);
      }
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
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
