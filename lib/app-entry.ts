import { App, Validations } from 'aws-cdk-lib';
import type { Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * The account and region the CDK CLI resolved (CDK_DEFAULT_ACCOUNT /
 * CDK_DEFAULT_REGION), as a stack's `env` prop; without them the stack is
 * environment-agnostic.
 */
export function cliEnvironment(): { env?: Environment } {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  return account || region ? { env: { account, region } } : {};
}

/** Runs a CDK app entry point. A bad prop or context value is a user error: its message is printed, not a stack trace. */
export function runAppEntry(synth: () => void): void {
  try {
    synth();
  } catch (error) {
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

/**
 * An example's entry point: `define` adds its stacks to a new app, which
 * synthesizes with the cdk-nag AwsSolutions checks, as the root app does.
 */
export function synthExampleApp(define: (app: App) => void): void {
  runAppEntry(() => {
    // No AWS::CDK::Metadata resource: it only reports usage.
    const app = new App({ analyticsReporting: false });
    define(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
  });
}
