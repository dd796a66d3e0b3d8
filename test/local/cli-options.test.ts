import { describe, expect, it } from 'vitest';
import { CliError, parseCliOptions } from '../../local/cli-options.js';

describe('npm start options', () => {
  it('has the documented defaults', () => {
    expect(parseCliOptions([])).toEqual({ port: 3000, host: '127.0.0.1', timeScale: 1 / 60, context: {}, freshSynth: false, fresh: false, inMemory: false, iam: true, reportUnusedIam: false, watch: true, help: false });
  });

  it('reads every flag', () => {
    const options = parseCliOptions([
      '--port', '0', '--host', '0.0.0.0', '--time-scale', '1/600',
      '--context', 'retryAttempts=0', '--context', 'eventBusName=a=b', '--assembly', 'cdk.out',
    ]);
    expect(options).toEqual({
      port: 0,
      host: '0.0.0.0',
      timeScale: 1 / 600,
      context: { retryAttempts: '0', eventBusName: 'a=b' },
      assembly: 'cdk.out',
      freshSynth: false,
      fresh: false,
      inMemory: false,
      iam: true,
      reportUnusedIam: false,
      watch: true,
      help: false,
    });
    expect(parseCliOptions(['--fresh-synth']).freshSynth).toBe(true);
    expect(parseCliOptions(['--time-scale', '1']).timeScale).toBe(1);
    expect(parseCliOptions(['--time-scale', '0.5']).timeScale).toBe(0.5);
  });

  it('reads the execution-environment cap and idle time', () => {
    const options = parseCliOptions(['--max-environments', '8', '--idle-env-seconds', '2.5']);
    expect(options.maxEnvironments).toBe(8);
    expect(options.idleEnvSeconds).toBe(2.5);
    expect(parseCliOptions([])).not.toHaveProperty('maxEnvironments');
  });

  it('reads the state flags and refuses --in-memory with --state or --fresh', () => {
    expect(parseCliOptions(['--state', '/tmp/s', '--fresh'])).toMatchObject({ stateDir: '/tmp/s', fresh: true, inMemory: false });
    expect(parseCliOptions(['--in-memory'])).toMatchObject({ inMemory: true, fresh: false });
    expect(() => parseCliOptions(['--in-memory', '--fresh'])).toThrow(/--in-memory keeps no state/);
    expect(() => parseCliOptions(['--in-memory', '--state', 'x'])).toThrow(/--in-memory keeps no state/);
    expect(() => parseCliOptions(['--state', ' '])).toThrow(/--state needs a directory/);
  });

  it('turns hot reload off with --no-watch', () => {
    expect(parseCliOptions(['--no-watch']).watch).toBe(false);
  });

  it('reads the IAM flags', () => {
    const role = 'arn:aws:iam::000000000000:role/TheDestinedLambdaStack-SendEventApiPublishRoleEFE07E7A';
    expect(parseCliOptions(['--no-iam', '--report-unused-iam', '--enforce-iam-for-callers', role])).toMatchObject({
      iam: false,
      reportUnusedIam: true,
      enforceIamForCallers: role,
    });
  });

  it.each([
    [['--enforce-iam-for-callers', 'admin'], /--enforce-iam-for-callers needs a role ARN/],
    [['--enforce-iam-for-callers', 'arn:aws:iam::000000000000:user/u'], /--enforce-iam-for-callers needs a role ARN/],
    [['--port', '-1'], /--port/],
    [['--port', '3.5'], /--port/],
    [['--port', ''], /--port/],
    [['--host', ''], /--host/],
    [['--time-scale', 'fast'], /--time-scale/],
    [['--time-scale', '-1'], /--time-scale/],
    [['--time-scale', ''], /--time-scale/],
    [['--context', '=x'], /--context/],
    [['--assembly', ' '], /--assembly/],
    [['--max-environments', '0'], /--max-environments/],
    [['--max-environments', '2.5'], /--max-environments/],
    [['--idle-env-seconds', '0'], /--idle-env-seconds/],
    [['--idle-env-seconds', 'soon'], /--idle-env-seconds/],
    [['serve'], /Unexpected argument/],
    [['--port'], /argument missing/],
    [['--fresh-synth', '--assembly', 'cdk.out'], /--fresh-synth .*--assembly/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliOptions(argv)).toThrow(CliError);
    expect(() => parseCliOptions(argv)).toThrow(message);
  });
});
