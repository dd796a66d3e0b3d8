#!/usr/bin/env node
/**
 * CDK app entry point (`cdk.json`: `node --import tsx bin/app.ts`). Context overrides:
 * `-c eventBusName=... -c retryAttempts=0..2 -c maxEventAgeSeconds=60..21600
 * -c throttlingRateLimit=N -c throttlingBurstLimit=N`.
 */
import { buildApp } from '../lib/app.js';

try {
  buildApp().app.synth();
} catch (error) {
  // A bad prop or context value is a user error: print the message, not a stack trace.
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
