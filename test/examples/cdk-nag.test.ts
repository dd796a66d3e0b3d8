/**
 * Every example passes cdk-nag's AwsSolutions checks, each finding it
 * acknowledges carrying a reason: the validation report its synthesis wrote
 * (the cached assembly `npm start -- --app examples/<name>` serves) says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../local/cloudformation/assembly-cache.js';
import { EXAMPLES } from '../support/examples.js';
import { exampleDir } from '../support/local-runtime.js';

interface ValidationReport {
  readonly pluginReports: readonly {
    pluginName: string;
    conclusion: string;
    violations: readonly unknown[];
    suppressedViolations?: readonly { ruleName: string; reason?: string }[];
  }[];
}

async function nagReport(name: string) {
  const { dir } = await cachedAssembly({ projectDir: exampleDir(name), context: {}, validation: false });
  const report = JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
}

describe.each(Object.keys(EXAMPLES))('examples/%s', (name) => {
  it('synthesizes with no unacknowledged cdk-nag finding', async () => {
    const nag = await nagReport(name);
    expect(nag, 'the AwsSolutions checks ran').toBeDefined();
    expect(nag!.violations).toEqual([]);
    expect(nag!.conclusion).toBe('success');
  }, 180_000);

  it('gives a reason for every acknowledged finding', async () => {
    const suppressed = (await nagReport(name))?.suppressedViolations ?? [];
    const unexplained = suppressed.filter((v) => (v.reason ?? '').trim().length < 20).map((v) => v.ruleName);
    expect(unexplained).toEqual([]);
  }, 180_000);
});
