import type { MessageAttributeValue } from '../contracts.js';
import { arnField } from '../arn.js';
import { deliveryError, type DestinationDeps } from './destinations.js';
import { functionNameOf } from './function-ref.js';

/** A failed asynchronous event on its way to the function's dead-letter queue or topic. */
export interface DeadLetterInput {
  readonly targetArn: string;
  readonly functionArn: string;
  readonly requestId: string;
  /** The original event, sent unchanged as the message body. */
  readonly payload: string;
  /** The last attempt's error payload (JSON text), when an attempt ran. */
  readonly errorPayload?: string;
}

/** The message attributes Lambda puts on a dead-letter message. */
function deadLetterAttributes(requestId: string, errorPayload?: string): Record<string, MessageAttributeValue> {
  return {
    RequestID: { DataType: 'String', StringValue: requestId },
    // The status of the Invoke that failed: 200 for a function error.
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: errorMessageOf(errorPayload) },
  };
}

function errorMessageOf(errorPayload: string | undefined): string {
  if (!errorPayload) return 'Event age exceeded before the function could run';
  try {
    const parsed = JSON.parse(errorPayload) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 1000);
  } catch {
    // fall through to the raw text
  }
  return errorPayload.slice(0, 1000);
}

/** Send a failed event to the function's dead-letter queue or topic. Never rejects. */
export async function sendToDeadLetter(input: DeadLetterInput, deps: DestinationDeps): Promise<void> {
  const attributes = deadLetterAttributes(input.requestId, input.errorPayload);
  const functionName = functionNameOf(input.functionArn);
  try {
    let messageId: string;
    if (arnField(input.targetArn, 'service') === 'sns') {
      ({ MessageId: messageId } = await deps.sinks.sns.publish({ TopicArn: input.targetArn, Message: input.payload, MessageAttributes: attributes }));
    } else {
      ({ MessageId: messageId } = await deps.sinks.sqs.sendMessage(input.targetArn, input.payload, attributes));
    }
    deps.tracer?.record({
      service: 'lambda',
      kind: 'dead-letter',
      resource: functionName,
      summary: `failed event -> dead-letter ${input.targetArn}`,
      ids: { requestId: input.requestId, messageId },
      outcome: 'failed',
      reason: `event in dead-letter queue ${input.targetArn}`,
    });
  } catch (error) {
    deps.tracer?.record({
      service: 'lambda',
      kind: 'dead-letter-failed',
      resource: functionName,
      summary: `could not send failed event to dead-letter ${input.targetArn}: ${deliveryError(error)}`,
      ids: { requestId: input.requestId },
      outcome: 'failed',
      reason: `event dropped: dead-letter queue refused it (${deliveryError(error)})`,
    });
  }
}
