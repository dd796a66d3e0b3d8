import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './local-runtime.js';

/** What a user's clone needs to synthesize and serve the app; node_modules is linked, not copied. */
const PROJECT_ENTRIES = ['bin', 'lib', 'lambda', 'local', 'cdk.json', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** A temporary copy of the project a test may edit as a user edits their clone; the caller removes it. */
export function copyProject(prefix: string): string {
  const project = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const entry of PROJECT_ENTRIES) cpSync(path.join(repoRoot, entry), path.join(project, entry), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  return project;
}
