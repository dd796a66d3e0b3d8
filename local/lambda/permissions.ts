import { arnField } from '../arn.js';
import type { InvokeCaller } from '../contracts.js';
import type { StackResource } from '../cloudformation/types.js';
import { isAllowed } from '../iam/policy.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';

/** One statement of a function's resource policy (an AWS::Lambda::Permission). */
export interface PermissionStatement {
  readonly sid: string;
  readonly action: string;
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  /**
   * The token an Alexa invoker must present (AddPermission's EventSourceToken). No local caller
   * presents one, so such a statement never lets a local call in, as on AWS for any other caller.
   */
  readonly eventSourceToken?: string;
  /** The function URL AuthType a `lambda:InvokeFunctionUrl` permission is for. */
  readonly functionUrlAuthType?: string;
  /** The permission holds only for invocations through a function URL. */
  readonly invokedViaFunctionUrl?: boolean;
}

const KNOWN = new Set(['Action', 'FunctionName', 'Principal', 'SourceArn', 'SourceAccount', 'EventSourceToken', 'PrincipalOrgID', 'FunctionUrlAuthType', 'InvokedViaFunctionUrl']);

/** Read an AWS::Lambda::Permission; returns the function reference it applies to and its statement. */
export function readPermission(resource: StackResource): { functionRef: string; statement: PermissionStatement } {
  const id = resource.logicalId;
  const p = resource.properties;
  for (const key of Object.keys(p)) {
    if (!KNOWN.has(key)) throw new UnsupportedTemplateError(id, `Properties.${key}`, 'unknown AWS::Lambda::Permission property');
  }
  for (const key of ['Action', 'FunctionName', 'Principal'] as const) {
    if (typeof p[key] !== 'string') throw new UnsupportedTemplateError(id, `Properties.${key}`, 'required, must resolve to a string');
  }
  if (p['PrincipalOrgID'] !== undefined) {
    throw new UnsupportedTemplateError(id, 'Properties.PrincipalOrgID', 'AWS Organizations conditions cannot be checked locally');
  }
  return {
    functionRef: p['FunctionName'] as string,
    statement: {
      sid: id,
      action: p['Action'] as string,
      principal: p['Principal'] as string,
      ...(typeof p['SourceArn'] === 'string' ? { sourceArn: p['SourceArn'] } : {}),
      ...(typeof p['SourceAccount'] === 'string' ? { sourceAccount: p['SourceAccount'] } : {}),
      ...(typeof p['EventSourceToken'] === 'string' ? { eventSourceToken: p['EventSourceToken'] } : {}),
      ...(typeof p['FunctionUrlAuthType'] === 'string' ? { functionUrlAuthType: p['FunctionUrlAuthType'] } : {}),
      ...(p['InvokedViaFunctionUrl'] === true || p['InvokedViaFunctionUrl'] === 'true' ? { invokedViaFunctionUrl: true } : {}),
    },
  };
}

/**
 * A permission as the resource-policy statement Lambda keeps for it, as
 * GetPolicy shows it and as invocations are checked against it. Lambda keeps
 * FunctionUrlAuthType and InvokedViaFunctionUrl as conditions
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html), so the
 * public `InvokeFunction` permission of a URL does not let every caller in;
 * an EventSourceToken becomes StringEquals on `lambda:EventSourceToken`,
 * which only an Alexa invoker carrying that token satisfies.
 */
function policyStatement(statement: PermissionStatement, functionArn: string): Record<string, unknown> {
  const p = statement.principal;
  const principal = p === '*' ? '*' : p.includes('.') && !p.startsWith('arn:') ? { Service: p } : { AWS: p };
  const stringEquals = {
    ...(statement.sourceAccount !== undefined ? { 'AWS:SourceAccount': statement.sourceAccount } : {}),
    ...(statement.eventSourceToken !== undefined ? { 'lambda:EventSourceToken': statement.eventSourceToken } : {}),
    ...(statement.functionUrlAuthType !== undefined ? { 'lambda:FunctionUrlAuthType': statement.functionUrlAuthType } : {}),
  };
  const condition = {
    // The SourceArn condition is ArnLike: IAM wildcards.
    ...(statement.sourceArn !== undefined ? { ArnLike: { 'AWS:SourceArn': statement.sourceArn } } : {}),
    ...(Object.keys(stringEquals).length > 0 ? { StringEquals: stringEquals } : {}),
    ...(statement.invokedViaFunctionUrl ? { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } : {}),
  };
  return {
    Sid: statement.sid,
    Effect: 'Allow',
    Principal: principal,
    Action: statement.action,
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** A function's resource policy: its permissions as one policy document. */
export function resourcePolicy(statements: readonly PermissionStatement[], functionArn: string): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements.map((s) => policyStatement(s, functionArn)) };
}

/**
 * Check a service principal's call against the function's resource policy.
 * An IAM caller (no principal) is allowed: local callers hold no IAM identity to check.
 */
export function checkInvokePermission(policy: unknown, caller: InvokeCaller | undefined, functionArn: string): void {
  if (!caller?.principal) return;
  // A service without an explicit source account calls from the account of its source ARN.
  const account = caller.sourceAccount ?? (caller.sourceArn === undefined ? undefined : arnField(caller.sourceArn, 'account'));
  // The policy's statements are compiled once (iam/policy.ts), so a check costs a fraction of a microsecond.
  const allowed = isAllowed([policy], {
    principal: { service: caller.principal },
    action: 'lambda:InvokeFunction',
    resource: functionArn,
    context: { ...(caller.sourceArn ? { 'aws:SourceArn': caller.sourceArn } : {}), ...(account ? { 'aws:SourceAccount': account } : {}) },
  });
  if (!allowed) throw invokeDenied(caller.principal, functionArn);
}

function invokeDenied(principal: string, functionArn: string): AwsError {
  return new AwsError(
    'AccessDeniedException',
    `User: ${principal} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn} because no resource-based policy allows the lambda:InvokeFunction action`,
    403,
  );
}
