import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LambdaFunction } from './service.js';

const codeCache = new Map<string, { size: number; sha256: string }>();

/** Size and SHA-256 (base64) of the code directory, standing in for the zip's. */
function codeFacts(dir: string): { size: number; sha256: string } {
  const cached = codeCache.get(dir);
  if (cached) return cached;
  const hash = createHash('sha256');
  let size = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else {
        size += st.size;
        hash.update(name).update(readFileSync(path));
      }
    }
  };
  walk(dir);
  const facts = { size, sha256: hash.digest('base64') };
  codeCache.set(dir, facts);
  return facts;
}

/** Lambda's LastModified format: `2024-01-31T12:00:00.000+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The FunctionConfiguration shape of GetFunction / ListFunctions. */
export function functionConfiguration(fn: LambdaFunction): Record<string, unknown> {
  const d = fn.definition;
  const c = d.config;
  const code = codeFacts(c.codeDir);
  return {
    FunctionName: c.functionName,
    FunctionArn: c.functionArn,
    Runtime: c.runtime,
    ...(d.role ? { Role: d.role } : {}),
    Handler: c.handler,
    CodeSize: code.size,
    Description: d.description,
    Timeout: c.timeoutSeconds,
    MemorySize: c.memorySizeMb,
    LastModified: lambdaTimestamp(fn.loadedAt),
    CodeSha256: code.sha256,
    Version: '$LATEST',
    Environment: { Variables: { ...c.environment } },
    ...(d.deadLetterTargetArn ? { DeadLetterConfig: { TargetArn: d.deadLetterTargetArn } } : {}),
    TracingConfig: { Mode: d.tracingMode },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [...d.architectures],
    EphemeralStorage: { Size: d.ephemeralStorageMb },
    LoggingConfig: { LogFormat: 'Text', LogGroup: c.logGroupName },
  };
}

/** GetFunction's answer. */
export function getFunctionOutput(fn: LambdaFunction): Record<string, unknown> {
  const reserved = fn.definition.config.reservedConcurrency;
  return {
    Configuration: functionConfiguration(fn),
    Code: { RepositoryType: 'S3', Location: `file://${fn.definition.config.codeDir}` },
    ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
  };
}
