import { App, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from './destined-function.js';
import { TheDestinedLambdaStack } from './the-destined-lambda-stack.js';
import type { TheDestinedLambdaStackProps } from './the-destined-lambda-stack.js';

/** The one stack's id (and CloudFormation stack name). */
export const STACK_ID = 'TheDestinedLambdaStack';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Context values, as `-c key=value` gives them (strings) or typed; they win over cdk.json. */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly directory. @default - the CDK default (CDK_OUTDIR or a temp dir) */
  readonly outdir?: string;
  /**
   * Run the cdk-nag AwsSolutions checks when the app synthesizes.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Account and region of the stack.
   * @default - CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (set by the CDK CLI); environment-agnostic without them
   */
  readonly env?: { readonly account?: string; readonly region?: string };
}

/** What {@link buildApp} built. */
export interface BuiltApp {
  readonly app: App;
  readonly stack: TheDestinedLambdaStack;
}

/** cdk.json's `context` (the feature flags), so in-process apps synthesize like the CLI. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(`${PROJECT_ROOT}cdk.json`, 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** Reads a numeric context value; `-c` values arrive as strings. */
export function numericContext(app: App, key: string): number | undefined {
  const raw: unknown = app.node.tryGetContext(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const value = Number(raw);
    if (Number.isFinite(value)) return value;
  }
  throw new Error(`Context value ${key} must be a number (e.g. -c ${key}=2), got ${JSON.stringify(raw)}`);
}

/** Reads a string context value. */
function stringContext(app: App, key: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string' && raw !== '') return raw;
  throw new Error(`Context value ${key} must be a non-empty string, got ${JSON.stringify(raw)}`);
}

/** Stack props from context; absent keys keep the stack's defaults. */
export function propsFromContext(app: App): TheDestinedLambdaStackProps {
  const maxEventAgeSeconds = numericContext(app, 'maxEventAgeSeconds');
  const props: Record<string, unknown> = {
    eventBusName: stringContext(app, 'eventBusName'),
    retryAttempts: numericContext(app, 'retryAttempts'),
    maxEventAge: maxEventAgeSeconds === undefined ? undefined : Duration.millis(maxEventAgeSeconds * 1000),
    throttlingRateLimit: numericContext(app, 'throttlingRateLimit'),
    throttlingBurstLimit: numericContext(app, 'throttlingBurstLimit'),
  };
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as TheDestinedLambdaStackProps;
}

/**
 * Builds the app exactly as `bin/app.ts` does (stack, context overrides,
 * cdk-nag), so tests check what `cdk synth` and `cdk deploy` produce.
 * Account and region come from CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION
 * (set by the CDK CLI); without them the stack is environment-agnostic.
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App({
    context: { ...cdkJsonContext(), ...options.context },
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    // No AWS::CDK::Metadata resource: it only reports usage and the local runtime has nothing to do with it.
    analyticsReporting: false,
  });
  const { account, region } = options.env ?? {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const stack = new TheDestinedLambdaStack(app, STACK_ID, {
    ...propsFromContext(app),
    ...(account || region ? { env: { account, region } } : {}),
    description: 'The Destined Lambda: API Gateway -> SNS -> Lambda -> destinations -> EventBridge -> loggers',
  });
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { app, stack };
}
