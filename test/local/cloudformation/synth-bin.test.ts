import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthEnvironment } from '../../../local/cloudformation/assembly.js';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const esbuildVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', 'esbuild', 'package.json'), 'utf8')) as { version: string }).version;

/** Run `npx args` with the local synth's PATH, in front of a fake "real" npx that says how it was called. */
function npx(cwd: string, ...args: string[]) {
  const fakeDir = mkdtempSync(path.join(tmpdir(), 'fake-npx-'));
  writeFileSync(path.join(fakeDir, 'npx'), '#!/bin/sh\necho "real npx $*"\n');
  chmodSync(path.join(fakeDir, 'npx'), 0o755);
  const { PATH } = synthEnvironment();
  const [shimDir, ...rest] = PATH!.split(path.delimiter);
  return spawnSync('npx', args, { cwd, encoding: 'utf8', env: { ...process.env, PATH: [shimDir, fakeDir, ...rest].join(path.delimiter) } });
}

describe.runIf(process.platform !== 'win32')("the local synth's npx", () => {
  it("runs a binary the project installed directly, as NodejsFunction's `npx --no-install esbuild` asks", () => {
    const result = npx(repoRoot, '--no-install', 'esbuild', '--version');
    expect(result.stdout.trim(), result.stderr).toBe(esbuildVersion);
  });

  it('hands everything else to the next npx on PATH, arguments intact', () => {
    expect(npx(repoRoot, '--no-install', 'not-installed-here', '--flag').stdout.trim()).toBe('real npx --no-install not-installed-here --flag');
    expect(npx(repoRoot, 'cdk', 'synth').stdout.trim()).toBe('real npx cdk synth');
    // Outside the project, its node_modules/.bin is not where the binary is looked up.
    expect(npx(tmpdir(), '--no-install', 'esbuild', '--version').stdout.trim()).toBe('real npx --no-install esbuild --version');
  });
});
