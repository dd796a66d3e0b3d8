/**
 * The dashboard in the browser: the architecture as an SVG graph with live
 * counts, and one row per request that opens into its timeline. Hops arrive
 * over Server-Sent Events (/_local/events); a page load rebuilds from
 * /_local/traces. Grouping and wording live in journeys.ts (unit-tested);
 * this file only draws. Data reaches the page through textContent and
 * attributes only, never as markup.
 *
 * Plain JavaScript: the project's type check has no DOM library, and the
 * browser test (test/browser/dashboard.test.ts) exercises this file.
 */
import { JourneyIndex, describeHop, formatDuration, runtimeNotice, searchText, shortName, summarize, timelineOrder } from './journeys.js';

// ---------------------------------------------------------------- DOM helpers

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

const byId = (id) => document.getElementById(id);
const clockTime = (ms) => new Date(ms).toISOString().slice(11, 23);
const pretty = (value) => (typeof value === 'string' ? prettyText(value) : JSON.stringify(value, null, 2));
function prettyText(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------------------------------------------------------------- sending events

let sendUrl;

async function loadOutputs() {
  const state = await (await fetch('/_local/state')).json();
  byId('group').append(...state.logGroups.map((g) => h('option', {}, g)));
  const table = byId('outputs');
  for (const o of state.outputs) {
    if (o.OutputKey === 'SendEventUrl') sendUrl = o.OutputValue;
    const value = /^https?:/.test(o.OutputValue) ? h('a', { href: o.OutputValue }, o.OutputValue) : o.OutputValue;
    table.append(h('tr', {}, h('th', { scope: 'row' }, o.OutputKey), h('td', { class: 'mono' }, value)));
  }
  // The send buttons call the Destined Lambda's SendEvent API; an app without it (an example) has nothing for them to call.
  for (const id of ['send', 'send-fail', 'send-form']) byId(id).hidden = !sendUrl;
}

async function send(mode) {
  const out = byId('response');
  if (!sendUrl) {
    out.textContent = 'The stack has no SendEventUrl output.';
    return;
  }
  out.textContent = 'sending…';
  const res = await fetch(sendUrl + (mode ? `?mode=${encodeURIComponent(mode)}` : ''));
  out.textContent = `${res.status} ${await res.text()}`;
}

// ---------------------------------------------------------------- architecture

const NODE_W = 232;
const NODE_H = 70;
/** Edges whose kind says something the arrow alone does not. */
const LABELLED_EDGES = new Set(['integration', 'on-success', 'on-failure', 'dead-letter', 'archive', 'event-source', 'function-url']);
const countLabels = new Map();

async function drawArchitecture() {
  // dagre, served by this runtime from node_modules.
  const [dagre, architecture] = await Promise.all([
    import('/_local/vendor/dagre.js').then((m) => m.default),
    fetch('/_local/architecture').then((r) => r.json()),
  ]);
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 40, edgesep: 12, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of architecture.nodes) graph.setNode(node.id, { width: NODE_W, height: NODE_H });
  for (const edge of architecture.edges) {
    // A labelled edge gets room for its label, which dagre places clear of the nodes.
    const label = LABELLED_EDGES.has(edge.kind) ? { width: edge.kind.length * 6 + 8, height: 14, labelpos: 'c' } : {};
    graph.setEdge(edge.from, edge.to, { kind: edge.kind, ...label }, edge.kind);
  }
  dagre.layout(graph);

  const { width, height } = graph.graph();
  // A small graph keeps its drawn size: stretched to the page's width, a three-node example's text would be huge.
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'arch-title', class: 'graph', style: `max-width: ${Math.ceil(width)}px` });
  svg.append(
    s('title', { id: 'arch-title' }, `Architecture of ${architecture.stackName}: ${architecture.nodes.length} resources an event passes through`),
    s(
      'defs',
      {},
      s(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
      ),
    ),
  );
  for (const e of graph.edges()) {
    const { points, kind, x, y } = graph.edge(e);
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    // The nodes it joins, so a reader (or a test) can tell which arrow is which without reading geometry.
    svg.append(s('path', { d, class: `edge edge-${kind}`, 'marker-end': 'url(#arrow)', 'data-from': e.v, 'data-to': e.w, 'data-kind': kind }));
    if (LABELLED_EDGES.has(kind)) svg.append(s('text', { x, y: y + 4, class: 'edge-label', 'text-anchor': 'middle' }, kind));
  }
  for (const node of architecture.nodes) {
    const { x, y } = graph.node(node.id);
    const left = x - NODE_W / 2;
    const top = y - NODE_H / 2;
    const counts = s('text', { x: left + 10, y: top + 58, class: 'node-counts' }, countText(node.type, architecture.counts[node.id]));
    countLabels.set(node.id, counts);
    const kind = node.type.split('::')[2]?.toLowerCase() ?? 'other';
    svg.append(
      s(
        'g',
        { class: `node node-${kind}${node.role ? ` node-${node.role}` : ''}`, 'data-node': node.id },
        s('title', {}, `${node.id} (${node.type})\n${node.name}`),
        s('rect', { x: left, y: top, width: NODE_W, height: NODE_H, rx: 6 }),
        s('text', { x: left + 10, y: top + 20, class: 'node-id' }, ellipsis(node.id, 30)),
        s('text', { x: left + 10, y: top + 38, class: 'node-type' }, `${node.role === 'dlq' ? 'dead-letter ' : ''}${node.label}`),
        counts,
      ),
    );
  }
  byId('architecture').replaceChildren(svg);

  // Every resource of the template, under the node it belongs to.
  const list = h('ul', { class: 'resources' });
  let total = 0;
  for (const node of architecture.nodes) {
    total += 1 + node.parts.length;
    const parts = node.parts.map((p) => h('li', {}, h('span', { class: 'mono' }, p.id), ` ${p.type}`));
    list.append(h('li', {}, h('span', { class: 'mono' }, node.id), ` ${node.type}`, parts.length ? h('ul', {}, ...parts) : null));
  }
  for (const other of architecture.others) {
    total++;
    list.append(h('li', {}, h('span', { class: 'mono' }, other.id), ` ${other.type}`));
  }
  byId('resources').replaceChildren(h('details', {}, h('summary', {}, `All ${total} resources of the template`), list));
}

function ellipsis(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function countText(type, counts) {
  const c = counts ?? { events: 0, invocations: 0, errors: 0 };
  const errors = plural(c.errors, 'error');
  switch (type) {
    case 'AWS::Lambda::Function':
      return `${plural(c.invocations, 'invocation')} · ${errors}`;
    case 'AWS::SQS::Queue':
      return `${c.waiting ?? 0} waiting · ${c.events} received`;
    case 'AWS::Events::Rule':
      return `${c.events} matched · ${errors}`;
    case 'AWS::ApiGateway::RestApi':
    case 'AWS::Lambda::Url':
      return `${plural(c.events, 'request')} · ${errors}`;
    default:
      return `${plural(c.events, 'message')} · ${errors}`;
  }
}

let countsTimer;
/** Refresh counts and process metrics after hops arrive, at most once a second: driven by events, not by polling. */
function scheduleCounts() {
  if (countsTimer) return;
  countsTimer = setTimeout(() => {
    countsTimer = undefined;
    void refreshCounts();
  }, 1000);
}

async function refreshCounts() {
  const architecture = await (await fetch('/_local/architecture')).json();
  for (const node of architecture.nodes) {
    const label = countLabels.get(node.id);
    if (label) label.textContent = countText(node.type, architecture.counts[node.id]);
  }
  await Promise.all([refreshMetrics(), refreshLog(), refreshIam()]);
}

/** The chosen log group's newest lines, pretty-printed, following the end unless the reader scrolled up. */
async function refreshLog() {
  const group = byId('group').value;
  if (!group) return;
  const lines = await (await fetch(`/_local/logs?group=${encodeURIComponent(group)}`)).json();
  const log = byId('log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.textContent = lines.map((l) => `${new Date(l.timestamp).toISOString()} ${prettyText(l.message.trimEnd())}`).join('\n');
  if (atBottom) log.scrollTop = log.scrollHeight;
}

/** `/_local/metrics` may not exist in this build: then the header shows nothing. */
async function refreshMetrics() {
  const res = await fetch('/_local/metrics').catch(() => undefined);
  if (!res?.ok) return;
  const p = (await res.json()).process;
  if (!p) return;
  const mb = (bytes) => `${Math.round((bytes ?? 0) / 1024 / 1024)} MB`;
  byId('metrics').textContent = `${plural(p.environments ?? 0, 'environment')} · runtime ${mb(p.rssBytes)} · environments ${mb(p.environmentsRssBytes)}`;
}

/** Per role, the granted actions this run used and never used (`/_local/iam`); absent with no IAM. */
async function refreshIam() {
  const res = await fetch('/_local/iam').catch(() => undefined);
  const table = byId('iam');
  if (!res?.ok) return;
  const report = await res.json();
  const rowsOf = report.enforced
    ? report.roles.map((r) =>
        h('tr', {}, h('th', {}, r.role), h('td', { class: 'mono' }, ...r.used.map((a) => `${a} used; `), ...r.neverUsed.map((a) => h('span', { class: 'never' }, `${a} never used; `)))),
      )
    : [h('tr', {}, h('td', {}, 'IAM is not enforced (--no-iam)'))];
  const denials = (report.denials ?? []).length;
  if (denials > 0) rowsOf.push(h('tr', { class: 'denied' }, h('td', { colspan: '2' }, `${plural(denials, 'call')} denied: see the red steps in the requests above`)));
  table.replaceChildren(...rowsOf);
}

// ---------------------------------------------------------------- journeys

const index = new JourneyIndex(2_000);
const rows = new Map();
const open = new Set();
const dirty = new Set();
const MAX_ROWS = 300;
let frame;

const STATUS_TEXT = { ok: 'arrived', waiting: 'waiting', stopped: 'stopped' };

function addHop(hop) {
  const notice = runtimeNotice(hop);
  if (notice) return showNotice(notice);
  const { journey, merged } = index.add(hop);
  for (const id of merged) {
    rows.get(id)?.remove();
    rows.delete(id);
    if (open.delete(id)) open.add(journey.id);
  }
  dirty.add(journey.id);
  frame ??= requestAnimationFrame(flush);
}

/** The latest reload, failed or not: a failure stays on screen until a reload works. */
function showNotice(notice) {
  const banner = byId('runtime-notice');
  const at = new Date(notice.time).toLocaleTimeString();
  banner.className = `notice notice-${notice.level}`;
  banner.setAttribute('role', notice.level === 'error' ? 'alert' : 'status');
  const parts = [h('span', { class: 'notice-text' }, `${at} ${notice.text}`)];
  if (notice.reason) parts.push(h('pre', { class: 'notice-reason mono' }, notice.reason));
  banner.replaceChildren(...parts);
  banner.hidden = false;
}

/** Render the journeys that changed, once per frame however many hops arrived. */
function flush() {
  frame = undefined;
  const list = byId('journeys');
  const now = Date.now();
  for (const id of dirty) {
    const journey = index.get(id);
    if (!journey) continue;
    const row = renderRow(journey, summarize(journey, now));
    const old = rows.get(id);
    if (old) old.replaceWith(row);
    else list.prepend(row);
    rows.set(id, row);
  }
  dirty.clear();
  // Newest first; beyond the cap the oldest rows go (the journeys stay in the index).
  while (rows.size > MAX_ROWS) {
    const last = list.lastElementChild;
    if (!last) break;
    rows.delete(last.dataset.journey ?? '');
    last.remove();
  }
  applyFilter();
}

function renderRow(journey, summary) {
  const expanded = open.has(journey.id);
  const panelId = `timeline-${journey.id}`;
  const flag =
    summary.status !== 'ok' ? summary.reason : summary.failedAttempts ? plural(summary.failedAttempts, 'failed attempt') : '';
  const toggle = h(
    'button',
    { type: 'button', class: 'journey-toggle', 'aria-expanded': String(expanded), 'aria-controls': panelId },
    h('span', { class: 'time mono' }, clockTime(summary.startedAt)),
    h('span', { class: `status status-${summary.status}` }, STATUS_TEXT[summary.status]),
    h('span', { class: 'title' }, summary.title),
    h('span', { class: 'meta' }, `${plural(summary.attempts, 'attempt')} · ${summary.functions.map(shortName).join(' → ') || 'no function ran'}`),
    flag ? h('span', { class: `flag flag-${summary.status}` }, flag) : null,
    summary.dueAt ? h('span', { class: 'countdown', 'data-due': String(summary.dueAt) }, countdown(summary.dueAt)) : null,
  );
  toggle.addEventListener('click', () => {
    if (open.has(journey.id)) open.delete(journey.id);
    else open.add(journey.id);
    dirty.add(journey.id);
    flush();
    rows.get(journey.id)?.querySelector('.journey-toggle')?.focus();
  });
  const li = h('li', { class: `journey journey-${summary.status}`, 'data-journey': journey.id, 'data-status': summary.status, 'data-errors': String(summary.failedAttempts) }, toggle);
  li.dataset.search = searchText(journey);
  if (expanded) li.append(renderTimeline(journey, panelId));
  return li;
}

function countdown(dueAt) {
  const left = dueAt - Date.now();
  return left > 0 ? `retry in ${formatDuration(left)}` : 'retry due';
}

let payloadIds = 0;

function renderTimeline(journey, panelId) {
  const start = journey.hops[0].time;
  const steps = h('ol', { class: 'timeline' });
  for (const hop of timelineOrder(journey.hops)) {
    const step = describeHop(hop);
    const item = h(
      'li',
      { class: `step step-${step.service}${step.outcome ? ` outcome-${step.outcome}` : ''}`, 'data-kind': step.kind },
      h('span', { class: 'offset mono' }, `+${formatDuration(step.time - start)}`),
      h('span', { class: `svc svc-${step.service}` }, step.service),
      h('span', { class: 'step-title' }, step.title),
      step.facts.length ? h('ul', { class: 'facts' }, ...step.facts.map((f) => h('li', {}, f))) : null,
      // A wait's reason is said by its facts and countdown; a stop's reason is said here.
      step.reason && (step.outcome === 'failed' || step.outcome === 'denied') ? h('p', { class: 'reason' }, step.reason) : null,
      step.dueAt && step.dueAt > Date.now() ? h('p', { class: 'countdown', 'data-due': String(step.dueAt) }, countdown(step.dueAt)) : null,
      step.log.length ? h('pre', { class: 'log mono', 'aria-label': 'log lines' }, step.log.map(prettyText).join('\n')) : null,
    );
    if (step.payload !== undefined) {
      const payloadId = `payload-${++payloadIds}`;
      const pre = h('pre', { class: 'payload mono', id: payloadId, hidden: '' }, pretty(step.payload));
      const button = h('button', { type: 'button', class: 'payload-toggle', 'aria-expanded': 'false', 'aria-controls': payloadId }, 'Show payload');
      button.addEventListener('click', () => {
        const show = pre.hidden;
        pre.hidden = !show;
        button.setAttribute('aria-expanded', String(show));
        button.textContent = show ? 'Hide payload' : 'Show payload';
      });
      item.append(button, pre);
    }
    steps.append(item);
  }
  return h('div', { class: 'timeline-panel', id: panelId }, h('p', { class: 'ids mono' }, `ids: ${[...journey.ids].join(' · ')}`), steps);
}

function applyFilter() {
  const status = byId('status-filter').value;
  const needle = byId('search').value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows.values()) {
    const statusOk =
      status === 'all' ||
      (status === 'errors' ? row.dataset.errors !== '0' || row.dataset.status === 'stopped' : row.dataset.status === status);
    const visible = statusOk && (!needle || (row.dataset.search ?? '').includes(needle));
    row.hidden = !visible;
    if (visible) shown++;
  }
  byId('journey-count').textContent = `${shown} of ${plural(rows.size, 'request')}`;
}

/** Up and Down move between rows; Home and End go to the first and last. */
function onListKey(event) {
  if (!event.target.classList.contains('journey-toggle')) return;
  const toggles = [...byId('journeys').querySelectorAll('li.journey:not([hidden]) > .journey-toggle')];
  const at = toggles.indexOf(event.target);
  const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: toggles.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  toggles[Math.max(0, Math.min(toggles.length - 1, next))]?.focus();
}

// ---------------------------------------------------------------- live updates

/** Hops already applied, so the stream and the reload from /_local/traces never count one twice. */
const seen = new Set();
const hopKey = (hop) => `${hop.time}|${hop.service}|${hop.kind}|${hop.resource}|${hop.summary}`;

function apply(hop) {
  const key = hopKey(hop);
  if (seen.has(key)) return;
  seen.add(key);
  if (seen.size > 50_000) seen.clear();
  addHop(hop);
  scheduleCounts();
}

function connect() {
  // Hops that arrive while the history loads wait, then apply after it.
  let buffered = [];
  const source = new EventSource('/_local/events');
  source.addEventListener('hop', (event) => {
    const hop = JSON.parse(event.data);
    if (buffered) buffered.push(hop);
    else apply(hop);
  });
  // On every (re)connection: whatever happened meanwhile is in /_local/traces.
  source.addEventListener('open', () => {
    byId('live').textContent = 'live';
    byId('live').className = 'live on';
    buffered ??= [];
    void fetch('/_local/traces?limit=5000')
      .then((r) => r.json())
      .then((history) => {
        for (const hop of history) apply(hop);
        for (const hop of buffered ?? []) apply(hop);
        buffered = undefined;
      });
  });
  source.addEventListener('error', () => {
    byId('live').textContent = 'reconnecting…';
    byId('live').className = 'live off';
  });
}

// ---------------------------------------------------------------- start

byId('send').addEventListener('click', () => void send(''));
byId('send-fail').addEventListener('click', () => void send('fail'));
byId('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void send(byId('mode').value);
});
byId('status-filter').addEventListener('change', applyFilter);
byId('search').addEventListener('input', applyFilter);
byId('journeys').addEventListener('keydown', onListKey);
byId('group').addEventListener('change', () => void refreshLog());
// Countdowns tick on the page only; nothing is fetched.
setInterval(() => {
  for (const el of document.querySelectorAll('[data-due]')) el.textContent = countdown(Number(el.dataset.due));
}, 250);

await loadOutputs();
connect();
await drawArchitecture().catch((error) => {
  byId('architecture').textContent = `The architecture could not be drawn: ${String(error)}`;
});
await Promise.all([refreshMetrics(), refreshLog(), refreshIam()]);
