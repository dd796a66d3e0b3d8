import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
  /** AWS's answer; `messageRaw`, when recorded, is the whole message (`message` is its first line). */
  error?: { code: string; message: string; messageRaw?: string };
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

/**
 * The whole message AWS answered. The recorder replaced the partition and
 * region inside messages with placeholders; the pattern sent had the real
 * ones (the recorded columns count them), so put them back.
 */
function awsMessage(c: Case): string {
  const raw = c.error!.messageRaw ?? c.error!.message;
  return raw.replaceAll('<partition>', 'aws').replaceAll('<region>', 'us-east-1');
}

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
    expect(error.message).toBe(awsMessage(c));
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
});
