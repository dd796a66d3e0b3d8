import { parseArgs } from 'node:util';
import { DEFAULT_TIME_SCALE } from './clock.js';

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly timeScale: number;
  readonly context: Readonly<Record<string, string>>;
  readonly assembly?: string;
  /** False with `--no-iam`. */
  readonly iam: boolean;
  readonly enforceIamForCallers?: string;
  readonly reportUnusedIam: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm start -- [options]

Synthesizes the CDK app (or reads a cloud assembly) and serves the whole
stack locally: API Gateway, SNS, Lambda, EventBridge, SQS, CloudWatch Logs
and CloudFormation, on one port.

Options:
  --port N           port to listen on (default 3000; 0 picks a free port)
  --host H           address to bind (default 127.0.0.1)
  --time-scale F     multiplies every AWS wait (retry back-off, event age);
                     a number or a fraction such as 1/60 (default 1/60: an
                     AWS minute is a local second; 1 is real time)
  --context K=V      CDK context, as 'cdk -c K=V' (repeatable)
  --assembly DIR     serve an already synthesized cloud assembly (e.g. cdk.out)
  --no-iam           do not enforce the template's IAM policies
  --enforce-iam-for-callers ROLE_ARN
                     check calls from outside (SDK clients) as this role
  --report-unused-iam
                     at exit, print per role the granted actions used and never used
  -h, --help         show this help`;

export class CliError extends Error {}

/** Parse `npm start -- ...` flags; throws CliError with a message for the user. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'time-scale': { type: 'string' },
        context: { type: 'string', short: 'c', multiple: true },
        assembly: { type: 'string' },
        'no-iam': { type: 'boolean' },
        'enforce-iam-for-callers': { type: 'string' },
        'report-unused-iam': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  return {
    port: values.port === undefined ? 3000 : parsePort(values.port),
    host: values.host === undefined ? '127.0.0.1' : parseHost(values.host),
    timeScale: values['time-scale'] === undefined ? DEFAULT_TIME_SCALE : parseTimeScale(values['time-scale']),
    context: parseContext(values.context ?? []),
    ...(values.assembly === undefined ? {} : { assembly: parseAssembly(values.assembly) }),
    iam: !(values['no-iam'] ?? false),
    ...(values['enforce-iam-for-callers'] === undefined ? {} : { enforceIamForCallers: parseRoleArn(values['enforce-iam-for-callers']) }),
    reportUnusedIam: values['report-unused-iam'] ?? false,
    help: values.help ?? false,
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new CliError(`--port must be an integer from 0 to 65535, got '${text}'`);
  }
  return port;
}

function parseHost(text: string): string {
  if (text.trim() === '' || /\s/.test(text)) throw new CliError(`--host must be a host name or address, got '${text}'`);
  return text;
}

function parseTimeScale(text: string): number {
  const fraction = /^\s*([0-9.eE+-]+)\s*\/\s*([0-9.eE+-]+)\s*$/.exec(text);
  const value = fraction ? Number(fraction[1]) / Number(fraction[2]) : text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CliError(`--time-scale must be a positive number or fraction such as 1/60, got '${text}'`);
  }
  return value;
}

function parseContext(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--context must be key=value, got '${pair}'`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

function parseAssembly(dir: string): string {
  if (dir.trim() === '') throw new CliError('--assembly needs a directory');
  return dir;
}

function parseRoleArn(text: string): string {
  if (!/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(text)) throw new CliError(`--enforce-iam-for-callers needs a role ARN (arn:aws:iam::<account>:role/<name>), got '${text}'`);
  return text;
}
