import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import type { Template } from './intrinsics.js';

/**
 * Cloud assemblies: producing one from a CDK app (as `cdk synth` does) and
 * reading the single stack the local runtime serves out of it.
 */

/** Options of {@link synthesizeApp}. */
export interface SynthesizeOptions {
  /** Directory holding the app's `cdk.json`. */
  readonly projectDir: string;
  /** Context values, as `cdk -c key=value` gives them. */
  readonly context?: Record<string, string>;
  /**
   * The command that synthesizes the app, as `cdk --app` takes it; run in
   * `projectDir`, whose cdk.json (if any) still gives the context.
   * @default cdk.json's "app"
   */
  readonly app?: string;
  /** Where to write the assembly. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /**
   * Receives the toolkit's warnings and, after a successful synth, its
   * validation findings (construct annotations, deprecations); dropped when absent.
   */
  readonly onWarning?: (message: string) => void;
  /**
   * Run aws-cdk-lib's built-in CloudFormation template validation (the CLI's
   * `--no-validation` turns it off, through CDK_VALIDATION=false in the app's
   * environment). Validation plugins the app registers itself, such as
   * cdk-nag, run either way, and the template is the same.
   * @default true
   */
  readonly validation?: boolean;
}

/**
 * Put first on the app's PATH: its `npx` runs a binary the project installed
 * (esbuild, for each NodejsFunction) directly instead of through npm.
 * A POSIX shell script, so not on Windows.
 */
const SYNTH_BIN = fileURLToPath(new URL('./synth-bin', import.meta.url));

/** Environment additions for a local synth's CDK app process (or for an in-process synth in the tests). */
export function synthEnvironment(): Record<string, string> {
  if (process.platform === 'win32') return {};
  return { PATH: [SYNTH_BIN, process.env.PATH ?? ''].join(path.delimiter) };
}

/** Raised when the CDK app fails to synthesize; carries what the toolkit reported. */
export class SynthesisError extends Error {
  constructor(
    message: string,
    /** Error-level messages the toolkit reported during synthesis. */
    readonly diagnostics: readonly string[],
  ) {
    super(diagnostics.length ? `${message}\n${diagnostics.join('\n')}` : message);
    this.name = 'SynthesisError';
  }
}

/**
 * Synthesize the CDK app of `projectDir` in-process with the CDK toolkit
 * library, into `outdir`, and return the assembly directory. The toolkit is
 * kept quiet; its error messages are kept and surface in the thrown error.
 */
export async function synthesizeApp(options: SynthesizeOptions): Promise<string> {
  const projectDir = path.resolve(options.projectDir);
  const app = options.app ?? readAppCommand(projectDir);
  const outdir = path.resolve(projectDir, options.outdir ?? 'cdk.out');

  // Imported lazily: the toolkit is large and only needed when synthesizing.
  const { Toolkit, CdkAppMultiContext } = await import('@aws-cdk/toolkit-lib');
  const diagnostics: string[] = [];
  const toolkit = new Toolkit({
    color: false,
    emojis: false,
    ioHost: {
      async notify(msg) {
        if (msg.level === 'error') diagnostics.push(msg.message);
        else if (msg.level === 'warn') options.onWarning?.(msg.message);
      },
      async requestResponse(msg) {
        // Nothing to confirm during a synth: take the toolkit's default answer.
        return msg.defaultResponse;
      },
    },
  });
  try {
    const source = await toolkit.fromCdkApp(app, {
      workingDirectory: projectDir,
      outdir,
      env: synthEnvironment(),
      contextStore: new CdkAppMultiContext(projectDir, options.context ?? {}),
      // No AWS account offline: do not ask STS for a default environment, do no lookups.
      resolveDefaultEnvironment: false,
      lookups: false,
      synthOptions: { validation: options.validation ?? true },
    });
    const assembly = await toolkit.synth(source);
    await assembly.dispose();
    // The toolkit reports validation findings at error level even when synthesis succeeds.
    for (const message of diagnostics) options.onWarning?.(message);
  } catch (error) {
    throw new SynthesisError(`Synthesis of the CDK app in ${projectDir} failed: ${(error as Error).message ?? String(error)}`, diagnostics);
  }
  return outdir;
}

/** The "app" command of `projectDir`'s cdk.json. */
function readAppCommand(projectDir: string): string {
  const cdkJsonPath = path.join(projectDir, 'cdk.json');
  if (!existsSync(cdkJsonPath)) throw new SynthesisError(`No cdk.json in ${projectDir}: not a CDK app directory`, []);
  let cdkJson: { app?: unknown };
  try {
    cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { app?: unknown };
  } catch (error) {
    throw new SynthesisError(`${cdkJsonPath} is not valid JSON: ${(error as Error).message}`, []);
  }
  if (typeof cdkJson.app !== 'string' || !cdkJson.app.trim()) {
    throw new SynthesisError(`${cdkJsonPath} has no "app" command`, []);
  }
  return cdkJson.app;
}

/** The single stack of an assembly, as read from its manifest. */
export interface AssemblyStack {
  /** Absolute assembly directory. */
  readonly assemblyDir: string;
  /** Artifact id in `manifest.json`. */
  readonly artifactId: string;
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly templateFile: string;
  readonly template: Template;
  /** Account of the stack's env, absent when environment-agnostic. */
  readonly account?: string;
  /** Region of the stack's env, absent when environment-agnostic. */
  readonly region?: string;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly dependencies?: readonly string[];
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string };
}

/**
 * Read `manifest.json` of a cloud assembly and return its one CloudFormation
 * stack, or the one of `select` (`--stacks`, by artifact id or stack name).
 * Zero or several stacks, unknown names, nested assemblies (stages) and
 * nested stacks are refused with a message saying so.
 */
export function readAssembly(dir: string, select?: readonly string[]): AssemblyStack {
  const stacks = readAssemblyStacks(dir, select);
  if (stacks.length !== 1) {
    throw new Error(
      `The cloud assembly ${path.resolve(dir)} must contain exactly one stack; it has ${stacks.length}: ${stacks.map((s) => s.artifactId).join(', ')} (pick one with --stacks)`,
    );
  }
  return stacks[0]!;
}

/**
 * Every CloudFormation stack of a cloud assembly (or those `select` names, by
 * artifact id or stack name), each after the stacks it depends on. No stack,
 * unknown names, nested assemblies (stages) and nested stacks are refused
 * with a message saying so.
 */
export function readAssemblyStacks(dir: string, select?: readonly string[]): AssemblyStack[] {
  const assemblyDir = path.resolve(dir);
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${assemblyDir} is not a cloud assembly: manifest.json not found`);
  const manifest = readJson(manifestPath) as { artifacts?: Record<string, ManifestArtifact> };
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const all = inDependencyOrder(artifacts.filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack'));
  if (all.length === 0) {
    const nested = artifacts.filter(([, artifact]) => artifact.type === 'cdk:cloud-assembly').map(([id]) => id);
    const detail = nested.length ? `it has none at the top level (stages ${nested.join(', ')} are not supported)` : 'it has none';
    throw new Error(`The cloud assembly ${assemblyDir} must contain a stack; ${detail}`);
  }
  const named = (id: string, artifact: ManifestArtifact) => [id, artifact.properties?.stackName ?? id];
  if (select) {
    const unknown = select.filter((name) => !all.some(([id, artifact]) => named(id, artifact).includes(name)));
    if (unknown.length) {
      throw new Error(`--stacks ${unknown.join(', ')}: no such stack in ${assemblyDir}; it has ${all.map(([id]) => id).join(', ')}`);
    }
  }
  const chosen = select ? all.filter(([id, artifact]) => named(id, artifact).some((name) => select.includes(name))) : all;
  return chosen.map(([artifactId, artifact]) => readStack(assemblyDir, manifestPath, artifactId, artifact));
}

function readStack(assemblyDir: string, manifestPath: string, artifactId: string, artifact: ManifestArtifact): AssemblyStack {
  const templateName = artifact.properties?.templateFile;
  if (!templateName) throw new Error(`Stack ${artifactId} in ${manifestPath} has no templateFile`);
  const templateFile = path.resolve(assemblyDir, templateName);
  if (!existsSync(templateFile)) throw new Error(`Stack ${artifactId}: template ${templateFile} not found`);
  const template = readJson(templateFile) as Template;
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new Error(`${templateFile} is not a CloudFormation template (expected a JSON object)`);
  }
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type === 'AWS::CloudFormation::Stack') {
      throw new UnsupportedTemplateError(logicalId, 'Type', `nested stacks (AWS::CloudFormation::Stack) are not supported by the local runtime (in stack ${artifactId})`);
    }
  }
  const env = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(artifact.environment ?? '');
  const account = env && env[1] !== 'unknown-account' ? env[1] : undefined;
  const region = env && env[2] !== 'unknown-region' ? env[2] : undefined;
  return {
    assemblyDir,
    artifactId,
    stackName: artifact.properties?.stackName ?? artifactId,
    templateFile,
    template,
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
  };
}

/**
 * Stack artifacts with each after the stacks it depends on (the order `cdk
 * deploy --all` deploys them in); otherwise in manifest order.
 */
export function inDependencyOrder<A extends { readonly dependencies?: readonly string[] }>(
  stacks: readonly (readonly [string, A])[],
): [string, A][] {
  const byId = new Map(stacks.map(([id, artifact]) => [id, artifact]));
  const ordered: [string, A][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, artifact: A) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`The stacks of the cloud assembly depend on each other in a cycle through ${id}`);
    state.set(id, 'visiting');
    for (const dependency of artifact.dependencies ?? []) {
      const other = byId.get(dependency);
      if (other) visit(dependency, other);
    }
    state.set(id, 'done');
    ordered.push([id, artifact]);
  };
  for (const [id, artifact] of stacks) visit(id, artifact);
  return ordered;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
