import { arnField } from '../arn.js';
import type { InvokeCaller } from '../contracts.js';
import type { StackResource } from '../cloudformation/types.js';
import { isAllowed, unsupportedPolicyParts } from '../iam/policy.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';

/** The condition keys {@link checkPublishPermission} supplies when a service publishes. */
const TOPIC_POLICY_CONTEXT_KEYS: readonly string[] = ['aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOwner', 'aws:SecureTransport'];

/** An AWS::SNS::TopicPolicy: the topics it covers and its document as written. */
export interface TopicPolicy {
  readonly topics: readonly string[];
  readonly document: Readonly<Record<string, unknown>>;
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/**
 * Read an AWS::SNS::TopicPolicy, refusing what the shared policy evaluator
 * (iam/policy.ts) would get wrong: unknown condition operators and keys.
 */
export function readTopicPolicy(resource: StackResource): TopicPolicy {
  const id = resource.logicalId;
  const p = resource.properties;
  for (const key of Object.keys(p)) {
    if (key !== 'PolicyDocument' && key !== 'Topics') {
      throw new UnsupportedTemplateError(id, `Properties.${key}`, 'unknown AWS::SNS::TopicPolicy property');
    }
  }
  const topics = list(p['Topics']);
  if (topics.length === 0) throw new UnsupportedTemplateError(id, 'Properties.Topics', 'required: at least one topic ARN');
  const document = p['PolicyDocument'];
  if (typeof document !== 'object' || document === null) {
    throw new UnsupportedTemplateError(id, 'Properties.PolicyDocument', 'required: a policy document object');
  }
  const statement = (document as Record<string, unknown>)['Statement'];
  const statements: unknown[] = statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
  statements.forEach((raw, index) => {
    const path = `Properties.PolicyDocument.Statement.${index}`;
    if (typeof raw !== 'object' || raw === null) throw new UnsupportedTemplateError(id, path, 'a statement must be an object');
    const effect = (raw as Record<string, unknown>)['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') throw new UnsupportedTemplateError(id, `${path}.Effect`, 'must be Allow or Deny');
  });
  const [unsupported] = unsupportedPolicyParts(document, TOPIC_POLICY_CONTEXT_KEYS);
  if (unsupported) throw new UnsupportedTemplateError(id, `Properties.PolicyDocument.${unsupported.path}`, unsupported.reason);
  return { topics, document: document as Record<string, unknown> };
}

/**
 * Check a service principal's Publish against the topic's policy documents
 * (the default policy, without a TopicPolicy, admits only the owning
 * account). IAM callers pass: the local runtime holds no identity to check.
 */
export function checkPublishPermission(documents: readonly unknown[], caller: InvokeCaller | undefined, topicArn: string): void {
  if (!caller?.principal) return;
  const account = caller.sourceAccount ?? (caller.sourceArn === undefined ? undefined : arnField(caller.sourceArn, 'account'));
  const allowed = isAllowed(documents, {
    principal: { service: caller.principal },
    action: 'sns:Publish',
    resource: topicArn,
    context: {
      ...(caller.sourceArn ? { 'aws:SourceArn': caller.sourceArn } : {}),
      ...(account ? { 'aws:SourceAccount': account, 'aws:SourceOwner': account } : {}),
      // The local endpoint stands in for AWS's HTTPS one: every call counts as secure.
      'aws:SecureTransport': 'true',
    },
  });
  if (!allowed) {
    throw new AwsError('AuthorizationError', `User: ${caller.principal} is not authorized to perform: SNS:Publish on resource: ${topicArn}`, 403);
  }
}
