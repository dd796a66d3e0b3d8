import type { StackEnvironment } from '../cloudformation/types.js';

/** ARNs of the resources an AWS API call names, as IAM sees them. */
export class ArnBuilder {
  constructor(private readonly env: StackEnvironment) {}

  private arn(service: string, resource: string): string {
    return `arn:${this.env.partition}:${service}:${this.env.region}:${this.env.account}:${resource}`;
  }

  /** An event bus name or ARN (the default bus when absent). */
  eventBus(nameOrArn: string | undefined): string {
    if (nameOrArn?.startsWith('arn:')) return nameOrArn;
    return this.arn('events', `event-bus/${nameOrArn || 'default'}`);
  }

  /** A rule: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another. */
  rule(busNameOrArn: string | undefined, name: string): string {
    const bus = busNameOrArn?.startsWith('arn:') ? (busNameOrArn.split(':event-bus/')[1] ?? 'default') : busNameOrArn || 'default';
    return this.arn('events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
  }

  replay(name: string): string {
    return this.arn('events', `replay/${name}`);
  }

  /** A queue URL (`http://host/<account>/<name>`), name or ARN. */
  queue(urlNameOrArn: string): string {
    if (urlNameOrArn.startsWith('arn:')) return urlNameOrArn;
    const name = urlNameOrArn.replace(/\/+$/, '').split('/').pop() ?? urlNameOrArn;
    return this.arn('sqs', name);
  }

  /** A function name, partial or full ARN, without its qualifier. */
  lambdaFunction(ref: string): string {
    const name = decodeURIComponent(ref);
    const full = /^arn:[^:]+:lambda:[^:]+:\d{12}:function:([^:]+)/.exec(name);
    if (full) return full[0];
    const partial = /^(\d{12}):function:([^:]+)/.exec(name);
    if (partial) return this.arn('lambda', `function:${partial[2]}`);
    return this.arn('lambda', `function:${name.split(':')[0]}`);
  }

  /** A log group (`log-group:<name>:*` is how IAM names it for most actions). */
  logGroup(name: string): string {
    return this.arn('logs', `log-group:${name}:*`);
  }

  /** A log stream, for PutLogEvents. */
  logStream(group: string, stream: string): string {
    return this.arn('logs', `log-group:${group}:log-stream:${stream}`);
  }
}
