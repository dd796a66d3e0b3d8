import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, STACK_ID } from '../../lib/app.js';
import { synthEnvironment } from '../../local/cloudformation/assembly.js';
import type { BuildAppOptions } from '../../lib/app.js';

/** A synthesized app: its template and cdk-nag's validation report. */
export interface Synthesized {
  readonly template: Record<string, any>;
  readonly report: { pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[] } | undefined;
  readonly outdir: string;
  readonly cleanup: () => void;
}

/**
 * Synthesizes the app exactly as bin/app.ts does (cdk-nag included) into a
 * temp dir, environment-agnostic so results do not depend on the shell.
 */
export function synthesize(options: Omit<BuildAppOptions, 'outdir'> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'destined-app-'));
  const { app } = buildApp({ env: {}, ...options, outdir });
  withEnvironment(
    {
      // aws-cdk-lib's built-in template validation leaves the template as it is; cdk-synth.test.ts runs it through `cdk synth`.
      CDK_VALIDATION: 'false',
      // The local synth's PATH: esbuild runs without npx.
      ...synthEnvironment(),
    },
    () => app.synth(),
  );
  const template = JSON.parse(readFileSync(join(outdir, `${STACK_ID}.template.json`), 'utf8'));
  let report: Synthesized['report'];
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  } catch {
    report = undefined;
  }
  return { template, report, outdir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Run `fn` with environment variables set, then put them back (bundling reads them from process.env). */
function withEnvironment(vars: Record<string, string>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  try {
    fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Logical id of the one resource of a type whose id starts with a prefix. */
export function logicalId(template: Record<string, any>, type: string, prefix: string): string {
  const ids = Object.entries(template.Resources as Record<string, { Type: string }>)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}
