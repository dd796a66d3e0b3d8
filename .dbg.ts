import { startExampleForTests } from './test/support/local-runtime.ts';
const r = await startExampleForTests('sync-async-api');
const res = await fetch(`${r.endpoint}/prod/square/4`);
console.log(res.status, await res.text());
await new Promise((x) => setTimeout(x, 1500));
console.log(JSON.stringify(r.traces.list().map((h) => [h.service, h.kind, h.resource, h.summary, h.ids, h.outcome]), null, 0));
await r.stop();
