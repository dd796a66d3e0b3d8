/**
 * CloudWatch Logs filter patterns against the AWS documentation's own
 * examples: each case is a pattern, a log event and whether the docs say it
 * matches, with the page it comes from. Patterns the docs give without
 * saying which events they match are checked on events whose answer follows
 * from the documented meaning (noted where so).
 */
import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../local/logs/filter-pattern.js';
import { AwsError } from '../../../local/protocol/errors.js';

/** The current syntax page (regex section and the first unstructured examples). */
const SYNTAX = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html';
/** The current JSON page (its opening examples). */
const JSON_PAGE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html';
/** AWS's published source of the same guide, with every example and the events they are run on. */
const GUIDE_SOURCE = 'https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md';
/** Lightsail's GetContainerLog documents the same filter-pattern syntax. */
const LIGHTSAIL =
  'https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/lightsail/aws.sdk.kotlin.services.lightsail.model/-get-container-log-request/filter-pattern.html';

const j = (value: unknown) => JSON.stringify(value);

/** The JSON event the guide's JSON examples run on. */
const trailEvent = j({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
});

/** The JSON event of the guide's compound-condition examples. */
const usersEvent = j({
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [
    { id: 2, email: 'John.Doe@example.com' },
    { id: 3, email: 'Jane.Doe@example.com' },
  ],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [
    [0, 1, 2],
    [4, 5, 6],
    [7, 8, 9],
  ],
});

/** The guide's three Apache access-log events. */
const apache = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
  '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
  '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
] as const;

/** The guide's OR examples run on these three events. */
const orEvents = ['ERROR WARN message', 'ERROR message', 'WARN message'] as const;

type Case = readonly [source: string, pattern: string, event: string, matches: boolean];

const cases: Case[] = [
  // ---- regular expressions
  [SYNTAX, '%AUTHORIZED%', '[ERROR 401] UNAUTHORIZED REQUEST', true],
  [SYNTAX, '%AUTHORIZED%', '[SUCCESS 200] AUTHORIZED REQUEST', true],
  [SYNTAX, '%AUTHORIZED%', '[ERROR 400] BAD REQUEST', false],

  // ---- terms
  [SYNTAX, 'ERROR', '[ERROR 400] BAD REQUEST', true],
  [SYNTAX, 'ERROR', '[ERROR 401] UNAUTHORIZED REQUEST', true],
  [GUIDE_SOURCE, '', '[ERROR] A fatal exception has occurred', true],
  [GUIDE_SOURCE, 'ERROR', '[ERROR] A fatal exception has occurred', true],
  [GUIDE_SOURCE, 'ERROR', 'Exiting with ERRORCODE: -1', true],
  [GUIDE_SOURCE, 'ERROR -Exiting', '[ERROR] A fatal exception has occurred', true],
  [GUIDE_SOURCE, 'ERROR -Exiting', 'Exiting with ERRORCODE: -1', false],
  [GUIDE_SOURCE, 'ERROR Exception', '[ERROR] Caught IllegalArgumentException', true],
  [GUIDE_SOURCE, 'ERROR Exception', '[ERROR] Unhandled Exception', true],
  [GUIDE_SOURCE, 'Failed to process the request', '[WARN] Failed to process the request', true],
  [GUIDE_SOURCE, 'Failed to process the request', '[ERROR] Unable to continue: Failed to process the request', true],
  // Terms are case-sensitive.
  [GUIDE_SOURCE, 'ERROR', '[error] a fatal exception has occurred', false],
  // `?` any of, `-` none of.
  [GUIDE_SOURCE, 'ERROR', orEvents[0], true],
  [GUIDE_SOURCE, 'ERROR', orEvents[1], true],
  [GUIDE_SOURCE, 'ERROR', orEvents[2], false],
  [GUIDE_SOURCE, '?ERROR ?WARN', orEvents[0], true],
  [GUIDE_SOURCE, '?ERROR ?WARN', orEvents[1], true],
  [GUIDE_SOURCE, '?ERROR ?WARN', orEvents[2], true],
  [GUIDE_SOURCE, '?ERROR ?WARN', 'INFO message', false],
  [GUIDE_SOURCE, 'ERROR WARN', orEvents[0], true],
  [GUIDE_SOURCE, 'ERROR WARN', orEvents[1], false],
  [GUIDE_SOURCE, 'ERROR WARN', orEvents[2], false],
  [GUIDE_SOURCE, 'ERROR -WARN', orEvents[0], false],
  [GUIDE_SOURCE, 'ERROR -WARN', orEvents[1], true],
  [GUIDE_SOURCE, 'ERROR -WARN', orEvents[2], false],
  [LIGHTSAIL, '-ERROR', 'INFO all good', true],
  [LIGHTSAIL, '-ERROR', '[ERROR 400] BAD REQUEST', false],
  [LIGHTSAIL, '?ERROR ?Exception', 'Unhandled Exception', true],
  [LIGHTSAIL, '?ERROR ?Exception', 'all good', false],
  // Quoted phrase: terms with characters other than alphanumerics and underscore go in double quotes.
  [GUIDE_SOURCE, '"ERRORCODE: -1"', 'Exiting with ERRORCODE: -1', true],
  [GUIDE_SOURCE, '"ERRORCODE: -1"', 'Exiting with ERRORCODE: 1', false],

  // ---- JSON
  [JSON_PAGE, '{ $.eventType = "UpdateTrail" }', trailEvent, true],
  [JSON_PAGE, '{ $.sourceIPAddress != 123.123.* }', trailEvent, true],
  [JSON_PAGE, '{ $.sourceIPAddress != 123.123.* }', j({ sourceIPAddress: '123.123.0.7' }), false],
  [GUIDE_SOURCE, '{ $.arrayKey[0] = "value" }', trailEvent, true],
  [GUIDE_SOURCE, '{ $.arrayKey[0] = "value" }', j({ arrayKey: 'value' }), false],
  [GUIDE_SOURCE, '{ $.objectList[1].id = 2 }', trailEvent, true],
  [GUIDE_SOURCE, '{ $.objectList[1].id = 2 }', j({ objectList: { id: 2 } }), false],
  [GUIDE_SOURCE, '{ $.SomeObject IS NULL }', trailEvent, true],
  [GUIDE_SOURCE, '{ $.SomeOtherObject NOT EXISTS }', trailEvent, true],
  [GUIDE_SOURCE, '{ $.SomeObject NOT EXISTS }', trailEvent, false],
  [GUIDE_SOURCE, '{ $.ThisFlag IS TRUE }', trailEvent, true],
  [GUIDE_SOURCE, '{ $.ThisFlag IS FALSE }', trailEvent, false],
  // `=`/`!=` on strings, and the `*` wildcard at the start or end of a value only.
  [GUIDE_SOURCE, '{ $.eventType != "UpdateTrail" }', trailEvent, false],
  [GUIDE_SOURCE, '{ $.eventType != "UpdateTrail" }', j({ eventType: 'CreateTrail' }), true],
  [GUIDE_SOURCE, '{ $.eventName = *Event }', j({ eventName: 'PutEvent' }), true],
  [GUIDE_SOURCE, '{ $.eventName = *Event }', j({ eventName: 'GetEvent' }), true],
  [GUIDE_SOURCE, '{ $.eventName = Event* }', j({ eventName: 'EventId' }), true],
  [GUIDE_SOURCE, '{ $.eventName = Event* }', j({ eventName: 'EventName' }), true],
  [GUIDE_SOURCE, '{ $.eventName = Event* }', j({ eventName: 'PutEvent' }), false],
  [GUIDE_SOURCE, '{ $.eventName = "Ev*ent" }', j({ eventName: 'Ev*ent' }), true],
  [GUIDE_SOURCE, '{ $.eventName = "Ev*ent" }', j({ eventName: 'Event' }), false],
  [GUIDE_SOURCE, '{ $.eventName = "Ev*ent" }', j({ eventName: 'EvXent' }), false],
  [GUIDE_SOURCE, '{ $.eventName = "Ev*ent" }', j({ eventName: 'Ev*ents' }), false],
  // OR in JSON patterns.
  [GUIDE_SOURCE, '{$.foo = bar}', j({ foo: 'bar' }), true],
  [GUIDE_SOURCE, '{$.foo = bar}', j({ foo: 'baz' }), false],
  [GUIDE_SOURCE, '{$.foo = baz }', j({ foo: 'baz' }), true],
  [GUIDE_SOURCE, '{$.foo = bar || $.foo = baz }', j({ foo: 'bar' }), true],
  [GUIDE_SOURCE, '{$.foo = bar || $.foo = baz }', j({ foo: 'baz' }), true],
  // Compound conditions: () > && > ||.
  [GUIDE_SOURCE, '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', usersEvent, true],
  [GUIDE_SOURCE, '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', usersEvent, false],
  [GUIDE_SOURCE, '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', usersEvent, true],
  [GUIDE_SOURCE, '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', usersEvent, false],
  // A selector on an array or object never matches, with `=` or `!=`.
  [GUIDE_SOURCE, '{$.users = 1}', j({ users: [1, 2, 3] }), false],
  [GUIDE_SOURCE, '{$.users != 1}', j({ users: [1, 2, 3] }), false],
  // Numeric comparisons (the guide's patterns, on events chosen on either side of each bound).
  [GUIDE_SOURCE, '{ $.latency >= 500 }', j({ latency: 500 }), true],
  [GUIDE_SOURCE, '{ $.latency >= 500 }', j({ latency: 499.9 }), false],
  [GUIDE_SOURCE, '{ $.numbers[0] < 10e3 }', j({ numbers: [9999] }), true],
  [GUIDE_SOURCE, '{ $.numbers[0] < 10e3 }', j({ numbers: [10000] }), false],
  [GUIDE_SOURCE, '{ $.numbers[0] < 10e-3 }', j({ numbers: [0.001] }), true],
  [GUIDE_SOURCE, '{ $.numbers[0] < 10e-3 }', j({ numbers: [0.01] }), false],
  [GUIDE_SOURCE, '{ $.processes[4].averageRuntime <= 55.5 }', j({ processes: [{}, {}, {}, {}, { averageRuntime: 55.5 }] }), true],
  [GUIDE_SOURCE, '{ $.processes[4].averageRuntime <= 55.5 }', j({ processes: [{}, {}, {}, {}, { averageRuntime: 55.6 }] }), false],
  [GUIDE_SOURCE, '{ $.errorCode = 400 }', j({ errorCode: 400 }), true],
  [GUIDE_SOURCE, '{ $.errorCode != 500 }', j({ errorCode: 400 }), true],
  [GUIDE_SOURCE, '{ $.errorCode != 500 }', j({ errorCode: 500 }), false],
  [GUIDE_SOURCE, '{ $.latency > +1000 }', j({ latency: 1001 }), true],
  [GUIDE_SOURCE, '{ $.latency > +1000 }', j({ latency: 1000 }), false],
  // `{ $.latency = * }`: any value (the guide's metric-value example).
  [GUIDE_SOURCE, '{ $.latency = * }', j({ latency: 42 }), true],
  [GUIDE_SOURCE, '{ $.latency = * }', j({ other: 42 }), false],

  // ---- space-delimited
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request, status_code, bytes]', apache[0], true],
  [GUIDE_SOURCE, '[..., status_code, bytes]', apache[1], true],
  [GUIDE_SOURCE, '[ip, user, ..., status_code, bytes]', apache[2], true],
  [GUIDE_SOURCE, '[ip, user, ...]', apache[0], true],
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request, status_code, bytes > 1000]', apache[0], true],
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request, status_code = 200, bytes]', apache[0], true],
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request, status_code = 200, bytes]', apache[1], false],
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request, status_code = 4*, bytes]', apache[1], false],
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', apache[0], false],
  [
    GUIDE_SOURCE,
    '[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    true,
  ],
  [GUIDE_SOURCE, '[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]', apache[0], false],
  [
    GUIDE_SOURCE,
    '[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    true,
  ],
  [
    GUIDE_SOURCE,
    '[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    true,
  ],
  [
    GUIDE_SOURCE,
    '[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 403 1534',
    false,
  ],
  // `w1` is the first word: the field count must match the event's.
  [GUIDE_SOURCE, '[w1=ERROR, w2]', orEvents[0], false],
  [GUIDE_SOURCE, '[w1=ERROR, w2]', orEvents[1], true],
  [GUIDE_SOURCE, '[w1=ERROR, w2]', orEvents[2], false],
  [GUIDE_SOURCE, '[w1=ERROR || w1=WARN, w2]', orEvents[1], true],
  [GUIDE_SOURCE, '[w1=ERROR || w1=WARN, w2]', orEvents[2], true],
  [GUIDE_SOURCE, '[w1=ERROR || w1=WARN, w2]', 'INFO message', false],
  // The guide's `[w1!=ERROR&&w1!=WARN, w2]` (its claim that this matches the three-word event contradicts
  // its own `[w1=ERROR, w2]` example, so the two-word events stand in).
  [GUIDE_SOURCE, '[w1!=ERROR&&w1!=WARN, w2]', 'INFO message', true],
  [GUIDE_SOURCE, '[w1!=ERROR&&w1!=WARN, w2]', orEvents[1], false],
  [GUIDE_SOURCE, '[w1!=ERROR&&w1!=WARN, w2]', orEvents[2], false],
];

describe('CloudWatch Logs filter patterns: the AWS documentation examples', () => {
  it.each(cases)('%s\n    %s on %s -> %s', (_source, pattern, event, matches) => {
    expect(compileFilterPattern(pattern)(event)).toBe(matches);
  });

  it.each([
    [SYNTAX, '%something!%'], // "'!' is not supported"
    [SYNTAX, '%ERR(OR)%'], // "The ( and ) operators are not supported"
    [SYNTAX, '%café%'], // "Multi-byte characters are not supported"
  ])('%s: %s is refused with InvalidParameterException', (_source, pattern) => {
    let error: unknown;
    try {
      compileFilterPattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).code).toBe('InvalidParameterException');
  });
});
