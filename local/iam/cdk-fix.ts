/**
 * The CDK call that grants a denied permission, named from the template's
 * `aws:cdk:path` metadata: a small table of the grants CDK apps use most.
 */

/** A construct of the stack as the fix names it. */
export interface ConstructRef {
  /** CloudFormation type, e.g. `AWS::Events::EventBus`. */
  readonly type: string;
  /** Construct path without the stack and `Resource`, e.g. `Destined/Function`. */
  readonly path: string;
}

export interface DeniedGrant {
  readonly action: string;
  /** The resource acted on, when the stack defines it. */
  readonly target?: ConstructRef;
  /** Who needs the permission: a function (its role), a role, or a service principal. */
  readonly grantee: ConstructRef | { readonly servicePrincipal: string };
  /** For a service principal: the construct calling (a rule, a topic), when the stack defines it. */
  readonly source?: ConstructRef;
}

/** `destinedFunction` of `Destined/Function`, `eventBus` of `EventBus`. */
export function variableName(path: string): string {
  const words = path
    .split('/')
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return /^[A-Za-z_$]/.test(camel) ? camel : `c${camel}`;
}

const LOG_ACTIONS = new Set(['logs:createloggroup', 'logs:createlogstream', 'logs:putlogevents']);

/**
 * What a service principal needs, by `<action> <target type>`: the CDK call
 * that wires the source to the target (and grants as it does so), by
 * `<principal> <source type>`, else the grant method given the principal.
 */
const SERVICE_GRANTS: Readonly<Record<string, { readonly method: string; readonly wiredBy: Readonly<Record<string, (source: string, resource: string) => string>> }>> = {
  'lambda:invokefunction AWS::Lambda::Function': {
    method: 'grantInvoke',
    wiredBy: {
      'events.amazonaws.com AWS::Events::Rule': (rule, fn) => `${rule}.addTarget(new targets.LambdaFunction(${fn}))`,
      'sns.amazonaws.com AWS::SNS::Topic': (topic, fn) => `${topic}.addSubscription(new subscriptions.LambdaSubscription(${fn}))`,
    },
  },
  'sqs:sendmessage AWS::SQS::Queue': {
    method: 'grantSendMessages',
    wiredBy: {
      'events.amazonaws.com AWS::Events::Rule': (rule, queue) => `${rule}.addTarget(new targets.SqsQueue(${queue}))`,
      'sns.amazonaws.com AWS::SNS::Topic': (topic, queue) => `${topic}.addSubscription(new subscriptions.SqsSubscription(${queue}))`,
    },
  },
  'sns:publish AWS::SNS::Topic': {
    method: 'grantPublish',
    wiredBy: {
      'events.amazonaws.com AWS::Events::Rule': (rule, topic) => `${rule}.addTarget(new targets.SnsTopic(${topic}))`,
      's3.amazonaws.com AWS::S3::Bucket': (bucket, topic) => `${bucket}.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(${topic}))`,
    },
  },
};

/**
 * The CDK call that grants the permission, e.g. `eventBus.grantPutEventsTo(destinedFunction)`;
 * undefined when the table has no entry for it.
 */
export function cdkFix(denied: DeniedGrant): string | undefined {
  const action = denied.action.toLowerCase();
  const target = denied.target;
  if ('servicePrincipal' in denied.grantee) {
    const principal = denied.grantee.servicePrincipal;
    const grant = target ? SERVICE_GRANTS[`${action} ${target.type}`] : undefined;
    if (target && grant) {
      const resource = variableName(target.path);
      const source = denied.source;
      const wiring = source ? grant.wiredBy[`${principal} ${source.type}`] : undefined;
      if (source && wiring) return wiring(variableName(source.path), resource);
      return `${resource}.${grant.method}(new iam.ServicePrincipal('${principal}'))`;
    }
    if (action === 'sts:assumerole') return `new iam.Role(this, '...', { assumedBy: new iam.ServicePrincipal('${principal}') })`;
    return undefined;
  }
  const grantee = variableName(denied.grantee.path);
  if (LOG_ACTIONS.has(action)) {
    if (denied.grantee.type === 'AWS::Lambda::Function') {
      return `${grantee}.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'))`;
    }
    if (target?.type === 'AWS::Logs::LogGroup') return `${variableName(target.path)}.grantWrite(${grantee})`;
    return undefined;
  }
  if (!target) return undefined;
  const resource = variableName(target.path);
  const key = `${action} ${target.type}`;
  switch (key) {
    case 'events:putevents AWS::Events::EventBus':
      return `${resource}.grantPutEventsTo(${grantee})`;
    case 'sns:publish AWS::SNS::Topic':
      return `${resource}.grantPublish(${grantee})`;
    case 'sqs:sendmessage AWS::SQS::Queue':
      return `${resource}.grantSendMessages(${grantee})`;
    case 'sqs:receivemessage AWS::SQS::Queue':
    case 'sqs:deletemessage AWS::SQS::Queue':
      return `${resource}.grantConsumeMessages(${grantee})`;
    case 'lambda:invokefunction AWS::Lambda::Function':
      return `${resource}.grantInvoke(${grantee})`;
    case 'logs:filterlogevents AWS::Logs::LogGroup':
    case 'logs:getlogevents AWS::Logs::LogGroup':
      return `${resource}.grantRead(${grantee})`;
    default:
      return undefined;
  }
}
