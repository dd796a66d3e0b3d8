import { createHash } from 'node:crypto';
import { pooledRandomBytes } from '../text/random-bytes.js';
import type { MessageAttributeValue } from '../contracts.js';
import type { StackEnvironment } from '../cloudformation/types.js';
import { bodyFor, type MessageContent } from './message.js';

/** A message accepted by Publish, as every subscription of the topic sees it. */
export interface Notification {
  readonly messageId: string;
  readonly topicArn: string;
  /** ISO 8601 with milliseconds and `Z`: SNS stamps the publish time once for all subscriptions. */
  readonly timestamp: string;
  readonly content: MessageContent;
}

/** What the notification needs to know about the subscription that receives it. */
export interface Recipient {
  readonly subscriptionArn: string;
  readonly protocol: string;
  /** The topic's `SignatureVersion` (`1` SHA1withRSA, `2` SHA256withRSA). */
  readonly signatureVersion: string;
}

/** `https://sns.<region>.amazonaws.com`, where SNS publishes its certificate and unsubscribe links. */
function snsHost(env: StackEnvironment): string {
  return hostsOf(env).host;
}

/** Per environment object (a topic's, fixed), its SNS host and certificate URL, so a delivery builds neither. */
const hostsByEnv = new WeakMap<StackEnvironment, { readonly host: string; readonly certUrl: string }>();

function hostsOf(env: StackEnvironment): { readonly host: string; readonly certUrl: string } {
  let hosts = hostsByEnv.get(env);
  if (hosts === undefined) {
    const host = `https://sns.${env.region}.${env.urlSuffix}`;
    hosts = { host, certUrl: certUrlOf(env, host) };
    hostsByEnv.set(env, hosts);
  }
  return hosts;
}

const certUrls = new Map<string, string>();

/** The signing certificate URL: one fixed file per region, as on AWS (hashed once, not per delivery). */
function signingCertUrl(env: StackEnvironment): string {
  return hostsOf(env).certUrl;
}

function certUrlOf(env: StackEnvironment, host: string): string {
  const key = `${env.partition} ${host}`;
  let url = certUrls.get(key);
  if (url === undefined) {
    const id = createHash('md5').update(`SimpleNotificationService-${env.partition}-${env.region}`).digest('hex');
    url = `${host}/SimpleNotificationService-${id}.pem`;
    certUrls.set(key, url);
  }
  return url;
}

/** The link in every notification that unsubscribes its subscription. */
function unsubscribeUrl(env: StackEnvironment, subscriptionArn: string): string {
  return `${snsHost(env)}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
}

/**
 * A signature of AWS's size and encoding (a 2048-bit RSA signature, base64).
 * It cannot verify: the certificate it would need is AWS's.
 */
function signature(): string {
  return pooledRandomBytes(256).toString('base64');
}

/** `{name: {Type, Value}}` with binary values in base64, as SNS renders attributes in JSON. */
function renderAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    out[name] = {
      Type: attribute.DataType,
      Value: attribute.BinaryValue ? Buffer.from(attribute.BinaryValue).toString('base64') : (attribute.StringValue ?? ''),
    };
  }
  return out;
}

/**
 * The event SNS gives a Lambda subscription, key for key in AWS's order.
 * `Subject` is null when absent, `MessageAttributes` `{}` when none, and
 * `SignatureVersion` is always "1" (AWS sends "1" to Lambda whatever the
 * topic's version).
 */
export function lambdaEvent(notification: Notification, recipient: Recipient, env: StackEnvironment): string {
  return JSON.stringify(lambdaEventValue(notification, recipient, env));
}

/**
 * The value {@link lambdaEvent} writes out: Lambda takes it with the text,
 * so the event is not parsed again to validate it (nobody changes it afterwards).
 */
export function lambdaEventValue(notification: Notification, recipient: Recipient, env: StackEnvironment): Record<string, unknown> {
  const { content } = notification;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: recipient.subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: notification.messageId,
          TopicArn: notification.topicArn,
          Subject: content.subject ?? null,
          Message: bodyFor(content, 'lambda'),
          Timestamp: notification.timestamp,
          SignatureVersion: '1',
          Signature: signature(),
          SigningCertUrl: signingCertUrl(env),
          UnsubscribeUrl: unsubscribeUrl(env, recipient.subscriptionArn),
          MessageAttributes: renderAttributes(content.attributes),
        },
      },
    ],
  };
}

/**
 * The JSON envelope SNS sends to SQS (and to a dead-letter queue). Note the
 * `URL` casing, unlike the Lambda event's `Url`. `Subject` and
 * `MessageAttributes` appear only when present. SNS writes it with Jackson's
 * pretty printer (`"Key" : value`, two-space indent, compact attribute
 * values), which is reproduced so byte-level consumers (MD5 checks) agree.
 */
export function sqsEnvelope(notification: Notification, recipient: Recipient, env: StackEnvironment): string {
  const { content } = notification;
  const fields: [string, unknown][] = [
    ['Type', 'Notification'],
    ['MessageId', notification.messageId],
    ['TopicArn', notification.topicArn],
    ...(content.subject === undefined ? [] : ([['Subject', content.subject]] as [string, unknown][])),
    ['Message', bodyFor(content, recipient.protocol)],
    ['Timestamp', notification.timestamp],
    ['SignatureVersion', recipient.signatureVersion],
    ['Signature', signature()],
    ['SigningCertURL', signingCertUrl(env)],
    ['UnsubscribeURL', unsubscribeUrl(env, recipient.subscriptionArn)],
  ];
  const lines = fields.map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`);
  const attributes = Object.entries(renderAttributes(content.attributes));
  if (attributes.length > 0) {
    const inner = attributes.map(([name, value]) => `    ${JSON.stringify(name)} : ${JSON.stringify(value)}`);
    lines.push(`  "MessageAttributes" : {\n${inner.join(',\n')}\n  }`);
  }
  return `{\n${lines.join(',\n')}\n}`;
}
