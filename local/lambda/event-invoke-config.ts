import { arnField } from '../arn.js';
import { AwsError } from '../protocol/errors.js';
import { isRecord } from './function-definition.js';

/** AWS's defaults for asynchronous invocation when no EventInvokeConfig says otherwise. */
export const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;

/** A function's EventInvokeConfig as stored (only what was set). */
export interface EventInvokeConfig {
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeInSeconds?: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  /** Epoch ms. */
  readonly lastModified: number;
}

/** What the async queue applies: the config with AWS's defaults filled in. */
export interface EffectiveInvokeConfig {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeInSeconds: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
}

/** The settings the async queue applies: the stored config over AWS's defaults. */
export function effective(config: EventInvokeConfig | undefined): EffectiveInvokeConfig {
  return {
    maximumRetryAttempts: config?.maximumRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS,
    maximumEventAgeInSeconds: config?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS,
    ...(config?.onSuccess ? { onSuccess: config.onSuccess } : {}),
    ...(config?.onFailure ? { onFailure: config.onFailure } : {}),
  };
}

// AWS's own pattern for a destination ARN (from its ValidationException text).
const DESTINATION_PATTERN =
  /^(|kafka:\/\/([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*))$/;
// The pattern as AWS prints it in the ValidationException (Java regex syntax).
const DESTINATION_PATTERN_TEXT =
  '$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const DESTINATION_SERVICES = new Set(['sqs', 'sns', 'lambda', 'events']);

/** A refused EventInvokeConfig, naming the input member it is about (for a template's property path). */
export class InvokeConfigError extends AwsError {
  constructor(
    code: string,
    message: string,
    /** e.g. `MaximumRetryAttempts`, `DestinationConfig.OnSuccess.Destination`, `DestinationConfig`. */
    readonly member: string,
  ) {
    super(code, message, 400);
  }
}

/** The input of Put/UpdateFunctionEventInvokeConfig, as the wire gives it. */
export interface EventInvokeConfigInput {
  readonly MaximumRetryAttempts?: unknown;
  readonly MaximumEventAgeInSeconds?: unknown;
  readonly DestinationConfig?: unknown;
}

/**
 * Validate an EventInvokeConfig request as AWS does and return the stored
 * form. `base` is the existing config for Update (fields merge), absent for
 * Put (the config is replaced). `functionArn` is the unqualified ARN of the
 * function the config belongs to, to reject it as its own destination;
 * `functionExists` answers whether a Lambda destination exists.
 */
export function validateEventInvokeConfig(
  input: EventInvokeConfigInput,
  functionArn: string,
  functionExists: (arn: string) => boolean,
  now: number,
  base?: EventInvokeConfig,
): EventInvokeConfig {
  // AWS reports every constraint violation in one ValidationException; the first names the member.
  const errors: { readonly text: string; readonly member: string }[] = [];
  const retries = input.MaximumRetryAttempts;
  const age = input.MaximumEventAgeInSeconds;
  if (retries !== undefined && retries !== null && (!Number.isInteger(retries) || (retries as number) < 0 || (retries as number) > 2)) {
    errors.push({
      text: `Value '${String(retries)}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value ${(retries as number) < 0 ? 'greater than or equal to 0' : 'less than or equal to 2'}`,
      member: 'MaximumRetryAttempts',
    });
  }
  if (age !== undefined && age !== null && (!Number.isInteger(age) || (age as number) < 60 || (age as number) > 21600)) {
    errors.push({
      text: `Value '${String(age)}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value ${(age as number) < 60 ? 'greater than or equal to 60' : 'less than or equal to 21600'}`,
      member: 'MaximumEventAgeInSeconds',
    });
  }
  const dc = isRecord(input.DestinationConfig) ? input.DestinationConfig : undefined;
  const onSuccess = destinationOf(dc, 'OnSuccess');
  const onFailure = destinationOf(dc, 'OnFailure');
  const destinations = [
    ['OnSuccess', onSuccess],
    ['OnFailure', onFailure],
  ] as const;
  for (const [key, arn] of destinations) {
    if (arn !== undefined && !DESTINATION_PATTERN.test(arn)) {
      errors.push({
        text: `Value '${arn}' at 'destinationConfig.${key === 'OnSuccess' ? 'onSuccess' : 'onFailure'}.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DESTINATION_PATTERN_TEXT}`,
        member: `DestinationConfig.${key}.Destination`,
      });
    }
  }
  if (errors.length > 0) {
    throw new InvokeConfigError(
      'ValidationException',
      `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.map((e) => e.text).join('; ')}`,
      errors[0]!.member,
    );
  }
  if (base === undefined && retries == null && age == null && dc === undefined) {
    throw new InvokeConfigError('InvalidParameterValueException', 'You must specify at least one of error handling or destination setting.', 'DestinationConfig');
  }
  for (const [key, arn] of destinations) {
    if (!arn) continue;
    const member = `DestinationConfig.${key}.Destination`;
    const service = arnField(arn, 'service') ?? '';
    if (!DESTINATION_SERVICES.has(service)) {
      const show = (v: string | undefined, name: string) => (v ? `${name}(destination=${v})` : 'null');
      throw new InvokeConfigError(
        'InvalidParameterValueException',
        `The provided destination config DestinationConfig(onSuccess=${show(onSuccess, 'OnSuccess')}, onFailure=${show(onFailure, 'OnFailure')}) is invalid.`,
        member,
      );
    }
    if (service === 'lambda') {
      if (unqualified(arn) === functionArn) {
        throw new InvokeConfigError('InvalidParameterValueException', "You can't specify the function as a destination for itself.", member);
      }
      if (!functionExists(arn)) {
        throw new InvokeConfigError('InvalidParameterValueException', `The destination ARN ${arn} is invalid.`, member);
      }
    }
  }
  const merged = {
    maximumRetryAttempts: retries == null ? base?.maximumRetryAttempts : (retries as number),
    maximumEventAgeInSeconds: age == null ? base?.maximumEventAgeInSeconds : (age as number),
    onSuccess: dc && 'OnSuccess' in dc ? onSuccess : base?.onSuccess,
    onFailure: dc && 'OnFailure' in dc ? onFailure : base?.onFailure,
  };
  return {
    ...(merged.maximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: merged.maximumRetryAttempts }),
    ...(merged.maximumEventAgeInSeconds === undefined ? {} : { maximumEventAgeInSeconds: merged.maximumEventAgeInSeconds }),
    ...(merged.onSuccess ? { onSuccess: merged.onSuccess } : {}),
    ...(merged.onFailure ? { onFailure: merged.onFailure } : {}),
    lastModified: now,
  };
}

/** The config as the API returns it (FunctionEventInvokeConfig shape). */
export function describeEventInvokeConfig(config: EventInvokeConfig, qualifiedArn: string): Record<string, unknown> {
  return {
    // REST-JSON timestamps default to epoch seconds.
    LastModified: config.lastModified / 1000,
    FunctionArn: qualifiedArn,
    ...(config.maximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: config.maximumRetryAttempts }),
    ...(config.maximumEventAgeInSeconds === undefined ? {} : { MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds }),
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}

function destinationOf(dc: Record<string, unknown> | undefined, key: string): string | undefined {
  const entry = dc?.[key];
  if (!isRecord(entry)) return undefined;
  const d = entry['Destination'];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

/** Drop a `:$LATEST` / version / alias suffix from a function ARN. */
export function unqualified(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}
