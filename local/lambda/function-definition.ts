import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { envOf } from '../cloudformation/environments.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import type { FunctionConfig } from './pool.js';

/** A function as the service knows it: what the pool runs, plus what only the service uses. */
export interface FunctionDefinition {
  readonly logicalId: string;
  readonly config: FunctionConfig;
  readonly role?: string;
  readonly description: string;
  readonly architectures: readonly string[];
  readonly deadLetterTargetArn?: string;
  readonly tracingMode: string;
  readonly ephemeralStorageMb: number;
}

// Properties with no local effect that change nothing a caller can observe.
const INERT = new Set([
  'FunctionName',
  'Description',
  'Tags',
  'Role',
  'Architectures',
  'TracingConfig', // X-Ray has no local backend; the function behaves the same.
  'KmsKeyArn', // encrypts environment variables at rest only.
  'CodeSigningConfigArn',
  'RuntimeManagementConfig',
  'EphemeralStorage',
  'RecursiveLoop',
]);

// Features the local runtime cannot reproduce, with the reason shown to the user.
const UNSUPPORTED: Readonly<Record<string, string>> = {
  Layers: 'Lambda layers are not supported locally; bundle the code into the function asset',
  VpcConfig: 'VPC networking cannot be emulated; the function would run with host networking',
  FileSystemConfigs: 'EFS mounts are not supported locally',
  ImageConfig: 'container image functions are not supported locally',
  SnapStart: 'SnapStart is not supported locally',
  ProvisionedConcurrencyConfig: 'provisioned concurrency is not supported locally',
  CapacityProviderConfig: 'capacity providers are not supported locally',
  DurableConfig: 'durable functions are not supported locally',
  TenancyConfig: 'tenant isolation is not supported locally',
};

const HANDLED = new Set([
  'Handler',
  'Runtime',
  'Code',
  'MemorySize',
  'Timeout',
  'Environment',
  'ReservedConcurrentExecutions',
  'LoggingConfig',
  'DeadLetterConfig',
  'PackageType',
]);

/**
 * Read one AWS::Lambda::Function into a definition, rejecting any property
 * the local runtime cannot honour faithfully.
 */
export function readFunction(stack: StackModel, resource: StackResource): FunctionDefinition {
  const id = resource.logicalId;
  const p = resource.properties;
  for (const key of Object.keys(p)) {
    if (key in UNSUPPORTED) {
      if (key === 'SnapStart' && isRecord(p[key]) && (p[key] as Record<string, unknown>)['ApplyOn'] === 'None') continue;
      if (key === 'Layers' && Array.isArray(p[key]) && (p[key] as unknown[]).length === 0) continue;
      throw new UnsupportedTemplateError(id, `Properties.${key}`, UNSUPPORTED[key]!);
    }
    if (!INERT.has(key) && !HANDLED.has(key)) {
      throw new UnsupportedTemplateError(id, `Properties.${key}`, 'unknown AWS::Lambda::Function property');
    }
  }
  if (p['PackageType'] !== undefined && p['PackageType'] !== 'Zip') {
    throw new UnsupportedTemplateError(id, 'Properties.PackageType', 'only Zip packages are supported locally');
  }
  const runtime = p['Runtime'];
  if (typeof runtime !== 'string' || !/^nodejs\d+\.x$/.test(runtime)) {
    throw new UnsupportedTemplateError(id, 'Properties.Runtime', `runtime ${String(runtime)} is not supported locally (nodejs*.x only)`);
  }
  const handler = p['Handler'];
  if (typeof handler !== 'string' || !handler.includes('.')) {
    throw new UnsupportedTemplateError(id, 'Properties.Handler', 'must be "<file>.<export>"');
  }
  const functionName = resource.ref;
  const env = envOf(stack, resource);
  const functionArn =
    resource.arn ?? resource.attributes['Arn'] ?? `arn:${env.partition}:lambda:${env.region}:${env.account}:function:${functionName}`;

  const memorySizeMb = intProperty(id, p, 'MemorySize', 128, 128, 10240);
  const timeoutSeconds = intProperty(id, p, 'Timeout', 3, 1, 900);
  const reserved = p['ReservedConcurrentExecutions'];
  const reservedConcurrency = reserved === undefined ? undefined : intProperty(id, p, 'ReservedConcurrentExecutions', 0, 0, 1000);

  return {
    logicalId: id,
    config: {
      functionName,
      functionArn,
      handler,
      codeDir: codeDir(stack, resource),
      runtime,
      memorySizeMb,
      timeoutSeconds,
      environment: environment(id, p['Environment']),
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
      logGroupName: logGroup(id, p['LoggingConfig'], functionName),
      region: env.region,
      accountId: env.account,
    },
    ...(typeof p['Role'] === 'string' ? { role: p['Role'] } : {}),
    description: typeof p['Description'] === 'string' ? p['Description'] : '',
    architectures: Array.isArray(p['Architectures']) ? (p['Architectures'] as string[]) : ['x86_64'],
    ...deadLetter(id, p['DeadLetterConfig']),
    tracingMode: isRecord(p['TracingConfig']) && typeof p['TracingConfig']['Mode'] === 'string' ? p['TracingConfig']['Mode'] : 'PassThrough',
    ephemeralStorageMb:
      isRecord(p['EphemeralStorage']) && typeof p['EphemeralStorage']['Size'] === 'number' ? p['EphemeralStorage']['Size'] : 512,
  };
}

function codeDir(stack: StackModel, resource: StackResource): string {
  const code = resource.properties['Code'];
  const id = resource.logicalId;
  if (!isRecord(code)) throw new UnsupportedTemplateError(id, 'Properties.Code', 'missing');
  if (code['ImageUri'] !== undefined) {
    throw new UnsupportedTemplateError(id, 'Properties.Code.ImageUri', 'container image functions are not supported locally');
  }
  if (typeof code['ZipFile'] === 'string') {
    // CloudFormation writes inline Node.js code to index.js (CommonJS, as on AWS).
    const dir = mkdtempSync(join(tmpdir(), `lambda-${resource.logicalId}-`));
    writeFileSync(join(dir, 'index.js'), code['ZipFile']);
    return dir;
  }
  try {
    return stack.assetDir(resource);
  } catch (error) {
    throw new UnsupportedTemplateError(id, 'Properties.Code', `no local code asset: ${(error as Error).message}`);
  }
}

function environment(id: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new UnsupportedTemplateError(id, 'Properties.Environment', 'must be an object');
  for (const key of Object.keys(value)) {
    if (key !== 'Variables') throw new UnsupportedTemplateError(id, `Properties.Environment.${key}`, 'unknown property');
  }
  const vars = value['Variables'] ?? {};
  if (!isRecord(vars)) throw new UnsupportedTemplateError(id, 'Properties.Environment.Variables', 'must be an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    const where = `Properties.Environment.Variables.${k}`;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new UnsupportedTemplateError(id, where, 'must resolve to a string');
    }
    if (!ENV_KEY.test(k)) {
      throw new UnsupportedTemplateError(id, where, 'a variable name must start with a letter and hold only letters, digits and underscores');
    }
    out[k] = String(v);
  }
  // The deployment would fail on these (CreateFunction's InvalidParameterValueException), so the local run must too.
  const reserved = Object.keys(out).filter((k) => RESERVED_ENV_KEYS.has(k));
  if (reserved.length > 0) {
    throw new UnsupportedTemplateError(
      id,
      `Properties.Environment.Variables.${reserved[0]}`,
      'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys ' +
        `that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  if (Buffer.byteLength(JSON.stringify(out), 'utf8') > MAX_ENV_BYTES) {
    throw new UnsupportedTemplateError(
      id,
      'Properties.Environment.Variables',
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.',
    );
  }
  return out;
}

// Set by the Lambda runtime itself; CreateFunction refuses them in Environment.Variables.
const RESERVED_ENV_KEYS: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);
/** AWS measures the variables as their JSON text. */
const MAX_ENV_BYTES = 4 * 1024;
// AWS's model says [a-zA-Z]([a-zA-Z0-9_])+; one-letter names are let through rather than refuse what may deploy.
const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;

function logGroup(id: string, value: unknown, functionName: string): string {
  const fallback = `/aws/lambda/${functionName}`;
  if (value === undefined) return fallback;
  if (!isRecord(value)) throw new UnsupportedTemplateError(id, 'Properties.LoggingConfig', 'must be an object');
  for (const [key, v] of Object.entries(value)) {
    if (key === 'LogGroup') continue;
    if (key === 'LogFormat' && v === 'Text') continue;
    if (key === 'LogFormat') {
      throw new UnsupportedTemplateError(id, 'Properties.LoggingConfig.LogFormat', `${String(v)} log format is not supported locally (Text only)`);
    }
    throw new UnsupportedTemplateError(id, `Properties.LoggingConfig.${key}`, 'only applies to the JSON log format, which is not supported locally');
  }
  return typeof value['LogGroup'] === 'string' ? value['LogGroup'] : fallback;
}

function deadLetter(id: string, value: unknown): { deadLetterTargetArn?: string } {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new UnsupportedTemplateError(id, 'Properties.DeadLetterConfig', 'must be an object');
  const target = value['TargetArn'];
  if (target === undefined) return {};
  if (typeof target !== 'string' || !/^arn:[^:]+:(sqs|sns):/.test(target)) {
    throw new UnsupportedTemplateError(id, 'Properties.DeadLetterConfig.TargetArn', 'must be an SQS queue or SNS topic ARN');
  }
  return { deadLetterTargetArn: target };
}

function intProperty(id: string, p: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number, max: number): number {
  const raw = p[key];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new UnsupportedTemplateError(id, `Properties.${key}`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
