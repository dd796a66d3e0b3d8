import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../local/eventbridge/pattern.js';

const record = (condition: string, source = 'cdkpatterns.the-destined-lambda') => ({
  source: 'lambda',
  'detail-type': 'Lambda Function Invocation Result - Success',
  detail: { requestContext: { condition }, responsePayload: { source, action: 'message' } },
});

describe('CompiledPattern.explain', () => {
  const pattern = compilePattern({
    detail: {
      requestContext: { condition: ['Success'] },
      responsePayload: { source: ['cdkpatterns.the-destined-lambda'], action: ['message'] },
    },
  });

  it('says nothing for an event that matches', () => {
    expect(pattern.explain(record('Success'))).toBeUndefined();
  });

  it('names the first field in pattern order that failed, with what the event had', () => {
    const mismatch = pattern.explain(record('RetriesExhausted', 'someone-else'));
    expect(mismatch).toEqual({
      field: 'detail.requestContext.condition',
      expected: ['Success'],
      actual: ['RetriesExhausted'],
      reason: 'detail.requestContext.condition is "RetriesExhausted"; the pattern wants ["Success"]',
    });
  });

  it("keeps each explanation's values when later events are explained or matched", () => {
    const first = pattern.explain({ detail: { requestContext: { condition: ['A', 'B'] } } });
    const second = pattern.explain(record('RetriesExhausted'));
    pattern.matches(record('Success'));
    expect(first?.actual).toEqual(['A', 'B']);
    expect(first?.reason).toBe('detail.requestContext.condition is ["A","B"]; the pattern wants ["Success"]');
    expect(second?.actual).toEqual(['RetriesExhausted']);
  });

  it('reports a later field when the earlier ones pass', () => {
    expect(pattern.explain(record('Success', 'someone-else'))?.field).toBe('detail.responsePayload.source');
  });

  it('says when the field is absent', () => {
    const mismatch = pattern.explain({ detail: {} });
    expect(mismatch?.actual).toEqual([]);
    expect(mismatch?.reason).toBe('detail.requestContext.condition is absent; the pattern wants ["Success"]');
  });

  it('keeps match expressions as the pattern wrote them', () => {
    const mismatch = compilePattern({ n: [{ numeric: ['>', 5] }] }).explain({ n: 2 });
    expect(mismatch?.expected).toEqual([{ numeric: ['>', 5] }]);
    expect(mismatch?.reason).toBe('n is 2; the pattern wants [{"numeric":[">",5]}]');
  });

  it('skips a field that may be absent, and explains fields that match apart but not in one array element', () => {
    expect(compilePattern({ a: [{ exists: false }], b: ['x'] }).explain({ b: 'y' })?.field).toBe('b');
    const mismatch = compilePattern({ items: { k: ['a'], v: [1] } }).explain({ items: [{ k: 'a', v: 2 }, { k: 'b', v: 1 }] });
    expect(mismatch?.reason).toMatch(/not within the same array element/);
  });
});
