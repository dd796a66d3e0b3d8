/**
 * The Lambda service of a stack on fake pools, its execution roles checked
 * by the stack's IAM: what the role tests invoke and then read the sinks
 * and the traces (denials) of.
 */
import type { StackModel } from '../../../local/cloudformation/types.js';
import { createClock } from '../../../local/clock.js';
import { executionRoles } from '../../../local/iam/execution-roles.js';
import { IamService } from '../../../local/iam/service.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { CaptureSinks, CaptureTracer, MemoryLogs, fakePools } from '../lambda/helpers.js';

export function lambdaWithIam(stack: StackModel): { lambda: LambdaService; sinks: CaptureSinks; tracer: CaptureTracer } {
  const tracer = new CaptureTracer();
  const sinks = new CaptureSinks();
  const iam = IamService.fromStack(stack, { tracer });
  const lambda = LambdaService.fromStack(stack, {
    sinks,
    logs: new MemoryLogs(),
    clock: createClock(0.0001),
    tracer,
    poolFactory: fakePools({}).factory,
    roles: executionRoles(iam, stack.env),
  });
  return { lambda, sinks, tracer };
}
