/**
 * Scheduled rules with `rate(...)` expressions, run on the runtime clock so
 * `--time-scale` speeds them up like every other AWS wait. `cron(...)` is
 * refused at load rather than approximated.
 */

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The period in AWS ms of a `rate(value unit)` expression; throws an Error
 * with the reason when the expression is not a valid rate (or is a cron).
 */
export function parseRate(expression: string): number {
  if (expression.startsWith('cron(')) throw new Error('cron() schedules are not run locally (rate() is)');
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`invalid schedule expression ${expression}`);
  const value = Number(match[1]);
  const unit = match[2]!.replace(/s$/, '');
  if (value < 1) throw new Error('the rate value must be a positive integer');
  // AWS wants the singular unit for 1 and the plural otherwise.
  if ((value === 1) !== (match[2] === unit)) throw new Error(`invalid schedule expression ${expression}`);
  return value * UNIT_MS[unit]!;
}
