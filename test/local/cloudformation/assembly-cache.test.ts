import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appSources, assemblyCacheKey, cachedAssembly, defaultAssemblyCacheDir } from '../../../local/cloudformation/assembly-cache.js';
import { readAssembly } from '../../../local/cloudformation/assembly.js';
import { handWrittenApp } from './hand-written-app.js';

/**
 * A CDK app project whose every synthesis appends a line to `syntheses.log`
 * beside the project (outside its sources), with the CDK_VALIDATION it saw.
 * The app writes its one-stack assembly by hand: the cache is under test,
 * not aws-cdk-lib, and loading that takes seconds.
 */
function project(): { dir: string; cacheDir: string; syntheses: () => string[] } {
  const root = mkdtempSync(path.join(tmpdir(), 'assembly-cache-'));
  const dir = path.join(root, 'app');
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const log = path.join(root, 'syntheses.log');
  writeFileSync(
    path.join(dir, 'cdk.json'),
    JSON.stringify({ app: 'node src/app.cjs', watch: { include: ['src/**'], exclude: ['**/*.md'] } }),
  );
  writeFileSync(
    path.join(dir, 'src', 'app.cjs'),
    `require('node:fs').appendFileSync(${JSON.stringify(log)}, String(process.env.CDK_VALIDATION) + '\\n');
${handWrittenApp('Cached', "{ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: require('./name.cjs') } } } }")}`,
  );
  writeFileSync(path.join(dir, 'src', 'name.cjs'), `module.exports = 'first';\n`);
  return {
    dir,
    cacheDir: path.join(root, 'cache'),
    syntheses: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

const topicName = (assemblyDir: string) => readAssembly(assemblyDir).template.Resources!.Topic!.Properties!.TopicName;

describe('the assembly cache', () => {
  it('synthesizes once, then answers from the cache until a source changes', async () => {
    const app = project();
    const first = await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir });
    expect(first.fromCache).toBe(false);
    expect(topicName(first.dir)).toBe('first');
    const again = await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir });
    expect(again).toEqual({ dir: first.dir, fromCache: true });
    expect(app.syntheses()).toHaveLength(1);

    // Outside cdk.json's watch globs: not a source.
    writeFileSync(path.join(app.dir, 'src', 'NOTES.md'), 'notes');
    writeFileSync(path.join(app.dir, 'scratch.txt'), 'scratch');
    expect((await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir })).fromCache).toBe(true);

    writeFileSync(path.join(app.dir, 'src', 'name.cjs'), `module.exports = 'second';\n`);
    const changed = await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir });
    expect(changed.fromCache).toBe(false);
    expect(changed.dir).not.toBe(first.dir);
    expect(topicName(changed.dir)).toBe('second');
    expect(app.syntheses()).toHaveLength(2);
  }, 120_000);

  it('keys on the context, in any order, and on cdk.json', () => {
    const app = project();
    const key = assemblyCacheKey(app.dir, { a: '1', b: '2' });
    expect(assemblyCacheKey(app.dir, { b: '2', a: '1' })).toBe(key);
    expect(assemblyCacheKey(app.dir, { a: '1', b: '3' })).not.toBe(key);
    expect(assemblyCacheKey(app.dir, {})).not.toBe(key);
    writeFileSync(path.join(app.dir, 'cdk.json'), JSON.stringify({ app: 'node src/app.cjs', context: { flag: true } }));
    expect(assemblyCacheKey(app.dir, { a: '1', b: '2' })).not.toBe(key);
  });

  it('keys a project nested in another on the enclosing lockfile and sources, and caches beside its node_modules', () => {
    const outer = mkdtempSync(path.join(tmpdir(), 'assembly-cache-outer-'));
    mkdirSync(path.join(outer, 'lib'));
    mkdirSync(path.join(outer, 'node_modules'));
    writeFileSync(path.join(outer, 'cdk.json'), JSON.stringify({ app: 'node bin/app.cjs', watch: { include: ['lib/**'] } }));
    writeFileSync(path.join(outer, 'package-lock.json'), '{"lockfileVersion":3}');
    writeFileSync(path.join(outer, 'lib', 'shared.cjs'), 'module.exports = 1;\n');
    const example = path.join(outer, 'examples', 'one');
    mkdirSync(example, { recursive: true });
    writeFileSync(path.join(example, 'cdk.json'), JSON.stringify({ app: 'node app.cjs' }));
    writeFileSync(path.join(example, 'app.cjs'), "require('../../lib/shared.cjs');\n");

    expect(defaultAssemblyCacheDir(example)).toBe(path.join(outer, 'node_modules', '.cache', 'the-destined-lambda'));
    const key = assemblyCacheKey(example, {});
    writeFileSync(path.join(outer, 'README.md'), 'not a source of either');
    expect(assemblyCacheKey(example, {})).toBe(key);
    writeFileSync(path.join(outer, 'lib', 'shared.cjs'), 'module.exports = 2;\n');
    const afterSource = assemblyCacheKey(example, {});
    expect(afterSource).not.toBe(key);
    writeFileSync(path.join(outer, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect(assemblyCacheKey(example, {})).not.toBe(afterSource);
  });

  it("takes the sources from cdk.json's watch globs, excluded directories included", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'assembly-sources-'));
    for (const file of ['bin/app.ts', 'lib/stack.ts', 'lib/stack.d.ts', 'lambda/fn.ts', 'test/a.test.ts', 'README.md']) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), file);
    }
    writeFileSync(
      path.join(dir, 'cdk.json'),
      JSON.stringify({ watch: { include: ['**'], exclude: ['**/*.d.ts', 'test', 'README.md', 'cdk.json'] } }),
    );
    expect(appSources(dir)).toEqual(['bin/app.ts', 'lambda/fn.ts', 'lib/stack.ts']);
  });

  it('synthesizes with the built-in template validation off when asked, and --fresh-synth replaces the entry', async () => {
    const app = project();
    const first = await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir, validation: false });
    const fresh = await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir, fresh: true });
    expect(fresh).toEqual({ dir: first.dir, fromCache: false });
    expect(app.syntheses()).toEqual(['false', 'undefined']);
    expect(topicName(fresh.dir)).toBe('first');
  }, 120_000);

  it('synthesizes a key once when callers race for it', async () => {
    const app = project();
    const results = await Promise.all([1, 2, 3].map(() => cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir })));
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(results.filter((r) => !r.fromCache)).toHaveLength(1);
    expect(app.syntheses()).toHaveLength(1);
  }, 120_000);

  it('takes over a lock left by a process that died, and clears what dead syntheses left', async () => {
    const app = project();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const key = assemblyCacheKey(app.dir, {});
    const lock = path.join(app.cacheDir, `assembly-${key}.lock`);
    mkdirSync(lock, { recursive: true });
    writeFileSync(path.join(lock, 'owner'), dead.stdout);
    // What a killed synthesis of another key leaves behind.
    const otherLock = path.join(app.cacheDir, 'assembly-0123abcd.lock');
    const otherStaging = path.join(app.cacheDir, `assembly-0123abcd.staging-${dead.stdout}-5eed5eed`);
    mkdirSync(otherLock);
    writeFileSync(path.join(otherLock, 'owner'), dead.stdout);
    mkdirSync(otherStaging);
    const result = await cachedAssembly({ projectDir: app.dir, cacheDir: app.cacheDir });
    expect(result.fromCache).toBe(false);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(otherLock)).toBe(false);
    expect(existsSync(otherStaging)).toBe(false);
  }, 120_000);
});
