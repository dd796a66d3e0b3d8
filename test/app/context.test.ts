import { App, Duration } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, numericContext, propsFromContext } from '../../lib/app.js';
import { TheDestinedLambdaStack, validateStackProps } from '../../lib/the-destined-lambda-stack.js';
import { synthesize } from './synth.js';
import type { Synthesized } from './synth.js';

describe('context overrides', () => {
  let synth: Synthesized;
  beforeAll(() => {
    // Strings, as `cdk synth -c key=value` passes them.
    synth = synthesize({
      context: {
        retryAttempts: '0',
        maxEventAgeSeconds: '120',
        throttlingRateLimit: '2.5',
        throttlingBurstLimit: '3',
        eventBusName: 'my-bus',
      },
    });
  });
  afterAll(() => synth?.cleanup());

  const resource = (type: string) =>
    Object.values(synth.template.Resources as Record<string, any>).find((r) => r.Type === type).Properties;

  it('sets the async retry attempts and maximum event age', () => {
    expect(resource('AWS::Lambda::EventInvokeConfig')).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    });
  });

  it('sets the stage throttling', () => {
    expect(resource('AWS::ApiGateway::Stage').MethodSettings[0]).toMatchObject({
      ThrottlingRateLimit: 2.5,
      ThrottlingBurstLimit: 3,
    });
  });

  it('names the bus', () => {
    expect(resource('AWS::Events::EventBus')).toEqual({ Name: 'my-bus' });
  });

  it('still passes cdk-nag', () => {
    expect(synth.report?.pluginReports.find((r) => r.pluginName === 'AwsSolutions')?.violations).toEqual([]);
  });
});

describe('context parsing', () => {
  const appWith = (context: Record<string, unknown>) => new App({ context });

  it('reads numbers given as strings or numbers and ignores absent keys', () => {
    expect(propsFromContext(appWith({ retryAttempts: '1', throttlingRateLimit: 7 }))).toEqual({
      retryAttempts: 1,
      throttlingRateLimit: 7,
    });
    const props = propsFromContext(appWith({ maxEventAgeSeconds: '3600' }));
    expect(props.maxEventAge?.toSeconds()).toBe(3600);
  });

  it.each(['two', '', ' ', '1e', 'NaN', 'Infinity'])('rejects the non-numeric value %j with a clear error', (value) => {
    expect(() => numericContext(appWith({ retryAttempts: value }), 'retryAttempts')).toThrow(
      `Context value retryAttempts must be a number (e.g. -c retryAttempts=2), got ${JSON.stringify(value)}`,
    );
  });

  it('rejects an out-of-range context value through the stack validation', () => {
    expect(() => buildApp({ context: { retryAttempts: '3' }, env: {} })).toThrow(
      'retryAttempts must be an integer from 0 to 2',
    );
    expect(() => buildApp({ context: { maxEventAgeSeconds: '30' }, env: {} })).toThrow(
      'maxEventAge must be a whole number of seconds from 60 to 21600 (1 minute to 6 hours), got 30 seconds',
    );
  });

  it('rejects an empty bus name', () => {
    expect(() => propsFromContext(appWith({ eventBusName: '' }))).toThrow(
      'Context value eventBusName must be a non-empty string, got ""',
    );
  });
});

describe('stack props validation', () => {
  it.each([
    [{ retryAttempts: -1 }, 'retryAttempts must be an integer from 0 to 2'],
    [{ retryAttempts: 3 }, 'retryAttempts must be an integer from 0 to 2'],
    [{ retryAttempts: 1.5 }, 'retryAttempts must be an integer from 0 to 2'],
    [{ maxEventAge: Duration.seconds(59) }, 'maxEventAge must be a whole number of seconds from 60 to 21600'],
    [{ maxEventAge: Duration.hours(7) }, 'got 25200 seconds'],
    [{ maxEventAge: Duration.millis(60500) }, 'got 60.5 seconds'],
    [{ throttlingRateLimit: 0 }, 'throttlingRateLimit must be a positive number of requests per second, got 0'],
    [{ throttlingRateLimit: Number.NaN }, 'throttlingRateLimit must be a positive number'],
    [{ throttlingBurstLimit: -5 }, 'throttlingBurstLimit must be a positive integer number of requests, got -5'],
    [{ throttlingBurstLimit: 2.5 }, 'throttlingBurstLimit must be a positive integer'],
    [{ eventBusName: 'default' }, "eventBusName must be 1-256 letters, digits, '.', '-' or '_' and not 'default'"],
    [{ eventBusName: 'bad name' }, 'got "bad name"'],
  ])('rejects %o', (props, message) => {
    expect(() => validateStackProps(props)).toThrow(message);
    // The constructor validates before building anything.
    expect(() => new TheDestinedLambdaStack(new App(), 'S', props)).toThrow(message);
  });

  it('accepts the boundaries', () => {
    for (const props of [
      { retryAttempts: 0, maxEventAge: Duration.seconds(60) },
      { retryAttempts: 2, maxEventAge: Duration.hours(6), throttlingRateLimit: 0.5, throttlingBurstLimit: 1 },
      { eventBusName: 'a.b-c_d' },
    ]) {
      expect(() => validateStackProps(props)).not.toThrow();
    }
  });
});
