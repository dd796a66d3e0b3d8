import type { Credentials, ExecutionRoles, FunctionIdentity, InvokeCaller, LogSink, RoleCheck, Sinks } from '../contracts.js';
import { environmentOfArn } from '../cloudformation/environments.js';
import type { StackEnvironment } from '../cloudformation/types.js';
import { AwsError } from '../protocol/errors.js';
import { ArnBuilder } from './arns.js';
import { IntegrationConfigurationError } from './edge.js';
import type { IamService, RoleCall } from './service.js';

/**
 * A function's execution role as Lambda applies it: destinations and
 * dead-letter targets are sent to with the role's permissions
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#destinations-permissions),
 * and the function's logs are written with them
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html#monitoring-cloudwatchlogs-prereqs).
 */
export function executionRoles(iam: IamService, env: StackEnvironment): ExecutionRoles {
  // A function's calls name resources of its own account and region.
  const arnsOf = (fn: FunctionIdentity) => new ArnBuilder(functionEnvironment(fn, env));
  const call = (fn: FunctionIdentity, action: string, resource: string, via: string, messageAction?: string): RoleCall => ({
    roleArn: fn.roleArn!,
    session: fn.functionName,
    action,
    resource,
    via,
    ...(messageAction ? { messageAction } : {}),
  });
  const logCalls = (fn: FunctionIdentity, stream: string): RoleCall[] => [
    call(fn, 'logs:CreateLogStream', arnsOf(fn).logGroup(fn.logGroupName), `${fn.functionName} logs`),
    call(fn, 'logs:PutLogEvents', arnsOf(fn).logStream(fn.logGroupName, stream), `${fn.functionName} logs`),
  ];
  const markerOf = new WeakMap<FunctionIdentity, { roleArn: string; functionName: string; logGroupName: string; marker: string }>();
  // Asked on every send to a destination; the wrapper depends only on the function and the sinks it wraps.
  const wrapped = new WeakMap<FunctionIdentity, { readonly sinks: Sinks; readonly asRole: Sinks }>();
  const sinksAsRole = (fn: FunctionIdentity, sinks: Sinks): Sinks => {
    const via = `destination or dead-letter target of ${fn.functionName}`;
    const arns = arnsOf(fn);
    const guard = (action: string, resource: string, messageAction?: string) => {
      const denial = iam.check(call(fn, action, resource, via, messageAction));
      if (denial) throw deniedError(action, denial.message);
    };
    return {
      events: {
        putEvents: async (entries, caller?: InvokeCaller) => {
          for (const entry of entries) {
            guard('events:PutEvents', arns.eventBus(entry.EventBusName));
          }
          return sinks.events.putEvents(entries, caller);
        },
      },
      sqs: {
        sendMessage: async (queueArn, body, attributes, caller) => {
          guard('sqs:SendMessage', queueArn);
          return sinks.sqs.sendMessage(queueArn, body, attributes, caller);
        },
      },
      sns: {
        publish: async (input, caller) => {
          guard('sns:Publish', input.TopicArn, 'SNS:Publish');
          return sinks.sns.publish(input, caller);
        },
      },
      lambda: {
        invoke: async (ref, payload, type, caller, parsedPayload) => {
          guard('lambda:InvokeFunction', arns.lambdaFunction(ref));
          return sinks.lambda.invoke(ref, payload, type, caller, parsedPayload);
        },
      },
    };
  };
  return {
    sinksFor(fn: FunctionIdentity, sinks: Sinks): Sinks {
      if (!fn.roleArn) return sinks;
      const known = wrapped.get(fn);
      if (known?.sinks === sinks) return known.asRole;
      const asRole = sinksAsRole(fn, sinks);
      wrapped.set(fn, { sinks, asRole });
      return asRole;
    },

    logsFor(fn: FunctionIdentity, logs: LogSink): LogSink {
      return fn.roleArn ? logsAsRole(iam, functionEnvironment(fn, env), fn.roleArn, fn.functionName, logs) : logs;
    },

    markOutput(fn: FunctionIdentity, line: string): string {
      if (!fn.roleArn || !iam.enforce) return line;
      // Asked for every line a function prints, while the answer only depends on the role and log group:
      // remembered per function identity, no key to build per line.
      const known = markerOf.get(fn);
      if (known !== undefined && known.roleArn === fn.roleArn && known.functionName === fn.functionName && known.logGroupName === fn.logGroupName) {
        return known.marker === '' ? line : known.marker + line;
      }
      const refused = logCalls(fn, '*').filter((c) => !iam.allows(c));
      const marker = refused.length === 0 ? '' : `[DENIED ${refused.map((c) => c.action).join(', ')}: not in CloudWatch Logs] `;
      markerOf.set(fn, { roleArn: fn.roleArn, functionName: fn.functionName, logGroupName: fn.logGroupName, marker });
      return marker + line;
    },

    credentialsFor(fn: FunctionIdentity): Credentials | undefined {
      return fn.roleArn ? iam.credentialsFor(fn.roleArn, fn.functionName) : undefined;
    },

    checkRole: roleCheck(iam),

    resourcePolicyDenied(fn: FunctionIdentity, caller: InvokeCaller, message: string): void {
      if (iam.enforce) iam.resourcePolicyDenied(fn, caller, message);
    },
  };
}

/** The error each target service answers a denied call with. */
const DENIED_ERRORS: Readonly<Record<string, (message: string) => AwsError>> = {
  lambda: (m) => new AwsError('AccessDeniedException', m, 403),
  sqs: (m) => new AwsError('AccessDenied', m, 403),
  sns: (m) => new AwsError('AuthorizationError', m, 403),
  events: (m) => new AwsError('AccessDeniedException', m, 400),
};

/**
 * IAM for calls a service makes with a role it was handed (an EventBridge
 * target's RoleArn); the session is named after what is acting.
 */
export function roleCheck(iam: IamService): RoleCheck {
  return (roleArn, action, resource, via, session, assumedBy) => {
    const untrusted = assumedBy ? iam.checkTrust(roleArn, assumedBy, via) : undefined;
    if (untrusted) {
      // API Gateway reports a role it cannot assume as a configuration error (500), as for its AWS integrations.
      if (assumedBy === 'apigateway.amazonaws.com') {
        return new IntegrationConfigurationError(`API Gateway does not have permission to assume the provided role ${roleArn}`);
      }
      return new AwsError('AccessDeniedException', untrusted.message, 400);
    }
    const denial = iam.check({ roleArn, session: session ?? via.replace(/[^\w+=,.@-]/g, '-').slice(0, 64), action, resource, via });
    return denial ? deniedError(action, denial.message) : undefined;
  };
}

/** The error the service of `action` answers a denied call with. */
function deniedError(action: string, message: string): AwsError {
  return (DENIED_ERRORS[action.split(':')[0]!] ?? DENIED_ERRORS.events!)(message);
}

/** The account and region of a function (its ARN's). */
function functionEnvironment(fn: FunctionIdentity, fallback: StackEnvironment): StackEnvironment {
  return environmentOfArn(fn.functionArn, fallback);
}

/**
 * The log sink a service writes with an account-level role, as API Gateway
 * writes execution and access logs with the `CloudWatchRoleArn` of
 * AWS::ApiGateway::Account
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
 */
export function logsAsRole(iam: IamService, env: StackEnvironment, roleArn: string, session: string, logs: LogSink): LogSink {
  const arns = new ArnBuilder(env);
  const via = `${session} logs`;
  const check = (action: string, resource: string) => iam.check({ roleArn, session, action, resource, via });
  // By group, then stream: nested so that each write looks its stream up without building a key.
  const allowedStreams = new Map<string, Set<string>>();
  let allowedCount = 0;
  return {
    ensureLogGroup: (name, retention) => {
      const exists = 'hasLogGroup' in logs && typeof logs.hasLogGroup === 'function' && (logs.hasLogGroup as (n: string) => boolean)(name);
      if (!exists && check('logs:CreateLogGroup', arns.logGroup(name))) return;
      logs.ensureLogGroup(name, retention);
    },
    putLogEvents: (group, stream, events) => {
      // Each invocation writes to its environment's stream: an allowed stream stays allowed (the roles are fixed),
      // and its grants are already recorded as used; a denial is checked (and traced) every time.
      if (!allowedStreams.get(group)?.has(stream)) {
        const denied = [check('logs:CreateLogStream', arns.logGroup(group)), check('logs:PutLogEvents', arns.logStream(group, stream))].filter(Boolean);
        if (denied.length > 0) return;
        if (allowedCount >= 10_000) {
          allowedStreams.clear();
          allowedCount = 0;
        }
        let streams = allowedStreams.get(group);
        if (streams === undefined) allowedStreams.set(group, (streams = new Set()));
        streams.add(stream);
        allowedCount++;
      }
      logs.putLogEvents(group, stream, events);
    },
  };
}
