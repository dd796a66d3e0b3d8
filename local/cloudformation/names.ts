import { createHash } from 'node:crypto';
import type { StackEnvironment } from './types.js';

/**
 * Physical names, `Ref` values, ARNs and `Fn::GetAtt` attributes of
 * resources, shaped as CloudFormation produces them. The parts AWS makes up
 * at random are derived from a hash of stack name and logical id, so a
 * restart of the same assembly gives the same names (clients that cached a
 * URL or ARN keep working).
 */

const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Deterministic "random" characters from `alphabet`, seeded by `seed`. */
export function stableToken(seed: string, length: number, alphabet: string = MIXED): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    const digest = createHash('sha256').update(`${round}:${seed}`).digest();
    for (const byte of digest) {
      if (out.length >= length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** A deterministic RFC 4122 v4-shaped UUID from `seed`. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(`uuid:${seed}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `<stack>-<logicalId>-<suffix>` within `maxLength`, as CloudFormation names
 * resources without an explicit name: when too long, the stack name and the
 * logical id are shortened (the logical id keeps more, it says more).
 */
export function generatedName(
  stackName: string,
  logicalId: string,
  maxLength: number,
  options: { suffixLength?: number; alphabet?: string; ending?: string } = {},
): string {
  const suffixLength = options.suffixLength ?? 12;
  const ending = options.ending ?? '';
  const suffix = stableToken(`${stackName}/${logicalId}`, suffixLength, options.alphabet ?? MIXED);
  let stack = stackName;
  let logical = logicalId;
  const budget = maxLength - suffixLength - ending.length - 2;
  if (stack.length + logical.length > budget) {
    const stackShare = Math.min(stack.length, Math.max(1, Math.floor(budget * 0.4)));
    stack = stack.slice(0, stackShare);
    logical = logical.slice(0, Math.max(1, budget - stack.length));
  }
  return `${stack}-${logical}-${suffix}${ending}`;
}

/** What `Ref`, `Fn::GetAtt` and the ARN of one resource give. */
export interface ResourceIdentity {
  readonly ref: string;
  readonly arn?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface NameContext {
  readonly stackName: string;
  readonly env: StackEnvironment;
  readonly logicalId: string;
  readonly type: string;
  /** A property of this resource, intrinsics resolved; `undefined` when absent. */
  prop(name: string): unknown;
  /** Where the runtime serves this resource when it is a function URL (its own port), instead of its AWS address. */
  readonly localUrl?: string;
}

type Namer = (ctx: NameContext) => ResourceIdentity;

function str(ctx: NameContext, name: string): string | undefined {
  const value = ctx.prop(name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function arn(ctx: NameContext, service: string, resource: string, region = ctx.env.region, account = ctx.env.account): string {
  return `arn:${ctx.env.partition}:${service}:${region}:${account}:${resource}`;
}

function seed(ctx: NameContext, purpose: string): string {
  return `${ctx.stackName}/${ctx.logicalId}/${purpose}`;
}

/** A physical id for resources AWS names `<stack>-<logicalId>-<suffix>` and nobody looks inside. */
function opaqueId(ctx: NameContext, maxLength = 255): string {
  return generatedName(ctx.stackName, ctx.logicalId, maxLength, { alphabet: UPPER });
}

/** `<stack[0..5]>-<logicalId[0..5]>-<suffix>`, the short physical ids of policies and API Gateway methods. */
function shortId(ctx: NameContext): string {
  return `${ctx.stackName.slice(0, 5)}-${ctx.logicalId.slice(0, 5)}-${stableToken(seed(ctx, 'short'), 12, UPPER)}`;
}

function lastArnSegment(value: string): string {
  // Function names may be given as an ARN or partial ARN; the name is after `function:`.
  const match = /(?:^|:)function:([^:]+)/.exec(value);
  return match ? match[1]! : value;
}

/** The `<url-id>` of a function URL (32 lower-case letters and digits, as AWS's). */
export function functionUrlId(stackName: string, logicalId: string): string {
  return stableToken(`${stackName}/${logicalId}/url`, 32, LOWER);
}

/** `https://<url-id>.lambda-url.<region>.on.aws/`, the address AWS gives a function URL. */
export function awsFunctionUrl(stackName: string, logicalId: string, region: string): string {
  return `https://${functionUrlId(stackName, logicalId)}.lambda-url.${region}.on.aws/`;
}

const namers: Record<string, Namer> = {
  'AWS::Lambda::Function': (ctx) => {
    const name = str(ctx, 'FunctionName') ?? generatedName(ctx.stackName, ctx.logicalId, 64, { suffixLength: 12 });
    const functionArn = arn(ctx, 'lambda', `function:${name}`);
    return { ref: name, arn: functionArn, attributes: { Arn: functionArn } };
  },
  'AWS::Lambda::Permission': (ctx) => {
    const id = opaqueId(ctx, 100);
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::Lambda::EventInvokeConfig': (ctx) => {
    const fn = lastArnSegment(str(ctx, 'FunctionName') ?? '');
    return { ref: `${fn}|${str(ctx, 'Qualifier') ?? '$LATEST'}`, attributes: {} };
  },
  'AWS::Lambda::Version': (ctx) => {
    const fn = lastArnSegment(str(ctx, 'FunctionName') ?? '');
    const version = '1';
    const versionArn = arn(ctx, 'lambda', `function:${fn}:${version}`);
    return { ref: versionArn, arn: versionArn, attributes: { Version: version, FunctionArn: arn(ctx, 'lambda', `function:${fn}`) } };
  },
  'AWS::Lambda::Alias': (ctx) => {
    const fn = lastArnSegment(str(ctx, 'FunctionName') ?? '');
    const aliasArn = arn(ctx, 'lambda', `function:${fn}:${str(ctx, 'Name') ?? ctx.logicalId}`);
    return { ref: aliasArn, arn: aliasArn, attributes: { AliasArn: aliasArn } };
  },
  'AWS::Lambda::Url': (ctx) => {
    const fn = lastArnSegment(str(ctx, 'TargetFunctionArn') ?? '');
    const functionArn = arn(ctx, 'lambda', `function:${fn}`);
    return {
      ref: functionArn,
      attributes: { FunctionArn: functionArn, FunctionUrl: ctx.localUrl ?? awsFunctionUrl(ctx.stackName, ctx.logicalId, ctx.env.region) },
    };
  },
  'AWS::IAM::Role': (ctx) => {
    const name = str(ctx, 'RoleName') ?? generatedName(ctx.stackName, ctx.logicalId, 64, { alphabet: UPPER });
    const path = str(ctx, 'Path') ?? '/';
    const roleArn = arn(ctx, 'iam', `role${path}${name}`, '');
    return { ref: name, arn: roleArn, attributes: { Arn: roleArn, RoleId: `AROA${stableToken(seed(ctx, 'roleid'), 17, UPPER)}` } };
  },
  'AWS::IAM::Policy': (ctx) => {
    const id = shortId(ctx);
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::IAM::ManagedPolicy': (ctx) => {
    const name = str(ctx, 'ManagedPolicyName') ?? generatedName(ctx.stackName, ctx.logicalId, 128, { alphabet: UPPER });
    const policyArn = arn(ctx, 'iam', `policy${str(ctx, 'Path') ?? '/'}${name}`, '');
    return { ref: policyArn, arn: policyArn, attributes: { PolicyArn: policyArn } };
  },
  'AWS::SNS::Topic': (ctx) => {
    const fifo = ctx.prop('FifoTopic') === true || ctx.prop('FifoTopic') === 'true';
    const name = str(ctx, 'TopicName') ?? generatedName(ctx.stackName, ctx.logicalId, 256, fifo ? { ending: '.fifo' } : {});
    const topicArn = arn(ctx, 'sns', name);
    return { ref: topicArn, arn: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
  },
  'AWS::SNS::Subscription': (ctx) => {
    const topicArn = str(ctx, 'TopicArn') ?? arn(ctx, 'sns', 'unknown-topic');
    const subscriptionArn = `${topicArn}:${stableUuid(seed(ctx, 'subscription'))}`;
    return { ref: subscriptionArn, arn: subscriptionArn, attributes: { Arn: subscriptionArn } };
  },
  'AWS::SNS::TopicPolicy': (ctx) => {
    const id = opaqueId(ctx);
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::SQS::Queue': (ctx) => {
    const fifo = ctx.prop('FifoQueue') === true || ctx.prop('FifoQueue') === 'true';
    const name = str(ctx, 'QueueName') ?? generatedName(ctx.stackName, ctx.logicalId, 80, fifo ? { ending: '.fifo' } : {});
    const url = `https://sqs.${ctx.env.region}.${ctx.env.urlSuffix}/${ctx.env.account}/${name}`;
    const queueArn = arn(ctx, 'sqs', name);
    return { ref: url, arn: queueArn, attributes: { Arn: queueArn, QueueName: name, QueueUrl: url } };
  },
  'AWS::SQS::QueuePolicy': (ctx) => {
    const id = opaqueId(ctx);
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::Events::EventBus': (ctx) => {
    const name = str(ctx, 'Name') ?? generatedName(ctx.stackName, ctx.logicalId, 256);
    const busArn = arn(ctx, 'events', `event-bus/${name}`);
    return { ref: name, arn: busArn, attributes: { Arn: busArn, Name: name } };
  },
  'AWS::Events::Rule': (ctx) => {
    const name = str(ctx, 'Name') ?? generatedName(ctx.stackName, ctx.logicalId, 64);
    const bus = busName(str(ctx, 'EventBusName'));
    const ruleArn = arn(ctx, 'events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
    // On a custom bus a rule name alone is ambiguous, so CloudFormation's Ref carries the bus.
    return { ref: bus === 'default' ? name : `${bus}|${name}`, arn: ruleArn, attributes: { Arn: ruleArn } };
  },
  'AWS::Events::Archive': (ctx) => {
    const name = str(ctx, 'ArchiveName') ?? generatedName(ctx.stackName, ctx.logicalId, 48);
    const archiveArn = arn(ctx, 'events', `archive/${name}`);
    return { ref: name, arn: archiveArn, attributes: { Arn: archiveArn, ArchiveName: name } };
  },
  'AWS::Events::EventBusPolicy': (ctx) => {
    const id = str(ctx, 'StatementId') ?? opaqueId(ctx, 64);
    return { ref: id, attributes: {} };
  },
  'AWS::ApiGateway::RestApi': (ctx) => {
    const id = stableToken(seed(ctx, 'restapi'), 10, LOWER);
    return {
      ref: id,
      arn: `arn:${ctx.env.partition}:apigateway:${ctx.env.region}::/restapis/${id}`,
      attributes: { RestApiId: id, RootResourceId: stableToken(seed(ctx, 'root'), 10, LOWER) },
    };
  },
  'AWS::ApiGateway::Resource': (ctx) => {
    const id = stableToken(seed(ctx, 'resource'), 6, LOWER);
    return { ref: id, attributes: { ResourceId: id } };
  },
  'AWS::ApiGateway::Method': (ctx) => {
    const id = shortId(ctx);
    return { ref: id, attributes: {} };
  },
  'AWS::ApiGateway::Deployment': (ctx) => {
    const id = stableToken(seed(ctx, 'deployment'), 6, LOWER);
    return { ref: id, attributes: { DeploymentId: id } };
  },
  'AWS::ApiGateway::Stage': (ctx) => {
    const name = str(ctx, 'StageName') ?? ctx.logicalId;
    return { ref: name, attributes: {} };
  },
  'AWS::ApiGateway::Account': (ctx) => {
    const id = shortId(ctx);
    return { ref: id, attributes: { Id: id } };
  },
  'AWS::ApiGateway::RequestValidator': (ctx) => {
    const id = stableToken(seed(ctx, 'validator'), 6, LOWER);
    return { ref: id, attributes: { RequestValidatorId: id } };
  },
  'AWS::ApiGateway::Model': (ctx) => {
    const name = str(ctx, 'Name') ?? generatedName(ctx.stackName, ctx.logicalId, 128);
    return { ref: name, attributes: {} };
  },
  'AWS::Logs::LogGroup': (ctx) => {
    const name = str(ctx, 'LogGroupName') ?? generatedName(ctx.stackName, ctx.logicalId, 512);
    const groupArn = arn(ctx, 'logs', `log-group:${name}:*`);
    return { ref: name, arn: groupArn, attributes: { Arn: groupArn } };
  },
};

function busName(value: string | undefined): string {
  if (!value) return 'default';
  // EventBusName may be given as the bus ARN.
  const match = /:event-bus\/(.+)$/.exec(value);
  return match ? match[1]! : value;
}

/**
 * Identity of one resource. Unknown types get a `<stack>-<logicalId>-<hash>`
 * physical id as Ref and no attributes, so templates that only `Ref` them
 * still resolve.
 */
export function resourceIdentity(ctx: NameContext): ResourceIdentity {
  const namer = Object.hasOwn(namers, ctx.type) ? namers[ctx.type] : undefined;
  if (namer) return namer(ctx);
  return { ref: opaqueId(ctx), attributes: {} };
}

/** The stack id CloudFormation would give this stack in this environment. */
export function stackIdFor(stackName: string, env: StackEnvironment): string {
  return `arn:${env.partition}:cloudformation:${env.region}:${env.account}:stack/${stackName}/${stableUuid(`stack:${stackName}`)}`;
}
