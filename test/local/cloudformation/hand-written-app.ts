import { createRequire } from 'node:module';

/** The cloud assembly schema version the toolkit reads, from its own dependency. */
const schemaVersion = (
  createRequire(createRequire(import.meta.url).resolve('@aws-cdk/toolkit-lib'))('@aws-cdk/cloud-assembly-schema') as {
    Manifest: { version(): string };
  }
).Manifest.version();

/**
 * CommonJS source of a CDK "app" that writes a one-stack cloud assembly by
 * hand into CDK_OUTDIR, as aws-cdk-lib would, without loading aws-cdk-lib
 * (which takes seconds): for tests of how an app is run, not of the CDK.
 * `templateExpression` is a JavaScript expression evaluated in the app.
 */
export function handWrittenApp(stackName: string, templateExpression: string): string {
  return `const fs = require('node:fs');
const path = require('node:path');
const out = process.env.CDK_OUTDIR;
fs.writeFileSync(path.join(out, '${stackName}.template.json'), JSON.stringify(${templateExpression}));
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({
  version: ${JSON.stringify(schemaVersion)},
  artifacts: { ${stackName}: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: '${stackName}.template.json' } } },
}));
`;
}
