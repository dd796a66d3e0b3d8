import { arnField } from '../arn.js';
import type { HttpRequest, HttpResponse } from '../protocol/http.js';
import { headerValue } from '../protocol/http.js';
import { AwsError } from '../protocol/errors.js';
import { credentialRegion, type RequestScope } from '../protocol/scope.js';
import { handleQuery, indexedStructures, queryParams, type QueryParams, type QueryService, type XmlValue } from '../protocol/query.js';
import type { MessageAttributeInput } from './message.js';
import type { PublishBatchEntry, PublishRequest, SnsService } from './service.js';

/**
 * Give a result a JSON form that differs from its XML form. SNS's JSON
 * output (what API Gateway integrations get with `Accept: application/json`)
 * spells out absent members as `null`, e.g. `"SequenceNumber":null`, while
 * its XML leaves them out. `toXml` walks own enumerable keys and
 * `JSON.stringify` calls `toJSON`, so a hidden `toJSON` serves both.
 */
function withJsonNulls<T extends Record<string, XmlValue>>(result: T, nullKeys: readonly string[]): T {
  // Keys in the order the spread of `result` then of the nulls gave them; without the intermediate lists.
  const json: Record<string, XmlValue | null> = { ...result };
  for (const key of nullKeys) if (result[key] === undefined) json[key] = null;
  Object.defineProperty(result, 'toJSON', { value: () => json, enumerable: false });
  return result;
}

/**
 * A map as the Query protocol writes it: repeated `<entry><key/><value/></entry>`.
 * `toXml` cannot repeat an element name, but XML allows whitespace before
 * the `>` of a tag (`<entry >`, `</entry >`), so each entry gets a distinct
 * key that still parses as `entry`. JSON gets a plain object.
 */
function xmlMap(map: Readonly<Record<string, string>>): XmlValue {
  const entries: Record<string, XmlValue> = {};
  Object.entries(map).forEach(([key, value], i) => {
    entries[`entry${' '.repeat(i)}`] = { key, value };
  });
  Object.defineProperty(entries, 'toJSON', { value: () => ({ ...map }), enumerable: false });
  return entries;
}

function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined) {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new AwsError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`, 400);
  }
  return value;
}

/**
 * A Query map, `<prefix>.entry.N.<keyName>` and its value's members, as an
 * object; an entry without its key is the model's ValidationError at `member`.
 */
function queryMap<V>(params: QueryParams, prefix: string, keyName: string, member: string, valueOf: (entry: ReadonlyMap<string, string>) => V): Record<string, V> {
  const out: Record<string, V> = {};
  for (const entry of indexedStructures(params, prefix, 'entry')) {
    const key = entry.get(keyName);
    if (key === undefined) {
      throw new AwsError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Map keys must not be null`, 400);
    }
    out[key] = valueOf(entry);
  }
  return out;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType|StringValue|BinaryValue` as a map. */
function parseMessageAttributes(params: QueryParams): Record<string, MessageAttributeInput> {
  return queryMap(params, 'MessageAttributes', 'Name', 'messageAttributes', (entry) => {
    const dataType = entry.get('Value.DataType');
    const stringValue = entry.get('Value.StringValue');
    const binaryValue = entry.get('Value.BinaryValue');
    return {
      ...(dataType === undefined ? {} : { DataType: dataType }),
      ...(stringValue === undefined ? {} : { StringValue: stringValue }),
      ...(binaryValue === undefined ? {} : { BinaryValue: new Uint8Array(Buffer.from(binaryValue, 'base64')) }),
    };
  });
}

/** Publish's string parameters, in the order the request lists them. */
const PUBLISH_PARAMETERS = ['TopicArn', 'TargetArn', 'PhoneNumber', 'Message', 'Subject', 'MessageStructure', 'MessageGroupId', 'MessageDeduplicationId'] as const;
/** A PublishBatch entry's string members (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatchRequestEntry.html). */
const BATCH_ENTRY_PARAMETERS = ['Id', 'Message', 'Subject', 'MessageStructure', 'MessageGroupId', 'MessageDeduplicationId'] as const;

/**
 * The message parameters of a Query request, or of one PublishBatch entry's
 * `PublishBatchRequestEntries.member.N.*` (only those present, as own keys).
 */
function messageRequest<T>(params: QueryParams, names: readonly string[]): T {
  const attributes = parseMessageAttributes(params);
  const request: Record<string, unknown> = {};
  for (const name of names) {
    const value = params.get(name);
    if (value !== undefined) request[name] = value;
  }
  if (Object.keys(attributes).length > 0) request['MessageAttributes'] = attributes;
  return request as T;
}

/** `Attributes.entry.N.key` / `.value` as a map (Subscribe's SubscriptionAttributesMap). */
function parseAttributes(params: QueryParams): Record<string, string> {
  return queryMap(params, 'Attributes', 'key', 'attributes', (entry) => entry.get('value') ?? '');
}

/**
 * The SNS Query API (2010-03-31) over the service: Publish(Batch), ListTopics, ListSubscriptions(ByTopic),
 * GetTopicAttributes, and Subscribe, Unsubscribe, Get/SetSubscriptionAttributes.
 */
export function snsApi(service: SnsService): QueryService {
  const subscriptionMember = (s: SnsService['subscriptions'][number]) => ({
    SubscriptionArn: s.arn,
    Owner: service.envOfTopic(s.topicArn).account,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  });
  // A request is served in the region it is signed for; an unsigned one in the runtime's default region.
  const regionOf = (scope?: RequestScope) => scope?.region ?? service.env.region;
  const inRegion = (arn: string, scope?: RequestScope) => arnField(arn, 'region') === regionOf(scope);
  return {
    version: '2010-03-31',
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    signingName: 'sns',
    operations: {
      Publish: async (params, scope) => {
        const { MessageId } = await service.publish(messageRequest<PublishRequest>(params, PUBLISH_PARAMETERS), undefined, regionOf(scope));
        return withJsonNulls({ MessageId }, ['SequenceNumber']);
      },
      PublishBatch: async (params, scope) => {
        const topicArn = required(params, 'TopicArn');
        const entries = indexedStructures(params, 'PublishBatchRequestEntries', 'member').map((entry) =>
          messageRequest<PublishBatchEntry>(entry, BATCH_ENTRY_PARAMETERS),
        );
        const { Successful } = await service.publishBatch(topicArn, entries, undefined, regionOf(scope));
        return {
          // Each entry's SequenceNumber (FIFO topics only) is absent, null in JSON as Publish's.
          Successful: Successful.map(({ Id, MessageId }) => withJsonNulls({ Id, MessageId }, ['SequenceNumber'])),
          // Never an entry here: see SnsService.publishBatch.
          Failed: [],
        };
      },
      ListTopics: (_params, scope) =>
        withJsonNulls({ Topics: service.topics.filter((t) => inRegion(t.arn, scope)).map((t) => ({ TopicArn: t.arn })) }, ['NextToken']),
      ListSubscriptions: (_params, scope) =>
        withJsonNulls({ Subscriptions: service.subscriptions.filter((s) => inRegion(s.arn, scope)).map(subscriptionMember) }, ['NextToken']),
      ListSubscriptionsByTopic: (params, scope) => {
        const topic = service.topic(required(params, 'TopicArn'), 'TopicArn', regionOf(scope));
        return withJsonNulls({ Subscriptions: service.subscriptionsOf(topic.arn).map(subscriptionMember) }, ['NextToken']);
      },
      // Lambda and SQS subscriptions of the topic's account are confirmed at once, so the answer is always
      // the subscription's ARN, whatever ReturnSubscriptionArn says (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
      Subscribe: (params, scope) => ({
        SubscriptionArn: service.subscribe(
          {
            TopicArn: required(params, 'TopicArn'),
            Protocol: required(params, 'Protocol'),
            ...(params.get('Endpoint') === undefined ? {} : { Endpoint: params.get('Endpoint')! }),
            Attributes: parseAttributes(params),
          },
          regionOf(scope),
        ),
      }),
      Unsubscribe: (params, scope) => {
        service.unsubscribe(required(params, 'SubscriptionArn'), regionOf(scope));
        return undefined;
      },
      GetSubscriptionAttributes: (params, scope) => ({
        Attributes: xmlMap(service.getSubscriptionAttributes(required(params, 'SubscriptionArn'), regionOf(scope))),
      }),
      SetSubscriptionAttributes: (params, scope) => {
        const value = params.get('AttributeValue');
        service.setSubscriptionAttributes(
          { SubscriptionArn: required(params, 'SubscriptionArn'), AttributeName: required(params, 'AttributeName'), ...(value === undefined ? {} : { AttributeValue: value }) },
          regionOf(scope),
        );
        return undefined;
      },
      GetTopicAttributes: (params, scope) => {
        const topic = service.topic(required(params, 'TopicArn'), 'TopicArn', regionOf(scope));
        const owner = service.envOfTopic(topic.arn).account;
        const attributes: Record<string, string> = {
          Policy: JSON.stringify(topicPolicy(topic.policies, topic.arn, owner)),
          Owner: owner,
          SubscriptionsPending: '0',
          TopicArn: topic.arn,
          EffectiveDeliveryPolicy: JSON.stringify({
            http: {
              defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' },
              disableSubscriptionOverrides: false,
              defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
            },
          }),
          SubscriptionsConfirmed: String(service.subscriptionsOf(topic.arn).length),
          DisplayName: topic.displayName,
          SubscriptionsDeleted: '0',
          SignatureVersion: topic.signatureVersion,
          ...(topic.kmsMasterKeyId ? { KmsMasterKeyId: topic.kmsMasterKeyId } : {}),
        };
        return { Attributes: xmlMap(attributes) };
      },
    },
  };
}

/**
 * The topic's access policy: its TopicPolicy document as written (several
 * merged, as Publish honours all their statements), or SNS's default, where
 * the owning account may do everything.
 */
function topicPolicy(documents: readonly Readonly<Record<string, unknown>>[], topicArn: string, account: string): unknown {
  if (documents.length === 1) return documents[0];
  if (documents.length > 1) {
    const statements = documents.flatMap((document) => {
      const statement = document['Statement'];
      return statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
    });
    return { Version: documents[0]!['Version'] ?? '2012-10-17', Statement: statements };
  }
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  };
}

/**
 * The SNS endpoint as an API Gateway AWS-service integration calls it: a
 * Query request in the query string (`?Action=Publish&...`) and/or a form
 * body, answered in XML or, with `Accept: application/json`, in JSON.
 * Parameters in the body win over the same ones in the query string (queryParams).
 */
export function snsServiceEndpoint(
  service: SnsService,
  /** The region a call signed for a region is served in. @default none: the service's default region */
  servingRegion: (signed: string | undefined) => string | undefined = () => undefined,
): (req: HttpRequest) => Promise<HttpResponse> {
  const api = snsApi(service);
  return async (req) => {
    const region = servingRegion(credentialRegion(req));
    return handleQuery(queryParams(req), api, headerValue(req, 'accept') ?? '', region === undefined ? {} : { region });
  };
}
