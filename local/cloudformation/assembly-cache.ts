import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { synthesizeApp, type SynthesizeOptions } from './assembly.js';

/**
 * A content-addressed cache of synthesized cloud assemblies, shared by
 * `npm start` and the tests: an entry is named by a hash of everything that
 * decides the assembly, so an unchanged app is never synthesized twice.
 */

/** Bumped when the layout of an entry, or what the key covers, changes. */
const CACHE_FORMAT = '1';

/** Entries kept; older ones are removed after a new one is written. */
const KEEP_ENTRIES = 12;

/** A lock whose owner is gone, or older than this, is taken over. */
const STALE_LOCK_MS = 10 * 60_000;

/** Files beside the sources that decide the assembly: the app command and flags, the dependencies, the compiler settings. */
const PROJECT_FILES = ['cdk.json', 'package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'tsconfig.json'];

/** Environment the CDK app reads when it decides the stack's account and region. */
const ENVIRONMENT_KEYS = ['CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION'];

/** Never sources of the app itself (dependencies are covered by the lockfile). */
const NEVER_SOURCES = new Set(['node_modules', '.git', 'cdk.out']);

/** Options of {@link cachedAssembly}. */
export interface CachedAssemblyOptions extends Omit<SynthesizeOptions, 'outdir'> {
  /** Where entries live. @default `<projectDir>/node_modules/.cache/the-destined-lambda` */
  readonly cacheDir?: string;
  /** Synthesize even when an entry exists (`--fresh-synth`); the new assembly replaces it. */
  readonly fresh?: boolean;
  /** Called once a synthesis is about to start (not when the cache answers). */
  readonly onSynthesizing?: () => void;
}

/** What {@link cachedAssembly} found or made. */
export interface CachedAssembly {
  /** The assembly directory. */
  readonly dir: string;
  /** True when an earlier synthesis was reused. */
  readonly fromCache: boolean;
}

/**
 * Default cache directory of a project: git-ignored with node_modules, and
 * removed with it. A project inside another one (an example folder using the
 * enclosing project's dependencies) uses the node_modules its imports resolve to.
 */
export function defaultAssemblyCacheDir(projectDir: string): string {
  const root = path.resolve(projectDir);
  const owner = findUp(root, (dir) => existsSync(path.join(dir, 'node_modules'))) ?? root;
  return path.join(owner, 'node_modules', '.cache', 'the-destined-lambda');
}

/** The nearest of `dir` and its ancestors for which `holds` is true. */
function findUp(dir: string, holds: (dir: string) => boolean): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (holds(current)) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** Lockfiles that pin an app's dependencies, looked up from the project to the enclosing ones. */
const LOCKFILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'];

/**
 * The assembly of the app in `projectDir` for `context`: the cached one when
 * nothing it depends on changed, else a new synthesis stored under its key.
 * Concurrent callers (vitest workers, a test run beside `npm start`)
 * synthesize a key once: a lock directory serialises them, and an entry
 * appears by an atomic rename, so a reader never sees a half-written one.
 */
export async function cachedAssembly(options: CachedAssemblyOptions): Promise<CachedAssembly> {
  const projectDir = path.resolve(options.projectDir);
  const cacheDir = path.resolve(options.cacheDir ?? defaultAssemblyCacheDir(projectDir));
  const dir = path.join(cacheDir, `assembly-${assemblyCacheKey(projectDir, options.context ?? {}, options.app)}`);
  mkdirSync(cacheDir, { recursive: true });
  if (!options.fresh && isComplete(dir)) return { dir: touched(dir), fromCache: true };

  const lock = `${dir}.lock`;
  await acquire(lock);
  try {
    // Another process may have written the entry while this one waited.
    if (!options.fresh && isComplete(dir)) return { dir: touched(dir), fromCache: true };
    const staging = `${dir}.staging-${process.pid}-${randomUUID().slice(0, 8)}`;
    options.onSynthesizing?.();
    try {
      const { cacheDir: _cacheDir, fresh: _fresh, onSynthesizing: _onSynthesizing, ...synth } = options;
      await synthesizeApp({ ...synth, projectDir, outdir: staging });
      if (existsSync(dir)) {
        // --fresh-synth: move the old entry aside first; rename cannot replace a non-empty directory.
        const old = `${dir}.old-${process.pid}-${randomUUID().slice(0, 8)}`;
        renameSync(dir, old);
        rmSync(old, { recursive: true, force: true });
      }
      renameSync(staging, dir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  prune(cacheDir, dir);
  return { dir, fromCache: false };
}

/**
 * Hash of what decides the assembly: the app's sources (cdk.json's
 * `watch.include` minus `watch.exclude`, the files `cdk watch` would react to),
 * the project files, the context, the environment the app reads and the
 * Node.js version that runs it and its bundler; and the app command when it
 * is given (`--app COMMAND`) rather than read from cdk.json.
 */
export function assemblyCacheKey(projectDir: string, context: Readonly<Record<string, string>>, app?: string): string {
  const root = path.resolve(projectDir);
  const hash = createHash('sha256');
  const field = (name: string, value: string | Buffer) => hash.update(`${name}\0${value.length}\0`).update(value);
  field('format', CACHE_FORMAT);
  field('node', process.version);
  if (app !== undefined) field('app', app);
  field('context', JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  for (const key of ENVIRONMENT_KEYS) field(`env:${key}`, process.env[key] ?? '');
  for (const file of PROJECT_FILES) {
    const full = path.join(root, file);
    if (existsSync(full)) field(`file:${file}`, readFileSync(full));
  }
  // A project without its own lockfile runs on the enclosing project's dependencies, and may
  // import that project's sources too (the examples build their functions with the root's lib/).
  const locked = findUp(root, (dir) => LOCKFILES.some((file) => existsSync(path.join(dir, file))));
  if (locked !== undefined && locked !== root) {
    for (const file of LOCKFILES) {
      const full = path.join(locked, file);
      if (existsSync(full)) field(`enclosing:${file}`, readFileSync(full));
    }
    if (existsSync(path.join(locked, 'cdk.json'))) {
      for (const file of appSources(locked)) field(`enclosing-source:${file}`, readFileSync(path.join(locked, file)));
    }
  }
  for (const file of appSources(root)) field(`source:${file}`, readFileSync(path.join(root, file)));
  return hash.digest('hex').slice(0, 20);
}

/** Relative POSIX paths of the app's source files, sorted. */
export function appSources(projectDir: string): string[] {
  const watch = readWatchSettings(projectDir);
  const included = picomatch(watch.include, { dot: true });
  // cdk.json excludes name directories as well as globs ("node_modules", "test"): a match excludes what is below it too.
  const excluded = picomatch(watch.exclude, { dot: true });
  const files: string[] = [];
  const visit = (relative: string) => {
    for (const entry of readdirSync(path.join(projectDir, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (NEVER_SOURCES.has(rel) || excluded(rel)) continue;
      if (entry.isDirectory()) visit(rel);
      else if (entry.isFile() && included(rel)) files.push(rel);
    }
  };
  visit('');
  return files.sort();
}

/** The app's source rules, for a watcher: the same as {@link appSources}. */
export interface AppSourceFilter {
  /** Whether a relative POSIX path is a source: no part of it excluded, the whole path included. */
  isSource(relative: string): boolean;
  /** Whether nothing below this relative directory can be a source (node_modules, an excluded tree). */
  isExcludedDir(relative: string): boolean;
}

export function appSourceFilter(projectDir: string): AppSourceFilter {
  const watch = readWatchSettings(projectDir);
  const included = picomatch(watch.include, { dot: true });
  const excluded = picomatch(watch.exclude, { dot: true });
  const isExcludedDir = (relative: string) => {
    const parts = relative.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (NEVER_SOURCES.has(prefix) || excluded(prefix)) return true;
    }
    return false;
  };
  return { isExcludedDir, isSource: (relative) => !isExcludedDir(relative) && included(relative) };
}

/** cdk.json's `watch` globs; without them, every file of the project counts. */
function readWatchSettings(projectDir: string): { include: string[]; exclude: string[] } {
  let watch: { include?: unknown; exclude?: unknown } | undefined;
  try {
    watch = (JSON.parse(readFileSync(path.join(projectDir, 'cdk.json'), 'utf8')) as { watch?: typeof watch }).watch;
  } catch {
    watch = undefined;
  }
  const list = (value: unknown, fallback: string[]) =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;
  return { include: list(watch?.include, ['**']), exclude: list(watch?.exclude, []) };
}

function isComplete(dir: string): boolean {
  return existsSync(path.join(dir, 'manifest.json'));
}

/** Marks an entry as recently used, so pruning keeps it. */
function touched(dir: string): string {
  const now = new Date();
  try {
    utimesSync(dir, now, now);
  } catch {
    // Pruned meanwhile by another process: the caller still gets a clear error when it reads the assembly.
  }
  return dir;
}

/** Take the lock directory, waiting while a live process holds it. */
async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'owner'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStale(lock)) rmSync(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isStale(lock: string): boolean {
  const held = statSync(lock, { throwIfNoEntry: false });
  if (!held) return false; // released meanwhile: the next mkdir takes it
  if (Date.now() - held.mtimeMs > STALE_LOCK_MS) return true;
  let owner: number;
  try {
    owner = Number(readFileSync(path.join(lock, 'owner'), 'utf8'));
  } catch {
    return false; // the owner is between mkdir and writing its pid
  }
  if (!Number.isInteger(owner) || owner <= 0) return false;
  try {
    process.kill(owner, 0);
    return false;
  } catch (error) {
    // EPERM: alive under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Remove all but the most recently used entries, and the staging directories and locks of killed syntheses. */
function prune(cacheDir: string, keep: string): void {
  const entries = readdirSync(cacheDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^assembly-[0-9a-f]+$/.test(e.name))
    .map((e) => path.join(cacheDir, e.name))
    .filter((dir) => dir !== keep)
    .map((dir) => ({ dir, used: statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.used - a.used);
  for (const { dir } of entries.slice(KEEP_ENTRIES - 1)) rmSync(dir, { recursive: true, force: true });
  for (const e of readdirSync(cacheDir, { withFileTypes: true })) {
    const full = path.join(cacheDir, e.name);
    const leftover = /^assembly-[0-9a-f]+\.(?:staging|old)-(\d+)-/.exec(e.name);
    if (leftover && !isAlive(Number(leftover[1]))) rmSync(full, { recursive: true, force: true });
    else if (/^assembly-[0-9a-f]+\.lock$/.test(e.name) && isStale(full)) rmSync(full, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
