import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../../local/protocol/errors.js';
import { testEventPattern } from '../../../local/eventbridge/pattern.js';

const dataDir = fileURLToPath(new URL('../../conformance/eventbridge-patterns/', import.meta.url));

interface Case {
  name: string;
  expect: 'match' | 'no-match' | 'error';
  eventString?: string;
  eventPatternString?: string;
  event?: unknown;
  eventPattern?: unknown;
  eventFile?: string;
  error?: { code: string; message: string };
}

function load(file: string): Case[] {
  return (JSON.parse(readFileSync(path.join(dataDir, file), 'utf8')) as { cases: Case[] }).cases;
}

/** Recorded runtime values were replaced by placeholders; put plausible values back. */
function fillPlaceholders(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value === '<account_id>') return '123456789012';
    if (value === '<region>') return 'us-east-1';
    if (value.startsWith('<utcnow')) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return value;
  }
  if (Array.isArray(value)) return value.map(fillPlaceholders);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v)]));
  }
  return value;
}

function inputs(c: Case): { pattern: string; event: string } {
  const event =
    c.eventString ??
    (c.eventFile ? readFileSync(path.join(dataDir, c.eventFile), 'utf8') : JSON.stringify(fillPlaceholders(c.event)));
  const pattern = c.eventPatternString ?? JSON.stringify(c.eventPattern);
  return { pattern, event };
}

const messageStats = { total: 0, exact: 0, differing: [] as string[] };

function runCase(c: Case): void {
  const { pattern, event } = inputs(c);
  if (c.expect === 'error') {
    let caught: unknown;
    try {
      testEventPattern(pattern, event);
    } catch (error) {
      caught = error;
    }
    expect(caught, `${c.name} should be rejected`).toBeInstanceOf(AwsError);
    const error = caught as AwsError;
    expect(error.code).toBe(c.error!.code);
    const awsFirstLine = c.error!.message.split('\n')[0];
    messageStats.total++;
    if (error.message === awsFirstLine) messageStats.exact++;
    else messageStats.differing.push(`${c.name}: got "${error.message}" want "${awsFirstLine}"`);
  } else {
    expect(testEventPattern(pattern, event), c.name).toBe(c.expect === 'match');
  }
}

describe('TestEventPattern conformance with AWS recordings', () => {
  const cases = load('cases.json');
  const inline = load('inline_cases.json');

  it('has the recorded case counts', () => {
    expect(cases).toHaveLength(156);
    expect(inline.length).toBeGreaterThanOrEqual(12);
  });

  for (const c of cases) it(`cases.json ${c.name} (${c.expect})`, () => runCase(c));
  for (const c of inline) it(`inline_cases.json ${c.name} (${c.expect})`, () => runCase(c));

  afterAll(() => {
    console.log(
      `EventBridge error messages equal to AWS's first line: ${messageStats.exact}/${messageStats.total}` +
        (messageStats.differing.length ? `\n  ${messageStats.differing.join('\n  ')}` : ''),
    );
  });
});
