/**
 * Resolves `_HANDLER` (`dir/file.fn.nested`) to a function the way the AWS
 * Node.js runtime does, with its error types and messages.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuntimeError } from './errors.js';

/** A loaded handler. */
export type Handler = (event: unknown, context: unknown, callback: (err?: unknown, result?: unknown) => void) => unknown;

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The file the runtime would load for `modulePath`, or undefined (it then tries a bare require). */
function resolveModuleFile(appRoot: string, modulePath: string): string | undefined {
  const base = path.resolve(appRoot, modulePath);
  for (const candidate of [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function moduleNotFound(modulePath: string): RuntimeError {
  return new RuntimeError(
    'Runtime.ImportModuleError',
    `Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`,
  );
}

async function importModule(appRoot: string, modulePath: string): Promise<Record<string, unknown>> {
  const file = resolveModuleFile(appRoot, modulePath);
  try {
    if (file !== undefined) {
      // import() loads ESM and CommonJS alike and respects package.json "type",
      // which is what the ESM-capable runtime (nodejs18.x and later) does too.
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    }
    // Last resort as on AWS: a package name resolvable from the task root (node_modules).
    const require = createRequire(path.join(appRoot, 'noop.js'));
    const resolved = require.resolve(modulePath);
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      if (file === undefined) throw moduleNotFound(modulePath);
      throw new RuntimeError('Runtime.ImportModuleError', String(error));
    }
    throw error;
  }
}

function resolvePath(mod: Record<string, unknown>, functionPath: string): unknown {
  const walk = (root: unknown): unknown =>
    functionPath
      .split('.')
      .reduce<unknown>(
        (value, key) => (value !== null && value !== undefined ? (value as Record<string, unknown>)[key] : undefined),
        root,
      );
  const direct = walk(mod);
  // A CommonJS module whose exports the ESM loader could not detect statically
  // still has them on `default` (module.exports).
  return direct === undefined ? walk(mod['default']) : direct;
}

/** Loads the handler; throws the runtime's errors (`Runtime.MalformedHandlerName`, ...). */
export async function loadHandler(appRoot: string, fullHandlerString: string): Promise<Handler> {
  if (fullHandlerString.includes('..')) {
    throw new RuntimeError(
      'Runtime.BadHandlerError',
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleRoot = path.dirname(fullHandlerString);
  const match = FUNCTION_EXPR.exec(path.basename(fullHandlerString));
  if (!match || match[1] === undefined || match[2] === undefined || match[1] === '' || match[2] === '') {
    throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const mod = await importModule(appRoot, path.join(moduleRoot, match[1]));
  const handler = resolvePath(mod, match[2]);
  if (handler === undefined || handler === null) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${fullHandlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${fullHandlerString} is not a function`);
  }
  return handler as Handler;
}

