import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PatternMatcher } from '../../local/contracts.js';
import { failurePattern, successPattern } from '../../lib/destination-rules.js';

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:TheDestinedLambdaStack-destined';
const OTHER_FN = 'arn:aws:lambda:us-east-1:111111111111:function:some-other-function';

/** The pattern exactly as CloudFormation receives it (CDK renames detailType to detail-type). */
function renderedPattern(pattern: EventPattern): Record<string, any> {
  // aws-cdk-lib's built-in template validation only warns, and loading it costs seconds.
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
  new Rule(stack, 'R', { eventBus: new EventBus(stack, 'B'), eventPattern: pattern });
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  return Object.values(rules)[0]!.Properties.EventPattern;
}

/** The EventBridge destination events AWS recorded, as templates for the samples. */
const recorded = JSON.parse(
  readFileSync(
    new URL(
      '../conformance/lambda-async/snapshots/test_lambda_destinations.snapshot.json',
      import.meta.url,
    ),
    'utf8',
  ),
)['tests/aws/services/lambda_/test_lambda_destinations.py::TestLambdaDestinationEventbridge::test_invoke_lambda_eventbridge'][
  'recorded-content'
];

function sample(kind: 'success' | 'failure', functionArn: string, detail: Record<string, any> = {}): Record<string, any> {
  const base = structuredClone(recorded[`lambda_destination_event_bus_${kind}`]);
  const event = JSON.parse(
    JSON.stringify(base)
      .replaceAll('arn:<partition>:lambda:<region>:111111111111:function:<input-fn-name>', functionArn)
      .replaceAll('<partition>', 'aws')
      .replaceAll('<region>', 'us-east-1'),
  );
  event.detail = {
    ...event.detail,
    ...detail,
    requestContext: { ...event.detail.requestContext, ...detail.requestContext },
  };
  return event;
}

const failureSamples: [string, Record<string, any>][] = [
  ['RetriesExhausted with a thrown Error', sample('failure', FN, {
    requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    responsePayload: { errorType: 'Error', errorMessage: 'Record 0 asked to fail (mode=fail)', trace: [] },
  })],
  ['RetriesExhausted with a TypeError (a malformed record)', sample('failure', FN, {
    requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    responsePayload: { errorType: 'TypeError', errorMessage: 'Record 0 has no Sns.Message string', trace: [] },
  })],
  ['a timeout', sample('failure', FN, {
    responsePayload: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 10.00 seconds' },
  })],
  ['a crash (process.exit)', sample('failure', FN, {
    responsePayload: { errorType: 'Runtime.ExitError', errorMessage: 'RequestId: x Error: Runtime exited with error: exit status 1' },
  })],
  ['EventAgeExceeded after one attempt', sample('failure', FN, {
    requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
  })],
  ['EventAgeExceeded after two attempts', sample('failure', FN, {
    requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 2 },
  })],
];

describe('failure rule pattern', () => {
  const pattern = renderedPattern(failurePattern(FN));

  it('selects Lambda failure records of exactly this function ($LATEST)', () => {
    expect(pattern).toEqual({
      source: ['lambda'],
      'detail-type': ['Lambda Function Invocation Result - Failure'],
      detail: { requestContext: { functionArn: [`${FN}:$LATEST`] } },
    });
  });

  it('has no errorType, condition or responsePayload constraint, so no failure kind is missed', () => {
    const text = JSON.stringify(pattern);
    expect(text).not.toContain('errorType');
    expect(text).not.toContain('condition');
    expect(text).not.toContain('responsePayload');
  });

  it.each(failureSamples)('the AWS-shaped event of %s carries exactly the fields the pattern tests', (_name, event) => {
    expect(event.source).toBe(pattern.source[0]);
    expect(event['detail-type']).toBe(pattern['detail-type'][0]);
    expect(event.detail.requestContext.functionArn).toBe(pattern.detail.requestContext.functionArn[0]);
  });

  it('another function\'s failure carries a different functionArn', () => {
    const other = sample('failure', OTHER_FN);
    expect(pattern.detail.requestContext.functionArn).not.toContain(other.detail.requestContext.functionArn);
  });
});

describe('success rule pattern', () => {
  it('keeps the original source/action and requires this function\'s Success condition', () => {
    expect(renderedPattern(successPattern(FN))).toEqual({
      source: ['lambda'],
      'detail-type': ['Lambda Function Invocation Result - Success'],
      detail: {
        requestContext: { condition: ['Success'], functionArn: [`${FN}:$LATEST`] },
        responsePayload: { source: ['cdkpatterns.the-destined-lambda'], action: ['message'] },
      },
    });
  });
});

describe('rule patterns evaluated by the local runtime\'s EventBridge matcher', () => {
  let matches: PatternMatcher;
  beforeAll(async () => {
    // Imported at run time: the matcher belongs to the local runtime, not to the app.
    ({ matchesPattern: matches } = await import('../../local/eventbridge/pattern.js'));
  });
  const failure = renderedPattern(failurePattern(FN));
  const success = renderedPattern(successPattern(FN));
  const okEvent = sample('success', FN, {
    responsePayload: { source: 'cdkpatterns.the-destined-lambda', action: 'message', message: 'hello world' },
  });

  it.each(failureSamples)('the failure rule matches %s, the success rule does not', (_name, event) => {
    expect(matches(failure, event)).toBe(true);
    expect(matches(success, event)).toBe(false);
  });

  it('the success rule matches a success record of this function, the failure rule does not', () => {
    expect(matches(success, okEvent)).toBe(true);
    expect(matches(failure, okEvent)).toBe(false);
  });

  it('neither rule matches records of another function', () => {
    expect(matches(failure, sample('failure', OTHER_FN))).toBe(false);
    expect(matches(success, { ...okEvent, detail: { ...okEvent.detail, requestContext: { ...okEvent.detail.requestContext, functionArn: `${OTHER_FN}:$LATEST` } } })).toBe(false);
  });

  it('the success rule ignores results without the pattern\'s source and action', () => {
    expect(matches(success, sample('success', FN))).toBe(false);
    expect(matches(success, sample('success', FN, { responsePayload: { source: 'cdkpatterns.the-destined-lambda', action: 'other' } }))).toBe(false);
  });
});
