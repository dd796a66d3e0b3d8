/**
 * A user's clone has only this repository: no sibling folders. Every
 * relative path written in the project's code, tests and tools must stay
 * inside it, and the data the tests read must be in it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const SOURCE_DIRS = ['bench', 'bin', 'lambda', 'lib', 'local', 'scripts', 'test', '.ci'];
const SKIP = new Set(['node_modules', 'cdk.out', 'conformance', '__snapshots__']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) || path.basename(dir) === '.ci') out.push(full);
  }
  return out;
}

/** Quoted relative paths (`'../x'`, `"./y"`), as imports, `new URL(...)` and `path.resolve(...)` write them. */
const RELATIVE = /(['"`])(\.\.?\/[^'"`\s$]*)\1/g;

const SIBLING_DATA = ['..', 'shared', ''].join('/');

describe('the repository is self-contained', () => {
  const files = SOURCE_DIRS.filter((d) => existsSync(path.join(root, d))).flatMap((d) => sourceFiles(path.join(root, d)));

  it('finds the project sources to check', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain(path.join(root, 'test', 'local', 'eventbridge', 'conformance.test.ts'));
  });

  it('no relative path in code, tests or tools points outside the repository', () => {
    const escaping: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(RELATIVE)) {
        const target = path.resolve(path.dirname(file), match[2]!);
        if (path.relative(root, target).startsWith('..')) escaping.push(`${path.relative(root, file)}: ${match[2]}`);
      }
      // The data once lived in a sibling folder; no file may name it (the needle is built so this one does not).
      if (text.includes(SIBLING_DATA)) escaping.push(`${path.relative(root, file)}: mentions ${SIBLING_DATA}`);
    }
    expect(escaping).toEqual([]);
  });

  it('holds the AWS-recorded conformance data with its licence and notice', () => {
    const data = path.join(root, 'test', 'conformance');
    expect(existsSync(path.join(data, 'NOTICE'))).toBe(true);
    for (const folder of ['eventbridge-patterns', 'apigateway-vtl', 'lambda-async']) {
      expect(readFileSync(path.join(data, folder, 'LICENSE.txt'), 'utf8'), folder).toContain('Apache License, Version 2.0');
    }
  });
});
