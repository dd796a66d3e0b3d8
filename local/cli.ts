/**
 * `npm start`: synthesize the CDK app and serve the whole stack locally, as
 * `cdk deploy` would put it on AWS. Flags: see USAGE in cli-options.ts.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { CliError, USAGE, parseCliOptions } from './cli-options.js';
import { startRuntime, type LocalRuntime } from './runtime.js';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  let options;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const started = Date.now();
  let runtime: LocalRuntime;
  try {
    runtime = await startRuntime({
      projectDir,
      ...(options.assembly === undefined ? {} : { assembly: path.resolve(options.assembly) }),
      context: options.context,
      port: options.port,
      host: options.host,
      timeScale: options.timeScale,
      iam: options.iam,
      ...(options.enforceIamForCallers === undefined ? {} : { enforceIamForCallers: options.enforceIamForCallers }),
      colour,
      print: (line) => console.log(line),
    });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      console.error(`error: port ${options.port} on ${options.host} is in use; pick another with --port`);
    } else {
      console.error(`error: ${err.message ?? String(error)}`);
    }
    return 1;
  }

  printDeployed(runtime, Date.now() - started, options.timeScale);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      console.log(`\n${signal}: stopping the local runtime...`);
      if (options.reportUnusedIam) printUnusedIam(runtime);
      void runtime.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

/** `--report-unused-iam`: per role, the granted actions this run used and never used. */
function printUnusedIam(runtime: LocalRuntime): void {
  const lines = runtime.services.iam.unusedReport();
  console.log(['IAM grants used in this run:', ...(lines.length > 0 ? lines.map((l) => `  ${l}`) : ['  (no role has identity policies)'])].join('\n'));
}

/** The summary `cdk deploy` prints, with local addresses. */
function printDeployed(runtime: LocalRuntime, elapsedMs: number, timeScale: number): void {
  const { stack } = runtime;
  const lines = [
    '',
    ` ✅  ${stack.stackName} (local)`,
    '',
    `✨  Ready in ${(elapsedMs / 1000).toFixed(2)}s`,
    '',
    'Outputs:',
    ...stack.outputs.map((o) => `${stack.stackName}.${o.OutputKey} = ${o.OutputValue}`),
    'Stack ARN:',
    stack.stackId,
    '',
    `Dashboard:     ${runtime.endpoint}/`,
    `AWS endpoint:  ${runtime.endpoint}  (any region and credentials)`,
    `Time scale:    ${timeScale === 1 ? 'real time' : `1 AWS minute = ${(60 * timeScale).toFixed(2)} s`}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

process.exitCode = await main();
// Exit even if a library left a handle open; unref'd so a clean exit is not delayed.
setTimeout(() => process.exit(), 1_000).unref();
