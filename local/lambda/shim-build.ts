/**
 * Compiles the TypeScript runtime shim (./shim) to one plain-JS ES module the
 * child `node` runs without tsx. Why this approach: the shim stays strict
 * TypeScript in the repo, children start without a loader hook (tsx in the
 * child would add ~100 ms per cold start and an extra dependency at runtime),
 * and esbuild bundles it in a few ms. The output is cached under os.tmpdir()
 * keyed by a hash of the sources, so it is built once per machine per change
 * and every process shares it; the build is memoised per process.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIM_DIR = fileURLToPath(new URL('./shim/', import.meta.url));

let built: Promise<string> | undefined;

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(SHIM_DIR).sort()) {
    if (!name.endsWith('.ts')) continue;
    hash.update(name).update('\0').update(readFileSync(path.join(SHIM_DIR, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function build(): Promise<string> {
  const out = path.join(os.tmpdir(), `destined-lambda-shim-${sourceHash()}.mjs`);
  if (existsSync(out)) return out;
  const esbuild = await import('esbuild');
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  await esbuild.build({
    entryPoints: [path.join(SHIM_DIR, 'runtime.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  // Atomic rename: concurrent processes building the same hash never see half a file.
  renameSync(tmp, out);
  return out;
}

/** Absolute path of the compiled shim (`.mjs`), building it on first use. */
export function shimPath(): Promise<string> {
  built ??= build().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

/** The shim's directory, used as LAMBDA_RUNTIME_DIR. */
export const RUNTIME_DIR = SHIM_DIR;
