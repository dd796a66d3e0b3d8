/**
 * Error shapes exactly as the AWS Node.js runtime interface client produces
 * them: `toRapidResponse` is the invocation's error payload, `toFormatted` the
 * JSON after `Invoke Error` / `Uncaught Exception` in the log.
 */
import { types } from 'node:util';

/** The runtime's own errors carry their type in `name`, e.g. `Runtime.HandlerNotFound`. */
export class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    // Not enumerable, so the logged JSON has no extra "name" key (as on AWS).
    Object.defineProperty(this, 'name', { value: name, enumerable: false, writable: true, configurable: true });
    // V8 formats `stack` lazily with the current name; rewrite only if it was already formatted.
    const stack = this.stack ?? '';
    if (!stack.startsWith(`${name}: `) && stack.startsWith(`Error: ${message}`)) {
      this.stack = `${name}: ${message}${stack.slice(`Error: ${message}`.length)}`;
    }
  }
}

/** Error payload as the caller receives it: `{errorType, errorMessage, trace}`. */
export interface ErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

function isErrorLike(value: unknown): value is Error {
  return (
    types.isNativeError(value) ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Error).name === 'string' &&
      typeof (value as Error).message === 'string' &&
      typeof (value as Error).stack === 'string')
  );
}

/** Same rules as the runtime: an Error's name/message/stack lines, anything else by `typeof`. */
export function toRapidResponse(error: unknown): ErrorPayload {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name.replace(/\x7F/g, '%7F'),
        errorMessage: error.message.replace(/\x7F/g, '%7F'),
        trace: (error.stack ?? '').replace(/\x7F/g, '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(value: unknown): unknown {
  if (value instanceof Error) {
    const ret = Object.assign(
      { errorType: value.name, errorMessage: value.message, code: (value as { code?: unknown }).code },
      value,
    ) as unknown as Record<string, unknown>;
    if (typeof value.stack === 'string') ret['stack'] = value.stack.split('\n');
    return ret;
  }
  return value;
}

/** The tab-prefixed JSON the runtime logs after `Invoke Error`; its key is `stack`, not `trace`. */
export function toFormatted(error: unknown): string {
  try {
    return '\t' + JSON.stringify(error, (_key, value: unknown) => withEnumerableProperties(value));
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}
