/**
 * A copy of a synthesized cloud assembly (assets included, so every code
 * path differs from the original) whose stack template `edit` changes: what
 * a reload test swaps in without synthesizing.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function editedAssembly<R = unknown>(workDir: string, source: string, edit: (resources: Record<string, R>) => void): string {
  const dir = path.join(workDir, 'assembly');
  cpSync(source, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const templateFile = Object.values(manifest.artifacts).find((a) => a.type === 'aws:cloudformation:stack')!.properties!.templateFile!;
  const template = JSON.parse(readFileSync(path.join(dir, templateFile), 'utf8')) as { Resources: Record<string, R> };
  edit(template.Resources);
  writeFileSync(path.join(dir, templateFile), JSON.stringify(template));
  return dir;
}
