import type { TraceEvent } from '../contracts.js';
import type { HttpResponse } from '../protocol/http.js';

/** Where a reader so slow that this much is buffered is cut off; its EventSource reconnects and rebuilds from /_local/traces. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `/_local/events`: every hop as it is recorded, as Server-Sent Events
 * (`event: hop`, `data: <TraceEvent JSON>`).
 * https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function traceStream(traces: { subscribe(listener: (event: TraceEvent) => void): () => void }): HttpResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    body: '',
    stream: (sink) => {
      sink.write('retry: 1000\n: connected\n\n');
      const unsubscribe = traces.subscribe((hop) => {
        if (sink.write(`event: hop\ndata: ${JSON.stringify(hop)}\n\n`) > MAX_BUFFERED_BYTES) sink.end();
      });
      const heartbeat = setInterval(() => sink.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      sink.onClose(() => {
        unsubscribe();
        clearInterval(heartbeat);
      });
    },
  };
}
