/**
 * The dashboard at `/`: the page's skeleton and styles. Everything it shows
 * is filled in by `app.js` (served as /_local/dashboard/app.js) from the
 * `/_local/*` routes, so the page needs no build step and no CDN.
 */
export function dashboardPage(stackName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(stackName)} (local)</title>
<style>
  :root { --ink: #1d2433; --muted: #5b6577; --line: #d5dbe3; --bg: #f6f7f9; --ok: #1e7a34; --bad: #b3261e; --wait: #8a5a00; --focus: #0b57d0; }
  * { box-sizing: border-box; }
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: var(--ink); background: var(--bg); }
  header { background: #232f3e; color: #fff; padding: 10px 20px; display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; }
  header h1 small { font-weight: normal; opacity: .8; }
  header .spacer { flex: 1; }
  #metrics, .live { font-size: 12px; opacity: .9; }
  .live.on::before { content: "● "; color: #6fdc8c; } .live.off::before { content: "● "; color: #ffb4ab; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 1fr); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  code, pre, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
  pre { margin: 4px 0; white-space: pre-wrap; word-break: break-word; max-height: 360px; overflow: auto; background: #f3f5f8; padding: 6px 8px; border-radius: 4px; }
  button, input, select { font: inherit; }
  button { padding: 5px 12px; border-radius: 4px; border: 1px solid #8a93a3; background: #fff; color: var(--ink); cursor: pointer; }
  button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  button.ok { background: #1e7a34; color: #fff; border-color: #1e7a34; }
  button.fail { background: #b3261e; color: #fff; border-color: #b3261e; }
  #send-form { display: flex; gap: 6px; align-items: center; }
  #send-form[hidden] { display: none; }
  #send-form input { width: 9em; padding: 4px 6px; border-radius: 4px; border: 1px solid #8a93a3; }
  header label { font-size: 13px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; overflow-wrap: anywhere; }
  #outputs th { font-weight: 600; font-size: 12px; }
  svg.graph { width: 100%; height: auto; max-height: 520px; display: block; }
  .node rect { fill: #fff; stroke: #8a93a3; stroke-width: 1.5; }
  .node-function rect { fill: #e6f4f5; stroke: #007b83; } .node-topic rect { fill: #fdf1e2; stroke: #a05a00; }
  .node-eventbus rect, .node-rule rect, .node-archive rect { fill: #e9f5ec; stroke: #1e7a2f; }
  .node-restapi rect { fill: #f6eaf6; stroke: #8a2c8a; } .node-queue rect { fill: #e8eefa; stroke: #1f4fa3; }
  .node-url rect { fill: #f6eaf6; stroke: #8a2c8a; }
  .node-dlq rect { stroke-dasharray: 5 3; }
  .node-id { font: 600 11.5px ui-monospace, Menlo, monospace; fill: var(--ink); }
  .node-type { font-size: 11px; fill: var(--muted); } .node-counts { font-size: 11px; fill: var(--ink); }
  .edge { fill: none; stroke: #7d8796; stroke-width: 1.4; } .edge-dead-letter { stroke-dasharray: 4 3; stroke: #b3261e; }
  .edge-on-failure { stroke: #b3261e; } .edge-on-success { stroke: #1e7a34; }
  .arrowhead { fill: #7d8796; } .edge-label { font-size: 10px; fill: var(--muted); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
  .resources { columns: 2 320px; font-size: 12px; margin: 6px 0 0; padding-left: 18px; }
  .resources ul { padding-left: 16px; color: var(--muted); }
  .toolbar { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 8px; }
  .toolbar input[type=search] { flex: 1; min-width: 200px; padding: 4px 8px; border: 1px solid #8a93a3; border-radius: 4px; }
  .notice { margin: 12px 20px 0; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--line); background: #eef4fb; }
  .notice-error { background: #fdecea; border-color: #b3261e; color: #5f120e; }
  .notice-reason { max-height: 160px; }
  #journey-count { color: var(--muted); font-size: 12px; }
  #journeys { list-style: none; margin: 0; padding: 0; }
  .journey { border-bottom: 1px solid #eef0f3; }
  .journey-toggle { width: 100%; text-align: left; border: 0; border-radius: 0; padding: 7px 6px; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; background: transparent; }
  .journey-toggle:hover { background: #f3f6fb; }
  .journey-toggle::before { content: "▸"; color: var(--muted); } .journey-toggle[aria-expanded=true]::before { content: "▾"; }
  .journey .title { font-weight: 600; } .journey .meta { color: var(--muted); font-size: 12px; }
  .status { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; padding: 1px 6px; border-radius: 10px; }
  .status-ok { background: #e3f3e7; color: var(--ok); } .status-stopped { background: #fbe6e4; color: var(--bad); } .status-waiting { background: #fdf1dc; color: var(--wait); }
  .flag { font-size: 12px; } .flag-stopped { color: var(--bad); font-weight: 600; } .flag-waiting, .countdown { color: var(--wait); } .flag-ok { color: var(--bad); }
  .countdown { font-size: 12px; font-weight: 600; }
  .timeline-panel { padding: 4px 8px 12px 26px; }
  .ids { color: var(--muted); word-break: break-all; margin: 0 0 6px; }
  .timeline { list-style: none; margin: 0; padding: 0 0 0 12px; border-left: 2px solid var(--line); }
  .step { position: relative; padding: 4px 0 6px 10px; }
  .step::before { content: ""; position: absolute; left: -18px; top: 9px; width: 10px; height: 10px; border-radius: 50%; background: #8a93a3; }
  .step.outcome-failed::before, .step.outcome-denied::before { background: var(--bad); } .step.outcome-ok::before { background: var(--ok); } .step.outcome-pending::before { background: var(--wait); }
  .step .offset { color: var(--muted); display: inline-block; min-width: 5.5em; }
  .step .step-title { font-weight: 600; margin-left: 6px; }
  .facts { margin: 2px 0; padding-left: 18px; } .reason { color: var(--bad); margin: 2px 0; font-weight: 600; }
  .outcome-pending .reason { color: var(--wait); }
  .payload-toggle { font-size: 12px; padding: 1px 8px; margin-top: 2px; }
  .svc { font-weight: 600; font-size: 12px; margin-left: 4px; }
  .svc-lambda { color: #007b83; } .svc-sns { color: #a05a00; } .svc-eventbridge { color: #1e7a2f; } .svc-apigateway { color: #8a2c8a; } .svc-sqs { color: #1f4fa3; }
  tr.denied td { color: var(--bad); font-weight: 600; }
  #iam th { font-size: 12px; }
  #iam .never { font-weight: 600; }
  #response { margin-top: 8px; }
  #group { max-width: 100%; } #log { max-height: 480px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(stackName)} <small>running locally</small></h1>
  <button type="button" class="ok" id="send">Send event</button>
  <button type="button" class="fail" id="send-fail">Send failing event</button>
  <form id="send-form">
    <label for="mode">mode</label>
    <input id="mode" name="mode" placeholder="e.g. fail">
    <button type="submit">Send with mode</button>
  </form>
  <span class="spacer"></span>
  <span id="metrics" aria-live="polite"></span>
  <span id="live" class="live off" role="status">connecting…</span>
</header>
<div id="runtime-notice" hidden></div>
<main>
  <section class="wide" aria-labelledby="arch-heading">
    <h2 id="arch-heading">Architecture</h2>
    <div id="architecture">Loading the architecture…</div>
    <div id="resources"></div>
  </section>
  <section aria-labelledby="journeys-heading" id="traces">
    <h2 id="journeys-heading">Requests</h2>
    <div class="toolbar">
      <label for="status-filter">Status</label>
      <select id="status-filter">
        <option value="all">All</option>
        <option value="ok">Arrived</option>
        <option value="errors">With errors</option>
        <option value="waiting">Waiting for a retry</option>
        <option value="stopped">Stopped</option>
      </select>
      <label for="search" class="visually-hidden">Search by id or text</label>
      <input id="search" type="search" placeholder="Search by id or text">
      <span id="journey-count" aria-live="polite"></span>
    </div>
    <ul id="journeys" aria-label="Requests, newest first"></ul>
  </section>
  <section aria-labelledby="outputs-heading">
    <h2 id="outputs-heading">Outputs</h2>
    <table id="outputs"></table>
    <h2>Last answer</h2>
    <pre id="response" class="mono" aria-live="polite"></pre>
    <h2><label for="group">Log group</label></h2>
    <select id="group"></select>
    <pre id="log" class="mono" tabindex="0" aria-label="Log lines of the chosen group"></pre>
  </section>
  <section class="wide" aria-labelledby="iam-heading">
    <h2 id="iam-heading">IAM grants in this run</h2>
    <table id="iam"></table>
  </section>
</main>
<script type="module" src="/_local/dashboard/app.js"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}
