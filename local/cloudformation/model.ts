import path from 'node:path';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { readAssemblyStacks, type AssemblyStack } from './assembly.js';
import { mergeStacks } from './merged-stacks.js';
import { IntrinsicResolver, NO_VALUE, type Location, type TemplateResource } from './intrinsics.js';
import { resourceIdentity, stackIdFor, type ResourceIdentity } from './names.js';
import { rewriteExecuteApiUrls } from './outputs.js';
import type { StackEnvironment, StackModel, StackOutput, StackResource } from './types.js';

/** Options of {@link loadStack}. */
export interface LoadStackOptions {
  /** Base URL the runtime serves on, e.g. `http://127.0.0.1:3000`; execute-api URLs in Outputs point here. */
  readonly localEndpoint: string;
  /** Values for template parameters; override their defaults. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Account id. @default the stack's env account, else `000000000000` */
  readonly account?: string;
  /** Region when the stack is environment-agnostic. @default `us-east-1` */
  readonly region?: string;
  /** Exports of stacks resolved before this one, for `Fn::ImportValue`. */
  readonly exports?: ReadonlyMap<string, string>;
  /** Where a name is exported in another account or region, for the error of its import. */
  readonly exportedElsewhere?: (name: string) => string | undefined;
  /** `--stacks`: the stacks to serve out of a multi-stack assembly, by artifact id or stack name. @default all */
  readonly stacks?: readonly string[];
  /** Local addresses of function URLs by `<stackName>/<logicalId>`: `Fn::GetAtt <Url>.FunctionUrl` gives them. */
  readonly functionUrls?: ReadonlyMap<string, string>;
}

/** Account used when neither the stack nor the caller names one. */
export const DEFAULT_ACCOUNT = '000000000000';
/** Region used when the stack is environment-agnostic. */
export const DEFAULT_REGION = 'us-east-1';

/** Partition and URL suffix of a region, as `AWS::Partition` / `AWS::URLSuffix` give them. */
export function environmentFor(account: string, region: string): StackEnvironment {
  if (region.startsWith('cn-')) return { account, region, partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { account, region, partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { account, region, partition: 'aws', urlSuffix: 'amazonaws.com' };
}

/**
 * Read the assembly in `assemblyDir` and resolve its stacks (or those of
 * `options.stacks`) in dependency order, each importing the exports of those
 * before it; several are pooled into one model.
 */
export function loadStack(assemblyDir: string, options: LoadStackOptions): StackModel {
  return loadStacks(readAssemblyStacks(assemblyDir, options.stacks), options);
}

/** {@link loadStack} of stacks already read (and chosen) with `readAssemblyStacks`. */
export function loadStacks(stacks: readonly AssemblyStack[], options: LoadStackOptions): StackModel {
  // Exports are per account and region: Fn::ImportValue sees only those of its own stack's environment.
  const exportsByEnv = new Map<string, Map<string, string>>();
  const exportsOf = (env: StackEnvironment) => {
    const key = `${env.account}/${env.region}`;
    if (!exportsByEnv.has(key)) exportsByEnv.set(key, new Map(options.exports ?? []));
    return exportsByEnv.get(key)!;
  };
  const models: StackModel[] = [];
  for (const stack of stacks) {
    const account = options.account ?? stack.account ?? agnosticAccount(stacks, stack.region ?? options.region ?? DEFAULT_REGION);
    const exports = exportsOf(environmentFor(account, stack.region ?? options.region ?? DEFAULT_REGION));
    const exportedElsewhere = (name: string) => [...exportsByEnv].find(([, named]) => named !== exports && named.has(name))?.[0];
    const model = buildStackModel(stack, { ...options, account, exports, exportedElsewhere });
    for (const output of model.outputs) {
      if (output.ExportName === undefined) continue;
      // CloudFormation refuses a second export of a name in one account and region.
      if (exports.has(output.ExportName)) {
        throw new UnsupportedTemplateError(`Outputs.${output.OutputKey}`, 'Export.Name', `export ${output.ExportName} of ${model.stackName} is already exported by another stack`);
      }
      exports.set(output.ExportName, output.OutputValue);
    }
    models.push(model);
  }
  return mergeStacks(models);
}

/**
 * The account of an environment-agnostic stack: `cdk deploy` puts it in the
 * caller's account, which locally is the one account of the stacks with an
 * explicit env in the same region, else {@link DEFAULT_ACCOUNT}.
 */
function agnosticAccount(stacks: readonly AssemblyStack[], region: string): string {
  return stacks.find((s) => s.account !== undefined && (s.region ?? DEFAULT_REGION) === region)?.account ?? DEFAULT_ACCOUNT;
}

/**
 * Resolve a stack read from an assembly: conditions, parameters, every
 * intrinsic in every property, physical names and outputs.
 */
export function buildStackModel(stack: AssemblyStack, options: LoadStackOptions): StackModel {
  const { template, stackName } = stack;
  const env = environmentFor(options.account ?? stack.account ?? DEFAULT_ACCOUNT, stack.region ?? options.region ?? DEFAULT_REGION);
  const stackId = stackIdFor(stackName, env);
  checkTransforms(template.Transform);

  const templateResources = template.Resources ?? {};
  for (const [logicalId, resource] of Object.entries(templateResources)) {
    if (!resource || typeof resource !== 'object' || typeof resource.Type !== 'string') {
      throw new UnsupportedTemplateError(logicalId, 'Type', 'resource has no Type (Fn::ForEach and other macros are not supported)');
    }
    const properties: unknown = resource.Properties;
    if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
      throw new UnsupportedTemplateError(logicalId, 'Properties', `Properties must be an object, got ${JSON.stringify(properties)}`);
    }
  }

  const identities = new Map<string, ResourceIdentity>();
  const inProgress = new Set<string>();

  const exists = (logicalId: string, where: Location): TemplateResource => {
    const resource = templateResources[logicalId]!;
    if (resource.Condition !== undefined && !resolver.condition(resource.Condition, { logicalId, path: 'Condition' })) {
      throw new UnsupportedTemplateError(
        where.logicalId,
        where.path,
        `refers to ${logicalId}, which is not created because its condition ${resource.Condition} is false`,
      );
    }
    return resource;
  };

  const identityOf = (logicalId: string, where: Location): ResourceIdentity => {
    const known = identities.get(logicalId);
    if (known) return known;
    const resource = exists(logicalId, where);
    if (inProgress.has(logicalId)) {
      throw new UnsupportedTemplateError(where.logicalId, where.path, `circular reference through the name of ${logicalId}`);
    }
    inProgress.add(logicalId);
    try {
      const identity = resourceIdentity({
        stackName,
        env,
        logicalId,
        type: resource.Type,
        ...(options.functionUrls?.has(`${stackName}/${logicalId}`) ? { localUrl: options.functionUrls.get(`${stackName}/${logicalId}`)! } : {}),
        prop: (name) => {
          const raw = resource.Properties?.[name];
          if (raw === undefined) return undefined;
          const value = resolver.resolve(raw, { logicalId, path: `Properties.${name}` });
          return value === NO_VALUE ? undefined : value;
        },
      });
      identities.set(logicalId, identity);
      return identity;
    } finally {
      inProgress.delete(logicalId);
    }
  };

  const resolver: IntrinsicResolver = new IntrinsicResolver({
    template,
    stackName,
    stackId,
    env,
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.exports ? { exports: options.exports } : {}),
    ...(options.exportedElsewhere ? { exportedElsewhere: options.exportedElsewhere } : {}),
    refOf: (logicalId, where) => identityOf(logicalId, where).ref,
    attributeOf: (logicalId, attribute, where) => {
      const identity = identityOf(logicalId, where);
      if (!Object.hasOwn(identity.attributes, attribute)) {
        const type = templateResources[logicalId]!.Type;
        const known = Object.keys(identity.attributes);
        throw new UnsupportedTemplateError(
          where.logicalId,
          where.path,
          `Fn::GetAtt ${logicalId}.${attribute}: the local runtime does not know attribute ${attribute} of ${type}` +
            (known.length ? ` (known: ${known.join(', ')})` : ''),
        );
      }
      return identity.attributes[attribute]!;
    },
  });

  const resources = new Map<string, StackResource>();
  for (const [logicalId, resource] of Object.entries(templateResources)) {
    if (resource.Condition !== undefined && !resolver.condition(resource.Condition, { logicalId, path: 'Condition' })) continue;
    const properties = resolver.resolve(resource.Properties ?? {}, { logicalId, path: 'Properties' });
    const identity = identityOf(logicalId, { logicalId, path: 'Properties' });
    resources.set(logicalId, {
      logicalId,
      type: resource.Type,
      properties: properties as Record<string, unknown>,
      ref: identity.ref,
      attributes: identity.attributes,
      ...(identity.arn ? { arn: identity.arn } : {}),
      metadata: resource.Metadata ?? {},
    });
  }

  const restApiIds = [...resources.values()].filter((r) => r.type === 'AWS::ApiGateway::RestApi').map((r) => r.ref);
  const outputs: StackOutput[] = [];
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    const where = (p: string): Location => ({ logicalId: `Outputs.${key}`, path: p });
    if (output.Condition !== undefined && !resolver.condition(output.Condition, where('Condition'))) continue;
    const value = resolver.resolve(output.Value, where('Value'));
    if (value === NO_VALUE) continue;
    const description = output.Description === undefined ? undefined : resolver.resolve(output.Description, where('Description'));
    const exportName = output.Export ? resolver.resolve(output.Export.Name, where('Export.Name')) : undefined;
    outputs.push({
      OutputKey: key,
      OutputValue: rewriteExecuteApiUrls(outputText(value, where('Value')), options.localEndpoint, restApiIds),
      ...(typeof description === 'string' ? { Description: description } : {}),
      ...(exportName !== undefined && exportName !== NO_VALUE ? { ExportName: outputText(exportName, where('Export.Name')) } : {}),
    });
  }

  const assemblyDir = stack.assemblyDir;
  return {
    stackName,
    stackId,
    env,
    assemblyDir,
    resources,
    outputs,
    parameters: resolver.parameterList(),
    ...(typeof template.Description === 'string' ? { description: template.Description } : {}),
    resourcesOfType: (type) => [...resources.values()].filter((r) => r.type === type),
    assetDir: (resource) => {
      const assetPath = resource.metadata['aws:asset:path'];
      if (typeof assetPath !== 'string' || !assetPath) {
        throw new UnsupportedTemplateError(
          resource.logicalId,
          'Metadata.aws:asset:path',
          'no code asset recorded for this resource (synthesize with asset metadata enabled, as `cdk synth` does by default)',
        );
      }
      return path.resolve(assemblyDir, assetPath);
    },
  };
}

function outputText(value: unknown, where: Location): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // CloudFormation prints a list output joined with commas.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new UnsupportedTemplateError(where.logicalId, where.path, `output value must be a string, got ${JSON.stringify(value)}`);
}

function checkTransforms(transform: unknown): void {
  if (transform === undefined) return;
  const names = Array.isArray(transform) ? transform : [transform];
  for (const name of names) {
    // Language extensions only add intrinsics; the resolver knows the ones CDK emits.
    if (name === 'AWS::LanguageExtensions') continue;
    throw new UnsupportedTemplateError('Transform', 'Transform', `transform ${JSON.stringify(name)} is not supported by the local runtime`);
  }
}
