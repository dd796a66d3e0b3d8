import { arnField } from '../arn.js';
import type { Sinks, Tracer } from '../contracts.js';
import type { InvocationRecord } from './invocation-record.js';
import { PARSED_DETAIL, type InternalPutEventsEntry } from '../eventbridge/envelope.js';
import { functionNameOf } from './function-ref.js';

/** What sending to a destination needs. */
export interface DestinationDeps {
  readonly sinks: Sinks;
  readonly tracer?: Tracer;
}

/** `Lambda Function Invocation Result - Success` / `- Failure`, as Lambda names its EventBridge events. */
export function detailType(success: boolean): string {
  return `Lambda Function Invocation Result - ${success ? 'Success' : 'Failure'}`;
}

/** `Name: message` of a failed delivery, for trace lines. */
export function deliveryError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** An authorization refusal rather than a failure of the target. */
function isDenial(error: unknown): boolean {
  const name = error instanceof Error ? `${error.name} ${(error as { code?: unknown }).code ?? ''}` : '';
  return /AccessDenied|AuthorizationError|NotAuthorized/.test(name);
}

/**
 * `JSON.stringify(record)`. With `requestText`, exactly `JSON.stringify(record.requestPayload)` (the
 * event's own text, when Lambda got it with its value), the request is put in as that text and only the
 * small fields are serialised, in buildInvocationRecord's order: ~4.6 -> ~1.5 µs for a record of an SNS event.
 */
export function recordText(record: InvocationRecord, requestText: string | undefined): string {
  if (requestText === undefined) return JSON.stringify(record);
  let text =
    `{"version":${JSON.stringify(record.version)},"timestamp":${JSON.stringify(record.timestamp)}` +
    `,"requestContext":${JSON.stringify(record.requestContext)},"requestPayload":${requestText}`;
  if (record.responseContext !== undefined) text += `,"responseContext":${JSON.stringify(record.responseContext)}`;
  if (record.responsePayload !== undefined) text += `,"responsePayload":${JSON.stringify(record.responsePayload)}`;
  return `${text}}`;
}

/**
 * Send an invocation record to an on-success / on-failure destination,
 * chosen by the ARN's service. Never rejects: a failed delivery is traced
 * and the event is not retried (Lambda drops a record its destination refuses).
 */
export async function sendToDestination(destinationArn: string, record: InvocationRecord, deps: DestinationDeps, requestText?: string): Promise<void> {
  const { requestId, functionArn, condition } = record.requestContext;
  const success = condition === 'Success';
  const functionName = functionNameOf(functionArn);
  const body = recordText(record, requestText);
  const service = arnField(destinationArn, 'service');
  try {
    let ids: Record<string, string>;
    switch (service) {
      case 'events': {
        // The function's execution role puts the event: no resource principal.
        const entry: InternalPutEventsEntry = {
          Source: 'lambda',
          DetailType: detailType(success),
          Detail: body,
          Resources: [destinationArn, functionArn],
          EventBusName: destinationArn,
          // Detail is JSON.stringify(record): EventBridge takes the record as the event's detail instead of parsing
          // Detail again, and the target's payload reuses Detail as the detail's text.
          [PARSED_DETAIL]: record as unknown as Record<string, unknown>,
        };
        const result = await deps.sinks.events.putEvents([entry]);
        const answer = result.Entries[0];
        if (result.FailedEntryCount > 0 || !answer?.EventId) {
          throw new Error(`${answer?.ErrorCode ?? 'PutEvents failed'}: ${answer?.ErrorMessage ?? ''}`);
        }
        ids = { requestId, eventId: answer.EventId };
        break;
      }
      case 'sqs': {
        const { MessageId } = await deps.sinks.sqs.sendMessage(destinationArn, body);
        ids = { requestId, messageId: MessageId };
        break;
      }
      case 'sns': {
        const { MessageId } = await deps.sinks.sns.publish({ TopicArn: destinationArn, Message: body });
        ids = { requestId, messageId: MessageId };
        break;
      }
      case 'lambda': {
        // The record is the destination function's event, and Lambda hands it over as an asynchronous invocation
        // made with the execution role (lambda:InvokeFunction; no resource-policy principal), so the destination's
        // own retries and destinations apply (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
        const result = await deps.sinks.lambda.invoke(destinationArn, body, 'Event');
        ids = { requestId, destinationRequestId: result.requestId };
        break;
      }
      default:
        throw new Error(`unsupported destination service ${String(service)}`);
    }
    deps.tracer?.record({
      service: 'lambda',
      kind: 'destination',
      resource: functionName,
      summary: `${condition} record (invoke count ${record.requestContext.approximateInvokeCount}) -> ${destinationArn}`,
      ids,
      detail: record,
    });
  } catch (error) {
    // On AWS this is counted in the function's DestinationDeliveryFailures metric and nothing else says so
    // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html); here it is also a failed trace.
    const reason = deliveryError(error);
    deps.tracer?.record({
      service: 'lambda',
      kind: 'destination-failed',
      resource: functionName,
      summary: `could not send ${condition} record to ${destinationArn}: ${reason}`,
      ids: { requestId },
      detail: record,
      outcome: isDenial(error) ? 'denied' : 'failed',
      reason,
    });
  }
}
