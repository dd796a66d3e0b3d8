/**
 * Poll `condition` until it holds. A test that waits for something to
 * happen must fail, not hang, when it never does: past `timeoutMs` this
 * throws "<what> never happened within N ms".
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  options: WaitOptions = {},
): Promise<void> {
  await waitForValue(async () => ((await condition()) ? true : undefined), what, timeoutMs, { intervalMs: 5, ...options });
}

export interface WaitOptions {
  /** Between polls. @default 5 ms for waitFor, 20 ms for waitForValue */
  readonly intervalMs?: number;
  /** More to say when it never happens, e.g. a process's output. */
  readonly context?: () => string;
}

/**
 * Poll `probe` until it gives a value, and return it; past `timeoutMs` this
 * throws "<what> never happened within N ms" (plus `context()`, e.g. a
 * process's output, when given).
 */
export async function waitForValue<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const context = options.context?.();
      throw new Error(`${what} never happened within ${timeoutMs} ms${context ? `\n${context}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
