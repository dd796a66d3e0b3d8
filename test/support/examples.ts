/** Each example folder under `examples/` and the stacks its app synthesizes. */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  'function-destination': ['FunctionDestinationExample'],
  'function-url': ['FunctionUrlExample'],
  'queue-event-source': ['QueueEventSourceStack'],
  'sync-async-api': ['SyncAsyncApiStack'],
};
