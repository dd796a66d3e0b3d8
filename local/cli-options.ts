import { parseArgs } from 'node:util';
import { DEFAULT_TIME_SCALE } from './clock.js';

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly timeScale: number;
  readonly context: Readonly<Record<string, string>>;
  readonly assembly?: string;
  /** `--app`: a command, a cloud assembly directory or a CDK project directory (resolved by resolveAppSource). */
  readonly app?: string;
  /** `--stacks A,B`: the stacks to serve, by artifact id or stack name. */
  readonly stacks?: readonly string[];
  /** --max-environments: most execution environments per function. */
  readonly maxEnvironments?: number;
  /** --idle-env-seconds: idle environments are stopped after this long (local seconds). */
  readonly idleEnvSeconds?: number;
  readonly freshSynth: boolean;
  /** Directory of the durable state (`--state`); absent means `.local/` in the project. */
  readonly stateDir?: string;
  /** `--fresh`: discard the saved state. */
  readonly fresh: boolean;
  /** `--in-memory`: keep nothing across restarts. */
  readonly inMemory: boolean;
  /** False with `--no-iam`. */
  readonly iam: boolean;
  readonly enforceIamForCallers?: string;
  readonly reportUnusedIam: boolean;
  /** False with `--no-watch`: a saved source change does not reload the stack. */
  readonly watch: boolean;
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
  --app X            the CDK app to serve, as 'cdk --app' takes it: a command
                     (run in this project), a cloud assembly directory such
                     as cdk.out, or a project directory with its own cdk.json
                     (default: this project's cdk.json)
  --assembly DIR     serve an already synthesized cloud assembly (alias of --app DIR)
  --stacks A,B       serve only these stacks of a multi-stack app (artifact
                     ids or stack names); by default every stack is served,
                     in dependency order, on the one port
  --max-environments N
                     most execution environments (processes) per function;
                     more invocations wait for a free one (default: twice
                     the CPU cores, at least 4). Only a function's
                     ReservedConcurrentExecutions throttles, as on AWS
  --idle-env-seconds S
                     stop an execution environment idle this long (default:
                     AWS's 5 minutes times --time-scale, at least 10 s)
  --fresh-synth      synthesize even if the assembly cache holds this app's
                     assembly (by default an unchanged app is reused)
  --state DIR        keep queued events, SQS messages and logs in DIR
                     (default .local/ in the project; one SQLite file per stack)
  --fresh            discard the saved state and start empty
  --in-memory        keep nothing across restarts
  --no-iam           do not enforce the template's IAM policies
  --enforce-iam-for-callers ROLE_ARN
                     check calls from outside (SDK clients) as this role
  --report-unused-iam
                     at exit, print per role the granted actions used and never used
  --no-watch         do not reload the stack when a source (cdk.json "watch"
                     globs) is saved; --assembly never watches
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
        app: { type: 'string' },
        stacks: { type: 'string' },
        'max-environments': { type: 'string' },
        'idle-env-seconds': { type: 'string' },
        'fresh-synth': { type: 'boolean' },
        state: { type: 'string' },
        fresh: { type: 'boolean' },
        'in-memory': { type: 'boolean' },
        'no-iam': { type: 'boolean' },
        'enforce-iam-for-callers': { type: 'string' },
        'report-unused-iam': { type: 'boolean' },
        'no-watch': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (values['fresh-synth'] && values.assembly !== undefined) {
    throw new CliError('--fresh-synth synthesizes the app; --assembly serves one as it is: pick one');
  }
  if (values.app !== undefined && values.assembly !== undefined) {
    throw new CliError('--assembly is an alias of --app DIR: give only one of them');
  }
  return {
    port: values.port === undefined ? 3000 : parsePort(values.port),
    host: values.host === undefined ? '127.0.0.1' : parseHost(values.host),
    timeScale: values['time-scale'] === undefined ? DEFAULT_TIME_SCALE : parseTimeScale(values['time-scale']),
    context: parseContext(values.context ?? []),
    ...(values.assembly === undefined ? {} : { assembly: parseAssembly(values.assembly) }),
    ...(values.app === undefined ? {} : { app: parseApp(values.app) }),
    ...(values.stacks === undefined ? {} : { stacks: parseStacks(values.stacks) }),
    ...(values['max-environments'] === undefined ? {} : { maxEnvironments: parseMaxEnvironments(values['max-environments']) }),
    ...(values['idle-env-seconds'] === undefined ? {} : { idleEnvSeconds: parseIdleSeconds(values['idle-env-seconds']) }),
    freshSynth: values['fresh-synth'] ?? false,
    ...(values.state === undefined ? {} : { stateDir: parseStateDir(values.state) }),
    fresh: values.fresh ?? false,
    inMemory: parseInMemory(values['in-memory'] ?? false, values.state, values.fresh ?? false),
    iam: !(values['no-iam'] ?? false),
    ...(values['enforce-iam-for-callers'] === undefined ? {} : { enforceIamForCallers: parseRoleArn(values['enforce-iam-for-callers']) }),
    reportUnusedIam: values['report-unused-iam'] ?? false,
    watch: !(values['no-watch'] ?? false),
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

function parseApp(app: string): string {
  if (app.trim() === '') throw new CliError('--app needs a command, a cloud assembly directory or a CDK project directory');
  return app;
}

function parseStacks(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new CliError(`--stacks must be stack names separated by commas, got '${text}'`);
  return names;
}

function parseMaxEnvironments(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 1000) {
    throw new CliError(`--max-environments must be an integer from 1 to 1000, got '${text}'`);
  }
  return value;
}

function parseIdleSeconds(text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new CliError(`--idle-env-seconds must be a positive number, got '${text}'`);
  return value;
}

function parseStateDir(dir: string): string {
  if (dir.trim() === '') throw new CliError('--state needs a directory');
  return dir;
}

function parseInMemory(inMemory: boolean, stateDir: string | undefined, fresh: boolean): boolean {
  if (inMemory && (stateDir !== undefined || fresh)) {
    throw new CliError('--in-memory keeps no state: it cannot be combined with --state or --fresh');
  }
  return inMemory;
}

function parseRoleArn(text: string): string {
  if (!/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(text)) throw new CliError(`--enforce-iam-for-callers needs a role ARN (arn:aws:iam::<account>:role/<name>), got '${text}'`);
  return text;
}
