import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../local/contracts.js';
import { NodeCounters } from '../../../local/dashboard/counters.js';
import type { Architecture } from '../../../local/dashboard/architecture.js';

const architecture: Architecture = {
  stackName: 'S',
  nodes: [
    { id: 'Fn', type: 'AWS::Lambda::Function', label: 'Lambda function', name: 'fn', keys: ['fn', 'arn:aws:lambda:us-east-1:0:function:fn'], parts: [] },
    { id: 'Dlq', type: 'AWS::SQS::Queue', label: 'SQS queue', name: 'dlq', keys: ['dlq', 'arn:aws:sqs:us-east-1:0:dlq'], role: 'dlq', parts: [] },
    { id: 'Rule', type: 'AWS::Events::Rule', label: 'EventBridge rule', name: 'rule', keys: ['rule'], parts: [] },
  ],
  edges: [],
  others: [],
};
const hop = (h: Omit<TraceEvent, 'time'>): TraceEvent => ({ time: 0, ...h });

describe('NodeCounters', () => {
  it('counts invocations and errors per function, matches per rule, and reads queue depth when asked', () => {
    let depth = 2;
    const counters = new NodeCounters(architecture, (arn) => (arn === 'arn:aws:sqs:us-east-1:0:dlq' ? depth : undefined));
    counters.record(hop({ service: 'lambda', kind: 'enqueue', resource: 'fn', summary: 'accepted' }));
    counters.record(hop({ service: 'lambda', kind: 'invoke', resource: 'fn', summary: 'async attempt 1: failed (Error: x)', outcome: 'failed' }));
    counters.record(hop({ service: 'lambda', kind: 'invoke', resource: 'arn:aws:lambda:us-east-1:0:function:fn:$LATEST', summary: 'sync invoke: succeeded', outcome: 'ok' }));
    counters.record(hop({ service: 'eventbridge', kind: 'match', resource: 'rule', summary: 'rule matched' }));
    counters.record(hop({ service: 'sqs', kind: 'deliver', resource: 'arn:aws:sqs:us-east-1:0:dlq', summary: 'message' }));
    counters.record(hop({ service: 'sns', kind: 'publish', resource: 'unknown-topic', summary: 'nobody' }));
    expect(counters.snapshot()).toEqual({
      Fn: { events: 2, invocations: 2, errors: 1 },
      Dlq: { events: 1, invocations: 0, errors: 0, waiting: 2 },
      Rule: { events: 1, invocations: 0, errors: 0 },
    });
    depth = 0;
    expect(counters.snapshot().Dlq?.waiting).toBe(0);
  });
});
