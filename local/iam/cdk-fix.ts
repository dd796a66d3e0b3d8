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
 * The CDK call that grants the permission, e.g. `eventBus.grantPutEventsTo(destinedFunction)`;
 * undefined when the table has no entry for it.
 */
export function cdkFix(denied: DeniedGrant): string | undefined {
  const action = denied.action.toLowerCase();
  const target = denied.target;
  if ('servicePrincipal' in denied.grantee) {
    const principal = denied.grantee.servicePrincipal;
    if (action === 'lambda:invokefunction' && target?.type === 'AWS::Lambda::Function') {
      const fn = variableName(target.path);
      if (principal === 'events.amazonaws.com' && denied.source?.type === 'AWS::Events::Rule') {
        return `${variableName(denied.source.path)}.addTarget(new targets.LambdaFunction(${fn}))`;
      }
      if (principal === 'sns.amazonaws.com' && denied.source?.type === 'AWS::SNS::Topic') {
        return `${variableName(denied.source.path)}.addSubscription(new subscriptions.LambdaSubscription(${fn}))`;
      }
      return `${fn}.grantInvoke(new iam.ServicePrincipal('${principal}'))`;
    }
    if (action === 'sqs:sendmessage' && target?.type === 'AWS::SQS::Queue') {
      const queue = variableName(target.path);
      if (principal === 'events.amazonaws.com' && denied.source?.type === 'AWS::Events::Rule') {
        return `${variableName(denied.source.path)}.addTarget(new targets.SqsQueue(${queue}))`;
      }
      if (principal === 'sns.amazonaws.com' && denied.source?.type === 'AWS::SNS::Topic') {
        return `${variableName(denied.source.path)}.addSubscription(new subscriptions.SqsSubscription(${queue}))`;
      }
      return `${queue}.grantSendMessages(new iam.ServicePrincipal('${principal}'))`;
    }
    if (action === 'sns:publish' && target?.type === 'AWS::SNS::Topic') {
      const topic = variableName(target.path);
      if (principal === 'events.amazonaws.com' && denied.source?.type === 'AWS::Events::Rule') {
        return `${variableName(denied.source.path)}.addTarget(new targets.SnsTopic(${topic}))`;
      }
      if (principal === 's3.amazonaws.com' && denied.source?.type === 'AWS::S3::Bucket') {
        return `${variableName(denied.source.path)}.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(${topic}))`;
      }
      return `${topic}.grantPublish(new iam.ServicePrincipal('${principal}'))`;
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
