/**
 * The shared benchmark harness: a floor (or peer) and the measured path run
 * in alternating rounds (floor, measured, floor, measured, ...), so a burst
 * of noise from the rest of the machine lands on both sides instead of on
 * whichever ran second. Each round yields one figure; the report gives the
 * median and the p10..p90 spread of each side and the ratio of the medians.
 */

/** Command-line options every benchmark receives. */
export interface BenchOptions {
  /** Fewer rounds and smaller sizes, for a CI smoke run under a minute. */
  readonly quick: boolean;
}

export type Side = 'floor' | 'measured';

/** The order rounds run in: the floor first, then strictly alternating. */
export function interleavedOrder(rounds: number): Side[] {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  const order: Side[] = [];
  for (let i = 0; i < rounds; i++) order.push('floor', 'measured');
  return order;
}

/** The median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-quantile (0..1) by linear interpolation between closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be within 0..1, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export interface Spread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  return {
    median: median(values),
    p10: percentile(values, 0.1),
    p90: percentile(values, 0.9),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** measured / floor; NaN when the floor is zero or not finite, rather than a misleading Infinity. */
export function ratio(measured: number, floor: number): number {
  return floor !== 0 && Number.isFinite(floor) && Number.isFinite(measured) ? measured / floor : NaN;
}

export interface Contender {
  readonly label: string;
  /** One round; resolves to that round's figure in the comparison's unit. */
  readonly round: () => Promise<number> | number;
}

export interface Comparison {
  readonly name: string;
  readonly unit: string;
  readonly floorLabel: string;
  readonly measuredLabel: string;
  readonly floor: Spread;
  readonly measured: Spread;
  /** median(measured) / median(floor). */
  readonly ratio: number;
}

/**
 * Runs `warmup` unrecorded rounds of each, then `rounds` recorded rounds of
 * each in {@link interleavedOrder}.
 */
export async function compare(spec: {
  readonly name: string;
  readonly unit: string;
  readonly floor: Contender;
  readonly measured: Contender;
  readonly rounds: number;
  readonly warmup?: number;
}): Promise<Comparison> {
  const warmup = spec.warmup ?? 1;
  const figures: Record<Side, number[]> = { floor: [], measured: [] };
  if (warmup > 0) {
    for (const side of interleavedOrder(warmup)) await spec[side].round();
  }
  for (const side of interleavedOrder(spec.rounds)) {
    const value = await spec[side].round();
    if (!Number.isFinite(value)) throw new Error(`${spec.name}: ${spec[side].label} gave ${value}`);
    figures[side].push(value);
  }
  const floor = spread(figures.floor);
  const measured = spread(figures.measured);
  return {
    name: spec.name,
    unit: spec.unit,
    floorLabel: spec.floor.label,
    measuredLabel: spec.measured.label,
    floor,
    measured,
    ratio: ratio(measured.median, floor.median),
  };
}

/** A figure with 3 significant digits, thousands grouped. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The lines a comparison prints: each side's median and spread, then the ratio. */
export function formatComparison(c: Comparison): string[] {
  const width = Math.max(c.floorLabel.length + 8, c.measuredLabel.length);
  const line = (label: string, s: Spread) =>
    `  ${label.padEnd(width)}  median ${formatFigure(s.median)} ${c.unit}  (p10 ${formatFigure(s.p10)}, p90 ${formatFigure(s.p90)}; min ${formatFigure(s.min)}, max ${formatFigure(s.max)})`;
  return [
    `${c.name}:`,
    line(`${c.floorLabel} (floor)`, c.floor),
    line(c.measuredLabel, c.measured),
    `  ${'ratio measured/floor'.padEnd(width)}  ${Number.isNaN(c.ratio) ? 'n/a' : `${c.ratio.toFixed(3)}x`}`,
  ];
}

export function printComparison(c: Comparison): void {
  for (const line of formatComparison(c)) console.log(line);
}

/** Times `fn` in ms. */
export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
