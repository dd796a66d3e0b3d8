import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * What `--app X` names, read as `cdk --app` reads it, plus one form of our
 * own: a directory with a `cdk.json`, read as `cdk` would read it run there.
 * https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd.html ("--app: ... the
 * command to run your app or a cloud assembly directory")
 */
export type AppSource =
  /** A cloud assembly directory (its `manifest.json`), served as it is. */
  | { readonly kind: 'assembly'; readonly dir: string }
  /** A CDK project: its `cdk.json` gives the app command, context and watch globs. */
  | { readonly kind: 'project'; readonly dir: string }
  /** A command that synthesizes an app, run in `projectDir` as `cdk --app` runs it in its working directory. */
  | { readonly kind: 'command'; readonly command: string; readonly projectDir: string };

/**
 * Resolve `--app X` against `cwd` (the project `npm start` runs in).
 * A directory is an assembly when it holds `manifest.json`, a project when it
 * holds `cdk.json`; anything else is a command. A directory that is neither
 * is refused rather than run as a command.
 */
export function resolveAppSource(app: string, cwd: string): AppSource {
  const text = app.trim();
  if (text === '') throw new Error('--app needs a command, a cloud assembly directory or a CDK project directory');
  const candidate = path.resolve(cwd, text);
  if (existsSync(candidate) && statSync(candidate).isDirectory()) {
    if (existsSync(path.join(candidate, 'manifest.json'))) return { kind: 'assembly', dir: candidate };
    if (existsSync(path.join(candidate, 'cdk.json'))) return { kind: 'project', dir: candidate };
    throw new Error(`--app ${app}: the directory ${candidate} is neither a cloud assembly (no manifest.json) nor a CDK project (no cdk.json)`);
  }
  return { kind: 'command', command: text, projectDir: path.resolve(cwd) };
}

/** Where the runtime gets its assembly from, as {@link RuntimeOptions} takes it. */
export interface AppLocation {
  /** The project synthesized (its cdk.json context and watch globs key the assembly cache). */
  readonly projectDir: string;
  /** A cloud assembly served as it is, without synthesis. */
  readonly assembly?: string;
  /** The synthesizing command, instead of cdk.json's "app". */
  readonly app?: string;
}

/** The runtime's project, assembly and app command for a resolved `--app`. */
export function appLocation(source: AppSource, defaultProjectDir: string): AppLocation {
  switch (source.kind) {
    case 'assembly':
      return { projectDir: defaultProjectDir, assembly: source.dir };
    case 'project':
      return { projectDir: source.dir };
    case 'command':
      return { projectDir: source.projectDir, app: source.command };
  }
}
