/** What the event source mapping does with a batch once the function answered. */
export type BatchOutcome =
  /** Delete every message. */
  | { readonly kind: 'success' }
  /** Delete all but these message ids, which return after the visibility timeout. */
  | { readonly kind: 'partial'; readonly failed: readonly string[] }
  /** Delete nothing: the whole batch returns after the visibility timeout. */
  | { readonly kind: 'failure'; readonly reason: string };

/**
 * The partial batch response of a successful invocation, under AWS's rules
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting):
 * an empty or null `batchItemFailures` (or an empty or null response) is a
 * complete success; an invalid JSON response, an empty or null
 * `itemIdentifier`, an entry with a wrong key name, or an identifier that
 * is no message of the batch fails the whole batch.
 */
export function batchOutcome(payload: string, batchMessageIds: readonly string[]): BatchOutcome {
  if (payload.trim() === '') return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return { kind: 'failure', reason: 'the function returned an invalid JSON response' };
  }
  if (response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failure', reason: 'the function response is not an object with batchItemFailures' };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  const inBatch = new Set(batchMessageIds);
  const failed = new Set<string>();
  for (const entry of failures) {
    if (typeof entry !== 'object' || entry === null || !('itemIdentifier' in entry)) {
      return { kind: 'failure', reason: 'a batchItemFailures entry has no itemIdentifier key' };
    }
    const id = (entry as { itemIdentifier: unknown }).itemIdentifier;
    if (id === null || id === '' || typeof id !== 'string') {
      return { kind: 'failure', reason: `a batchItemFailures entry has an empty or null itemIdentifier (${JSON.stringify(id)})` };
    }
    if (!inBatch.has(id)) return { kind: 'failure', reason: `itemIdentifier ${id} is no message of the batch` };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'success' } : { kind: 'partial', failed: [...failed] };
}
