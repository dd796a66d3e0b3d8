#!/usr/bin/env node
/**
 * CDK app entry point (`cdk.json`: `node --import tsx bin/app.ts`). Context overrides:
 * `-c eventBusName=... -c retryAttempts=0..2 -c maxEventAgeSeconds=60..21600
 * -c throttlingRateLimit=N -c throttlingBurstLimit=N`.
 */
import { buildApp } from '../lib/app.js';
import { runAppEntry } from '../lib/app-entry.js';

runAppEntry(() => buildApp().app.synth());
