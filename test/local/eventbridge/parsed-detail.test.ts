import { describe, expect, it } from 'vitest';
import type { PutEventsEntry, PutEventsResult, Sinks } from '../../../local/contracts.js';
import {
  buildEnvelope,
  canonicalDetailText,
  entrySize,
  envelopeText,
  isParsedJson,
  isoSeconds,
  PARSED_DETAIL,
  validateEntry,
  type InternalPutEventsEntry,
} from '../../../local/eventbridge/envelope.js';
import { sendToDestination } from '../../../local/lambda/destinations.js';
import { TRACE_PAYLOAD_LIMIT, tracePayload } from '../../../local/tracing.js';
import { buildInvocationRecord } from '../../../local/lambda/invocation-record.js';
import { BUS_ARN, customBus, DLQ_ARN, FN_ARN, makeService, rule } from './helpers.js';

/** Details whose JSON text is easy to get wrong by hand: unicode, escapes, odd numbers, nesting, key order. */
const TRICKY: Record<string, unknown>[] = [
  { text: 'é ü 漢字 😀 \u2028 \u2029 \ud800 lone \udfff surrogates' },
  { text: 'quote " backslash \\ slash / \n\r\t\b\f \u0000 \u0001 \u001f \u007f </script>' },
  { numbers: [1e21, 1e-7, 123456789012345680000, 0.1 + 0.2, -0, 5e-324, 1.7976931348623157e308, -1.5, 0] },
  { nested: [[[]], [{}], [[1, [2, [3, { deep: [null, true, false] }]]]]], empty: {}, none: [] },
  { '2': 'integer-like keys', a: 1, '1': 'come first', __proto__key: 'x', ['__proto__']: { own: true } },
  JSON.parse('{"__proto__":{"polluted":1},"b":[1e400,-1e400]}') as Record<string, unknown>,
  {},
];

const ENV = { account: '123456789012', region: 'us-east-1' };

/** An entry as Lambda's destination hands it over: Detail is JSON.stringify(detail), and the detail comes with it. */
function internalEntry(detail: Record<string, unknown>, extra: Partial<PutEventsEntry> = {}): InternalPutEventsEntry {
  return {
    Source: 'lambda',
    DetailType: 'Lambda Function Invocation Result - Success',
    Detail: JSON.stringify(detail),
    EventBusName: 'custom',
    [PARSED_DETAIL]: detail,
    ...extra,
  };
}

describe('an entry whose Detail comes parsed', () => {
  it('gives the target payload JSON.stringify of the envelope, byte for byte', () => {
    for (const detail of TRICKY) {
      for (const extra of [{}, { Resources: ['arn:"quoted"', 'ü', '\n'], DetailType: 'type "é" \u2028', Source: 's\\rc' }]) {
        const entry = internalEntry(detail, extra);
        const checked = validateEntry(entry);
        if (!('detail' in checked)) throw new Error('refused');
        // A detail whose text says otherwise (-0, Infinity) is parsed from its text, as before.
        if (isParsedJson(detail)) expect(checked.detail).toBe(detail);
        else expect(checked.detail).toEqual(JSON.parse(entry.Detail!));
        const event = buildEnvelope(entry, checked.detail, ENV, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
        expect(canonicalDetailText(event)).toBe(isParsedJson(detail) ? entry.Detail : undefined);
        expect(envelopeText(event)).toBe(JSON.stringify(event));
        // As it was before: the detail parsed from its text.
        const reparsed = buildEnvelope(entry, JSON.parse(entry.Detail!) as Record<string, unknown>, ENV, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
        expect(envelopeText(event)).toBe(JSON.stringify({ ...reparsed, id: event.id }));
      }
    }
  });

  it('keeps a public entry serialised whole: its Detail text is not the canonical text', () => {
    const entry: PutEventsEntry = { Source: 'app', DetailType: 't', Detail: '{ "a" : 1.0, "b": "\\u00e9" }' };
    const checked = validateEntry(entry);
    if (!('detail' in checked)) throw new Error('refused');
    const event = buildEnvelope(entry, checked.detail, ENV, 0);
    expect(canonicalDetailText(event)).toBeUndefined();
    expect(envelopeText(event)).toBe(JSON.stringify(event));
    expect(envelopeText(event)).toContain('"detail":{"a":1,"b":"é"}');
  });

  it('is refused and sized exactly as the same entry without its parsed detail', () => {
    const detail = { big: 'ü'.repeat(300_000) };
    const cases: InternalPutEventsEntry[] = [
      internalEntry(detail),
      internalEntry(detail, { Source: '' }),
      internalEntry(detail, { Source: 'aws.lambda' }),
      internalEntry(detail, { DetailType: undefined }),
      internalEntry(detail, { Detail: '' }),
      { ...internalEntry(detail), Detail: '[1]', [PARSED_DETAIL]: [1] as unknown as Record<string, unknown> },
      { ...internalEntry(detail), Detail: 'null', [PARSED_DETAIL]: null as unknown as Record<string, unknown> },
    ];
    for (const entry of cases) {
      const plain: PutEventsEntry = { ...entry };
      delete (plain as { [PARSED_DETAIL]?: unknown })[PARSED_DETAIL];
      expect(entrySize(entry)).toBe(entrySize(plain));
      const checked = validateEntry(entry);
      const expected = validateEntry(plain);
      if ('error' in expected) expect(checked).toEqual(expected);
      else expect('detail' in checked && checked.detail).toEqual(expected.detail);
    }
  });
});

describe('isParsedJson', () => {
  it('says whether JSON.parse of the JSON text gives the value back exactly', () => {
    for (const value of [{}, [], 'é', 1e21, 5e-324, 0, null, true, { a: [1, { b: null }] }, JSON.parse('{"__proto__":1}')]) {
      expect(isParsedJson(value)).toBe(true);
    }
    for (const value of [-0, Infinity, NaN, undefined, { a: undefined }, [1, undefined], [-0], { d: new Date(0) }, 1n, () => 1, new Map(), Object.create(null)]) {
      expect(isParsedJson(value)).toBe(false);
    }
    // eslint-disable-next-line no-sparse-arrays
    expect(isParsedJson([1, , 2])).toBe(false);
  });
});

describe('the destination chain', () => {
  it('matches rules on what the Detail text says, not on a parsed value it cannot say (1e400)', async () => {
    const { service, recorded } = makeService([customBus, rule('R', { detail: { n: [null] } }, [{ Id: 'fn', Arn: FN_ARN }])]);
    const detail = JSON.parse('{"n":1e400}') as Record<string, unknown>;
    await service.putEvents([internalEntry(detail)]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
    expect(JSON.parse(recorded.invokes[0]!.payload).detail).toEqual({ n: null });
  });

  it('delivers the same payload and traces as an entry put through the public API', async () => {
    for (const detail of TRICKY) {
      const payloads: string[] = [];
      const traces: string[] = [];
      for (const internal of [true, false]) {
        const { service, recorded } = makeService([customBus, rule('R', { source: ['lambda'] }, [{ Id: 'fn', Arn: FN_ARN }])]);
        const entry = internalEntry(detail);
        const put = internal ? entry : { ...entry, [PARSED_DETAIL]: undefined };
        const result = await service.putEvents([put]);
        expect(result.FailedEntryCount).toBe(0);
        await service.idle();
        const id = result.Entries[0]!.EventId!;
        // Event ids are random: compare with the id made the same.
        const same = (text: string) => text.split(id).join('<id>');
        payloads.push(same(recorded.invokes[0]!.payload));
        traces.push(same(JSON.stringify(recorded.traces)));
      }
      expect(payloads[0]).toBe(payloads[1]);
      expect(traces[0]).toBe(traces[1]);
    }
  });

  it("traces a delivered payload as tracePayload of it would: the event, or its cut text when it is long", async () => {
    for (const detail of [...TRICKY, { long: 'x'.repeat(TRACE_PAYLOAD_LIMIT) }]) {
      for (const internal of [true, false]) {
        const { service, recorded } = makeService([customBus, rule('R', { source: ['lambda'] }, [{ Id: 'fn', Arn: FN_ARN }])]);
        const entry = internalEntry(detail);
        await service.putEvents([internal ? entry : { ...entry, [PARSED_DETAIL]: undefined }]);
        await service.idle();
        const delivered = recorded.traces.find((t) => t.kind === 'deliver')!;
        const payload = recorded.invokes[0]!.payload;
        expect(JSON.stringify((delivered.detail as { payload: unknown }).payload)).toBe(JSON.stringify(tracePayload(payload)));
      }
    }
  });

  it('dead-letters the same text as JSON.stringify of the event', async () => {
    const { AwsError } = await import('../../../local/protocol/errors.js');
    const { service, recorded } = makeService(
      [customBus, rule('R', { source: ['lambda'] }, [{ Id: 'fn', Arn: FN_ARN, DeadLetterConfig: { Arn: DLQ_ARN } }])],
      { lambdaFailures: [new AwsError('AccessDeniedException', 'no')] },
    );
    const detail = TRICKY[1]!;
    await service.putEvents([internalEntry(detail)]);
    await service.idle();
    const put = recorded.traces.find((t) => t.kind === 'put')!;
    expect(recorded.messages[0]!.body).toBe(JSON.stringify((put.detail as { event: unknown }).event));
  });

  it("hands EventBridge the record with its text, which is the record's JSON", async () => {
    const record = buildInvocationRecord({
      requestId: 'req',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      condition: 'Success',
      approximateInvokeCount: 1,
      requestPayload: '{"a":"é\\u2028","n":1e21}',
      outcome: { ok: true, payload: '[1,[2,[3]]]' },
      time: 0,
    });
    const calls: InternalPutEventsEntry[] = [];
    const sinks = {
      events: {
        putEvents: async (entries: readonly PutEventsEntry[]): Promise<PutEventsResult> => {
          calls.push(...(entries as InternalPutEventsEntry[]));
          return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
        },
      },
    } as unknown as Sinks;
    await sendToDestination(BUS_ARN, record, { sinks });
    expect(calls).toHaveLength(1);
    expect(calls[0]![PARSED_DETAIL]).toBe(record);
    expect(calls[0]!.Detail).toBe(JSON.stringify(record));
    expect(JSON.parse(calls[0]!.Detail!)).toEqual(record);
  });
});

describe('isoSeconds', () => {
  it('writes each time as the formula does, whatever second came before', () => {
    const formula = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const times = [0, 999, 1000, 1000, 1999, 999, -1, -1000, -1001, 1767225599999, 1767225600000, 1767225600000, 253402300799999, 253402300800000, 8.64e15];
    for (const ms of times) expect(isoSeconds(ms)).toBe(formula(ms));
    expect(() => isoSeconds(Number.NaN)).toThrow(RangeError);
    expect(isoSeconds(1767225600000)).toBe('2026-01-01T00:00:00Z');
  });
});
