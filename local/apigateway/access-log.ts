/**
 * Stage access logging: the stage's format with each `$context.*` variable
 * substituted, as API Gateway writes it. A variable with no value prints `-`.
 */

/** Substitute `$context.a.b` (and `${context.a.b}`) in an access log format. */
export function formatAccessLog(format: string, context: Readonly<Record<string, unknown>>): string {
  return format.replace(/\$\{context\.([A-Za-z0-9_.]+)\}|\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_m, braced, bare) => {
    const path = String(braced ?? bare).split('.');
    let value: unknown = context;
    for (const key of path) {
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (value === undefined || value === null || value === '') return '-';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** The log group name in a CloudWatch Logs log group ARN (`...:log-group:NAME[:*]`). */
export function logGroupNameFromArn(arn: string): string | undefined {
  return /:log-group:([^:]+)(?::\*)?$/.exec(arn)?.[1];
}
